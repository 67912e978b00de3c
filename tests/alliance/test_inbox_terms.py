"""To-do (待办): the chair term in force ends within 60 days and no next
chair is on record — the bureau and the secretariat are asked to record it."""

from datetime import timedelta

import pytest
from django.utils import timezone

from alliance.models import ChairTerm
from core.inbox import inbox

pytestmark = pytest.mark.django_db


def keys(user):
    return {group.source.key: group for group in inbox(user)}


def test_a_term_ending_without_successor_waits_until_the_next_is_recorded(world):
    today = timezone.localdate()
    term = ChairTerm.objects.create(
        sequence=7,
        center=world.center_a,
        starts_on=today - timedelta(days=330),
        ends_on=today + timedelta(days=30),
    )
    bureau = world.user("bureau")
    group = keys(bureau)["alliance-next-term"]
    assert group.count == 1
    assert "第 7 届" in group.items[0].text or "Term 7" in group.items[0].text
    assert group.items[0].url == "/alliance/terms/add/"
    assert "alliance-next-term" not in keys(world.user("center_b"))  # not theirs to record
    ChairTerm.objects.create(
        sequence=8,
        center=world.center_b,
        starts_on=term.ends_on + timedelta(days=1),
        ends_on=term.ends_on + timedelta(days=366),
    )
    assert "alliance-next-term" not in keys(bureau)


def test_a_term_far_from_its_end_asks_nothing(world):
    today = timezone.localdate()
    ChairTerm.objects.create(
        sequence=7,
        center=world.center_a,
        starts_on=today - timedelta(days=10),
        ends_on=today + timedelta(days=355),
    )
    assert "alliance-next-term" not in keys(world.user("bureau"))
