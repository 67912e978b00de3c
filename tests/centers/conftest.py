import pytest


@pytest.fixture
def demo(db):
    """The whole demo federation (17 centers with staff and facilities)."""
    from centers import demo as centers_demo

    centers_demo.load()
    return centers_demo


@pytest.fixture
def staffed(world):
    """Center A with a campus, a room, a staff member and a record."""
    from .factories import CampusFactory, RecordFactory, RoomFactory, StaffFactory

    campus = CampusFactory(center=world.center_a, name="主校区")
    room = RoomFactory(campus=campus, name="报告厅", seats=120)
    staff = StaffFactory(center=world.center_a, is_research_staff=True)
    record = RecordFactory(staff=staff)
    return {"campus": campus, "room": room, "staff": staff, "record": record}


@pytest.fixture
def token_client(api_token):
    from rest_framework.test import APIClient

    def _client(actor="system_a"):
        raw, _token = api_token(actor)
        client = APIClient()
        client.credentials(HTTP_AUTHORIZATION=f"Token {raw}")
        return client

    return _client
