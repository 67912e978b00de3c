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


# Seed 001 (联盟章程) 第七条, one row per sentence it routes by.
@pytest.mark.parametrize(
    "work,center,rule",
    [
        (
            {"training_kind": "principal_advanced", "stage": "vocational"},
            "vocational",
            "中职中心主要负责广州市中等职业学校校长提高培训、高级研修和专题研修",
        ),
        (
            {"training_kind": "principal_advanced", "stage": "kindergarten"},
            "kindergarten",
            "幼儿园中心主要负责广州市幼儿园园长的示范性培训（任职资格培训、提高培训、高级研修和专题研修）",
        ),
        (
            {"training_kind": "principal_advanced", "stage": "senior"},
            "primary-secondary",
            "中小学中心负责中学（不含中职学校）校长的提高培训、高级研修和专题研修",
        ),
        (
            {"training_kind": "principal_qualification", "stage": "vocational"},
            "primary-secondary",
            "中小学中心主要负责广州市中学（含中职学校）校长任职资格培训",
        ),
        (
            {"training_kind": "principal_qualification", "stage": "kindergarten"},
            "kindergarten",
            "幼儿园园长的示范性培训（任职资格培训…）",
        ),
        (
            {"training_kind": "key_teacher", "stage": "kindergarten"},
            "kindergarten",
            "幼儿园中心负责指导各区教师发展中心实施……幼儿园骨干教师培训",
        ),
        (
            {"training_kind": "key_teacher", "stage": "vocational"},
            "vocational",
            "中职中心负责指导各区教师发展中心实施中职教师、校长、骨干教师培训",
        ),
        (
            {"training_kind": "key_teacher", "stage": "junior"},
            "research-training",
            "研训中心统筹骨干教师培训中的公开课等示范辐射平台的搭建",
        ),
    ],
)
def test_charter_article_7_routing(charter, work, center, rule):
    assert responsible_center(**work) == charter[center], rule


def test_mandates_cite_article_7(charter):
    assert set(Mandate.objects.values_list("source", flat=True)) == {
        "《广州市市级教师发展中心联盟章程》第七条"
    }
