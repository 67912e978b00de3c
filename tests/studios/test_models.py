"""Studios are routed to the center whose mandate covers them; the database
holds the rules about one record (one host, one place per teacher, plans)."""

from datetime import date

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError

from studios import services
from studios.models import (
    EvaluationScheme,
    MentoringRule,
    PersonRole,
    Plan,
    PlanKind,
    Studio,
    StudioKind,
    StudioPerson,
    cycle_end_for,
)

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    "kind,stage,center",
    [
        (StudioKind.FAMOUS_KG_DIRECTOR, "kindergarten", "kindergarten"),
        (StudioKind.FAMOUS_TEACHER, "kindergarten", "kindergarten"),
        (StudioKind.EXPERT, "kindergarten", "kindergarten"),
        (StudioKind.FAMOUS_PRINCIPAL, "vocational", "vocational"),
        (StudioKind.FAMOUS_TEACHER, "vocational", "vocational"),
        (StudioKind.EXPERT, "vocational", "vocational"),
        (StudioKind.FAMOUS_PRINCIPAL, "junior", "primary-secondary"),
        (StudioKind.FAMOUS_PRINCIPAL, "primary", "primary-secondary"),
        (StudioKind.FAMOUS_TEACHER, "senior", "research-training"),
        (StudioKind.EXPERT, "primary", "research-training"),
    ],
)
def test_studio_is_routed_by_the_mandates(charter, kind, stage, center):
    assert services.route_studio(kind=kind, stage=stage) == charter[center]
    studio = Studio.objects.create(
        name=f"{kind}{stage}",
        kind=kind,
        level="municipal",
        stage=stage,
        cycle_start=date(2023, 1, 1),
    )
    assert studio.managing_center == charter[center]
    assert studio.cycle_end == date(2027, 12, 31)


def test_without_mandates_routing_refuses(db):
    with pytest.raises(ValidationError):
        services.route_studio(kind=StudioKind.EXPERT, stage="primary")


def test_kindergarten_director_studio_is_for_kindergartens(charter):
    studio = Studio(
        name="x",
        kind=StudioKind.FAMOUS_KG_DIRECTOR,
        level="district",
        stage="primary",
        cycle_start=date(2023, 1, 1),
    )
    with pytest.raises(ValidationError):
        services.save_studio(studio=studio)


def test_cycle_is_five_years():
    assert cycle_end_for(date(2022, 9, 1)) == date(2027, 8, 31)
    assert cycle_end_for(date(2024, 2, 29)) == date(2029, 2, 27)


def test_one_host_at_a_time(studios):
    with pytest.raises(ValidationError):
        services.add_person(studio=studios.a, teacher=studios.member_b, role=PersonRole.HOST)
    with pytest.raises(IntegrityError):
        StudioPerson.objects.create(
            studio=studios.a,
            teacher=studios.member_b,
            role=PersonRole.HOST,
            starts_on=date(2023, 1, 1),
        )


def test_a_teacher_hosts_one_studio(studios, world):
    other = Studio.objects.create(
        name="另一工作室",
        kind="expert",
        level="district",
        stage="primary",
        cycle_start=date(2023, 1, 1),
        managing_center=world.center_a,
    )
    with pytest.raises(ValidationError):
        services.add_person(studio=other, teacher=studios.host_a, role=PersonRole.HOST)


def test_no_two_places_in_one_studio(studios):
    with pytest.raises(ValidationError):
        services.add_person(studio=studios.a, teacher=studios.member_a, role=PersonRole.LEARNER)


def test_a_left_person_may_come_back(studios):
    person = StudioPerson.objects.get(studio=studios.a, teacher=studios.learner_a)
    services.end_person(person=person, ends_on=date(2024, 8, 31))
    again = services.add_person(studio=studios.a, teacher=studios.learner_a, role=PersonRole.MEMBER)
    assert again.role == PersonRole.MEMBER


def test_plans_hold_their_shape(studios):
    with pytest.raises(IntegrityError):
        Plan.objects.create(studio=studios.a, kind=PlanKind.ANNUAL, title="x", body="y")


def test_rules_and_schemes_are_data(db):
    rule = MentoringRule.objects.get(kind="")
    assert rule.min_mentees == 3
    annual = EvaluationScheme.objects.get(kind="annual", is_active=True)
    assert sum(c.weight for c in annual.criteria.all()) == 100
    assert EvaluationScheme.objects.get(kind="cycle", is_active=True).criteria.count() == 4
