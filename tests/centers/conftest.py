import pytest


@pytest.fixture
def demo(db):
    """The whole demo federation (17 centers with staff and facilities)."""
    from centers import demo as centers_demo

    centers_demo.load()
    return centers_demo
