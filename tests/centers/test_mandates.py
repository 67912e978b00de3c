"""Mandates from the charter, as data, route work to the responsible center."""

import pytest

from centers.models import Mandate
from centers.services import load_mandates, responsible_center, route_mandate

pytestmark = pytest.mark.django_db


@pytest.fixture
def charter(db):
    from centers.demo import MUNICIPAL_CENTERS
    from tests.factories import CenterFactory

    centers = {code: CenterFactory(code=code, name=name) for code, name, *_ in MUNICIPAL_CENTERS}
    load_mandates()
    return centers


@pytest.mark.parametrize(
    "work,center",
    [
        ({"stage": "kindergarten"}, "kindergarten"),
        ({"stage": "kindergarten", "training_kind": "studio"}, "kindergarten"),
        ({"stage": "kindergarten", "ownership": "private"}, "private-schools"),
        ({"stage": "vocational"}, "vocational"),
        ({"stage": "vocational", "training_kind": "principal_qualification"}, "primary-secondary"),
        (
            {"stage": "senior", "training_kind": "principal_qualification", "ownership": "private"},
            "private-schools",
        ),
        ({"stage": "primary", "ownership": "private"}, "private-schools"),
        ({"training_kind": "platform"}, "distance"),
        ({"training_kind": "it_ability", "stage": "primary"}, "distance"),
        ({"training_kind": "whole_staff"}, "distance"),
        ({"target_group": "research_staff"}, "research-training"),
        ({"training_kind": "studio", "target_group": "teachers"}, "research-training"),
        ({"training_kind": "studio", "target_group": "principals"}, "primary-secondary"),
        ({"training_kind": "special_education"}, "primary-secondary"),
        ({"stage": "junior"}, "primary-secondary"),
        ({}, "primary-secondary"),
    ],
)
def test_routing(charter, work, center):
    assert responsible_center(**work) == charter[center]


def test_routing_makes_one_query(charter, django_assert_num_queries):
    with django_assert_num_queries(1):
        route_mandate(stage="kindergarten")


def test_loading_mandates_twice_changes_nothing(charter):
    count = Mandate.objects.count()
    load_mandates()
    assert Mandate.objects.count() == count


def test_no_mandates_no_center(db):
    assert responsible_center(stage="primary") is None
