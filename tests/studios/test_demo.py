"""The studios demo: every kind and level, routed to the centers that manage
studios, a year of activities with hours, some studios short of mentees, one
completed annual evaluation; loading twice changes nothing."""

from datetime import timedelta

import pytest
from django.utils import timezone

from centers import demo as centers_demo
from credits.models import CreditEntry
from studios import demo, services
from studios.models import (
    Activity,
    Evaluation,
    MentoringPair,
    Plan,
    Studio,
    StudioKind,
    StudioLevel,
    StudioPerson,
)

pytestmark = pytest.mark.django_db


def counts():
    models = [Studio, StudioPerson, Activity, MentoringPair, Plan, Evaluation, CreditEntry]
    return {m.__name__: m.objects.count() for m in models}


def test_demo_studios():
    centers_demo.load()
    demo.load()
    first = counts()
    studios = list(Studio.objects.select_related("managing_center"))
    assert {s.kind for s in studios} == set(StudioKind.values)
    assert {s.level for s in studios} == set(StudioLevel.values)
    assert {s.managing_center.code for s in studios} == {
        "primary-secondary",
        "research-training",
        "vocational",
        "kindergarten",
    }
    for studio in studios:
        assert services.current_host(studio) is not None, studio
        # Issue 13: each host records a step of the centers' career ladders.
        assert services.current_host(studio).ladder_step_name, studio
    today = timezone.localdate()
    held = Activity.objects.values_list("held_on", flat=True)
    assert min(held) >= today - timedelta(days=366) and max(held) <= today
    assert CreditEntry.objects.filter(activity_key__startswith="studios.activity:").exists()
    assert CreditEntry.objects.filter(activity_key__startswith="studios.mentoring:").exists()
    rows = services.studio_rows(studios, today.year)
    short = [s for s in rows if s.mentoring.short]
    assert 0 < len(short) < len(rows)
    completed = Evaluation.objects.filter(kind="annual", status="completed")
    assert completed.count() == 1 and completed.get().result
    demo.load()
    assert counts() == first
