"""The completion standings the dashboards read (``CompletionStanding``):
always the figures of ``services.completion`` (the one definition), kept so
by a refresh after every commit that invalidates them, and by the day."""

import datetime
from datetime import date
from decimal import Decimal
from unittest import mock

import pytest
from django.db import connection, transaction
from django.utils import timezone

from credits import services
from credits.models import CategoryMinimum, CompletionStanding, CreditActivity, CreditEntry
from credits.services import standings
from credits.tasks import refresh_completion_standings

from ..factories import TeacherFactory
from .test_claims import submit

pytestmark = pytest.mark.django_db


def figures(rows):
    return [(r.key, r.name, r.teachers, r.complete, r.at_risk, r.hours, r.order) for r in rows]


def assert_same(world, on=None):
    """The standings answer exactly what ``completion`` computes, per
    district for the city and per school of each district."""
    assert figures(services.standing_completion(by="district", on=on)) == figures(
        services.completion(by="district", on=on)
    )
    for district in (world.district_a, world.district_b):
        assert figures(
            services.standing_completion(by="school", district_ids=[district.pk], on=on)
        ) == figures(services.completion(by="school", district_ids=[district.pk], on=on))
    only = [world.school_a.pk]
    assert figures(
        services.standing_completion(
            by="school", district_ids=[world.district_a.pk], school_ids=only, on=on
        )
    ) == figures(
        services.completion(by="school", district_ids=[world.district_a.pk], school_ids=only, on=on)
    )


def stored(teacher):
    return CompletionStanding.objects.get(school_id=teacher.school_id)


def commit_setup():
    """What the setup's commit would send (the test's transaction never
    commits): run the on_commit callbacks pending so far, so a test's own
    writes start a transaction's refresh of their own."""
    pending = list(connection.run_on_commit)
    connection.run_on_commit.clear()
    for _sids, callback, _robust in pending:
        callback()


@pytest.fixture
def refreshed(world, policy, award):
    award(world.teacher_a, 300)
    award(world.teacher_b, 40, category="ethics")
    commit_setup()  # refreshes the city (the teachers and policy were saved)
    return world


def test_a_refresh_stores_completions_figures(refreshed, world):
    assert stored(world.teacher_a).hours == Decimal("300")
    assert stored(world.teacher_a).on == timezone.localdate()
    assert_same(world)
    assert services.refresh_standings() == CompletionStanding.objects.count()  # idempotent
    assert_same(world)


def test_fresh_standings_are_one_query(refreshed, world, django_assert_num_queries):
    with django_assert_num_queries(1):
        services.standing_completion(by="district")
    with django_assert_num_queries(1):
        services.standing_completion(by="school", district_ids=[world.district_a.pk])


def test_an_award_refreshes_its_district_after_the_commit(
    refreshed, world, award, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        award(world.teacher_a, 60)
        assert stored(world.teacher_a).hours == Decimal("300")  # not before the commit
    assert len(callbacks) == 1
    assert stored(world.teacher_a).hours == Decimal("360")
    assert_same(world)


def test_a_reversal_refreshes(refreshed, world, django_capture_on_commit_callbacks):
    entry = CreditEntry.objects.filter(teacher=world.teacher_a).get()
    with django_capture_on_commit_callbacks(execute=True):
        services.reverse_entry(entry=entry, reason="wrong hours", by=None)
    assert stored(world.teacher_a).hours == Decimal("0")
    assert_same(world)


def test_an_approved_claim_refreshes(refreshed, world, django_capture_on_commit_callbacks):
    claim = submit(world)
    claim = services.approve_claim(claim=claim, by=world.user("school_a"))
    with django_capture_on_commit_callbacks(execute=True):
        services.approve_claim(claim=claim, by=world.user("district_a"))
    assert stored(world.teacher_a).hours == Decimal("312")
    assert_same(world)


def test_a_district_batch_refreshes(refreshed, world, django_capture_on_commit_callbacks):
    world.teacher_a.external_id = "TH-1"
    world.teacher_a.save()
    commit_setup()
    body = {
        "entries": [
            {
                "external_id": f"E{i}",
                "teacher": "TH-1",
                "category": "it",
                "hours": "3",
                "earned_on": "2025-03-01",
            }
            for i in range(5)
        ]
    }
    with django_capture_on_commit_callbacks(execute=True):
        answer = services.sync_batch(district=world.district_a, key="k1", body=body, user=None)
    assert answer.status == 201
    assert stored(world.teacher_a).hours == Decimal("315")
    assert_same(world)


def test_a_rebuild_and_a_new_minimum_refresh_the_city(
    refreshed, world, policy, django_capture_on_commit_callbacks
):
    CompletionStanding.objects.update(hours=Decimal("1"))  # wrong on purpose
    with django_capture_on_commit_callbacks(execute=True):
        services.rebuild_balances(policy)
    assert stored(world.teacher_a).hours == Decimal("300")
    with django_capture_on_commit_callbacks(execute=True):
        CategoryMinimum.objects.create(policy=policy, category="it", hours=Decimal("10"))
    assert_same(world)


def test_a_teacher_leaving_refreshes(refreshed, world, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        world.teacher_a.is_active = False
        world.teacher_a.save()
    assert stored(world.teacher_a).teachers == 0
    assert_same(world)


def test_a_rolled_back_write_sends_nothing(refreshed, world, award):
    with mock.patch.object(refresh_completion_standings, "delay") as delay:
        with pytest.raises(RuntimeError), transaction.atomic():
            award(world.teacher_a, 60)
            raise RuntimeError
        award(world.teacher_b, 1)  # the next write starts afresh
        commit_setup()
    delay.assert_called_once_with([world.district_b.pk])


def test_yesterdays_standings_are_not_read(refreshed, world, award):
    """At risk depends on the date: rows of another day are stale, the
    figures come from the balances until the daily refresh."""
    tomorrow = timezone.localdate() + datetime.timedelta(days=1)
    CompletionStanding.objects.update(teachers=99)  # would show if read
    with mock.patch.object(refresh_completion_standings, "delay"):
        assert figures(services.standing_completion(by="district", on=tomorrow)) == figures(
            services.completion(by="district", on=tomorrow)
        )
    refresh_completion_standings(None)  # what beat runs
    assert stored(world.teacher_a).on == timezone.localdate()
    services.refresh_standings(on=tomorrow)
    assert_same(world, on=tomorrow)


def test_at_risk_follows_the_day(world, policy, award):
    """The same balances, another day: the pace needed has grown."""
    award(world.teacher_a, 200, category="ethics")
    early, late = date(2023, 1, 1), date(2026, 12, 1)
    services.refresh_standings(on=early)
    assert services.standing_completion(by="district", on=early)[0].at_risk == 0
    services.refresh_standings(on=late)
    assert services.standing_completion(by="district", on=late)[0].at_risk == 1
    assert_same(world, on=late)


def test_no_standings_yet_computes_from_the_balances(world, policy, award):
    award(world.teacher_a, 10)
    with mock.patch.object(refresh_completion_standings, "delay") as delay:
        rows = services.standing_completion(by="district")
    assert figures(rows) == figures(services.completion(by="district"))
    assert delay.called is False  # in the test's transaction: after its commit


def test_a_burst_of_commits_queues_one_refresh_per_district(refreshed, world, award):
    with mock.patch.object(refresh_completion_standings, "delay") as delay:
        for hours in (1, 2, 3):
            award(world.teacher_a, hours)
            commit_setup()
        delay.assert_called_once_with([world.district_a.pk])
        services.run_refresh([world.district_a.pk])  # the task starts: a new commit queues again
        award(world.teacher_a, 4)
        commit_setup()
        assert delay.call_count == 2
        services.schedule_refresh(everything=True)
        commit_setup()
        award(world.teacher_b, 1)  # covered by the city refresh not started yet
        commit_setup()
        assert delay.call_count == 3 and delay.call_args.args == (None,)


def snapshot():
    return sorted(
        CompletionStanding.objects.values_list(
            "school_id", "district_id", "on", "teachers", "complete", "at_risk", "hours"
        )
    )


def test_a_batch_refreshes_only_its_teachers_schools(refreshed, world):
    """A batch's commit queues its teachers' schools, not their districts;
    refreshed so, the standings are exactly those of a full refresh."""
    other = TeacherFactory(school=world.school_a2, external_id="TH-2")
    world.teacher_a.external_id = "TH-1"
    world.teacher_a.save()
    services.refresh_standings()
    commit_setup()
    rows = [
        {"external_id": f"S{i}", "teacher": "TH-1", "category": "it", "hours": "4"}
        for i in range(3)
    ] + [{"external_id": "S9", "teacher": "TH-2", "category": "ethics", "hours": "40"}]
    body = {"entries": [dict(r, earned_on="2025-03-01") for r in rows]}
    with mock.patch.object(refresh_completion_standings, "delay") as delay:
        answer = services.sync_batch(district=world.district_a, key="k-s", body=body, user=None)
        assert answer.status == 201
        commit_setup()
    delay.assert_called_once_with([], [world.school_a.pk, world.school_a2.pk])
    untouched = CompletionStanding.objects.get(school=world.school_b).refreshed_at
    assert refresh_completion_standings(*delay.call_args.args) == 2  # the two schools' rows
    assert stored(world.teacher_a).hours == Decimal("312")
    assert stored(other).hours == Decimal("40")
    assert CompletionStanding.objects.get(school=world.school_b).refreshed_at == untouched
    by_school = snapshot()
    services.refresh_standings()  # the full refresh agrees
    assert snapshot() == by_school
    assert_same(world)
    # A district with more of the batch's schools than SCHOOLS_ALONE: the district.
    body = {"entries": [dict(r, external_id=f"T{r['external_id']}") for r in body["entries"]]}
    with (
        mock.patch.object(standings, "SCHOOLS_ALONE", 1),
        mock.patch.object(refresh_completion_standings, "delay") as delay,
    ):
        answer = services.sync_batch(district=world.district_a, key="k-t", body=body, user=None)
        assert answer.status == 201
        commit_setup()
    delay.assert_called_once_with([world.district_a.pk])


def test_a_schools_refresh_takes_the_whole_district_unless_its_rows_are_current(refreshed, world):
    """Refreshing schools refreshes their whole district when its rows are not
    one per school of today (yesterday's, a school missing): a district never
    mixes two days or misses a school."""
    today = timezone.localdate()
    full = snapshot()
    assert services.refresh_standings(school_ids=[world.school_a.pk]) == 1
    CompletionStanding.objects.filter(school=world.school_a2).delete()
    assert services.refresh_standings(school_ids=[world.school_a.pk]) == 2  # district_a's
    assert snapshot() == full
    CompletionStanding.objects.filter(district=world.district_a).update(
        on=today - datetime.timedelta(days=1), teachers=99
    )
    assert services.refresh_standings(school_ids=[world.school_a.pk]) == 2
    assert snapshot() == full
    assert services.refresh_standings(school_ids=[]) == 0
    assert_same(world)


def test_a_batch_recounts_an_activity_after_its_reversal(world, policy):
    """An activity whose entry was reversed counts again, once, for the first
    of the batch's rows that names it; the activity points at the new entry."""
    key = "course:9"
    first = services.award_hours_bulk(
        awards=[
            {
                "teacher": world.teacher_a,
                "hours": "6",
                "category": "subject",
                "source": "training",
                "earned_on": date(2024, 5, 1),
                "activity_key": key,
            }
        ]
        * 2
    )
    assert [r["status"] for r in first] == ["created", "already_counted"]
    assert first[0]["id"] == first[1]["id"]
    entry = CreditEntry.objects.get(pk=first[0]["id"])
    assert entry.generation == 1
    services.reverse_entry(entry=entry, reason="wrong", by=None)
    again = services.award_hours_bulk(
        awards=[
            {
                "teacher": world.teacher_a.pk,
                "hours": hours,
                "category": "subject",
                "source": "training",
                "earned_on": date(2024, 5, 2),
                "activity_key": key,
            }
            for hours in ("8", "9")
        ]
    )
    assert [r["status"] for r in again] == ["created", "already_counted"]
    assert again[0]["id"] == again[1]["id"] != entry.pk
    recount = CreditEntry.objects.get(pk=again[0]["id"])
    assert recount.generation == 2 and recount.hours == Decimal("8")
    activity = CreditActivity.objects.get(teacher=world.teacher_a, key=key)
    assert activity.entry_id == recount.pk and activity.generation == 2
    assert services.teacher_summary(world.teacher_a).total == Decimal("8")
