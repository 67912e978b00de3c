import pytest

from tests.conftest import shared_demo


@pytest.fixture(scope="module")
def _centers_demo(django_db_setup, django_db_blocker, tmp_path_factory):
    from centers import demo as centers_demo

    with shared_demo(django_db_blocker, tmp_path_factory, centers_demo.load):
        yield centers_demo


@pytest.fixture
def demo(_centers_demo, db):
    """The centers' demo (17 centers with staff and facilities), loaded once
    per module and shared: each test's writes are rolled back after it."""
    return _centers_demo


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
