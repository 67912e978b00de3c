from datetime import date
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.db import DatabaseError, IntegrityError, connection, transaction

from core.roles import Role
from credits import services
from credits.models import CreditActivity, CreditEntry, Reminder, Source
from tests.factories import SchoolFactory, TeacherFactory, UserFactory, member

pytestmark = pytest.mark.django_db


def total(teacher):
    return sum((e.hours for e in CreditEntry.objects.filter(teacher=teacher)), Decimal(0))


def test_award_posts_a_decimal_entry(world, award):
    result = award(world.teacher_a, "12.5", title="市级培训")
    assert result.created
    entry = CreditEntry.objects.get()
    assert entry.hours == Decimal("12.5") and isinstance(entry.hours, Decimal)
    assert entry.district == world.district_a
    assert services.teacher_summary(world.teacher_a).total == Decimal("12.5")


@pytest.mark.parametrize("bad", ["0", "-3", "1.25", "abc", "1e9", True])
def test_award_refuses_bad_hours(world, award, bad):
    with pytest.raises(ValidationError):
        award(world.teacher_a, bad)
    assert not CreditEntry.objects.exists()


def test_floats_are_read_through_their_text(world, award):
    award(world.teacher_a, 0.1)
    award(world.teacher_a, 0.2, category="ethics")
    assert services.teacher_summary(world.teacher_a).total == Decimal("0.3")


def test_future_dates_are_refused(world, award):
    with pytest.raises(ValidationError):
        award(world.teacher_a, 3, earned_on=date(2099, 1, 1))


def test_an_activity_counts_once_whichever_source_reports_it(world, award):
    first = award(world.teacher_a, 24, activity_key="training.subproject:7")
    again = award(world.teacher_a, 30, activity_key="training.subproject:7", source=Source.EXTERNAL)
    assert first.created and not again.created
    assert again.entry == first.entry
    assert CreditEntry.objects.count() == 1
    # Another teacher may earn it too.
    assert award(world.teacher_b, 24, activity_key="training.subproject:7").created


def test_after_a_reversal_the_activity_may_count_again(world, award):
    first = award(world.teacher_a, 24, activity_key="studio.cycle:3")
    reversal = services.reverse_entry(entry=first.entry, reason="wrong hours", by=None)
    assert reversal.hours == Decimal("-24") and reversal.reverses == first.entry
    assert services.teacher_summary(world.teacher_a).total == 0
    second = award(world.teacher_a, 20, activity_key="studio.cycle:3")
    assert second.created and second.entry.generation == 2
    assert services.teacher_summary(world.teacher_a).total == Decimal("20")
    assert CreditActivity.objects.get().entry == second.entry


def test_a_second_reversal_is_refused(world, award):
    entry = award(world.teacher_a, 10).entry
    services.reverse_entry(entry=entry, reason="duplicate", by=None)
    with pytest.raises(ValidationError):
        services.reverse_entry(entry=entry, reason="again", by=None)
    # The database itself refuses it as well (``reverses`` is unique).
    with pytest.raises(IntegrityError), transaction.atomic():
        CreditEntry.objects.create(
            teacher=entry.teacher,
            district=entry.district,
            source=entry.source,
            category=entry.category,
            hours=-entry.hours,
            earned_on=entry.earned_on,
            reverses=entry,
            org_kind="portal",
        )
    assert total(world.teacher_a) == 0


def test_a_reversal_is_not_reversed(world, award):
    entry = award(world.teacher_a, 10).entry
    reversal = services.reverse_entry(entry=entry, reason="duplicate", by=None)
    with pytest.raises(ValidationError):
        services.reverse_entry(entry=reversal, reason="undo", by=None)


def test_reversal_needs_a_reason(world, award):
    entry = award(world.teacher_a, 10).entry
    with pytest.raises(ValidationError):
        services.reverse_entry(entry=entry, reason="  ", by=None)


def test_the_model_and_queryset_refuse_changes(world, award):
    entry = award(world.teacher_a, 10).entry
    entry.hours = Decimal("99")
    with pytest.raises(TypeError):
        entry.save()
    with pytest.raises(TypeError):
        entry.delete()
    with pytest.raises(TypeError):
        CreditEntry.objects.filter(pk=entry.pk).update(hours=1)
    with pytest.raises(TypeError):
        CreditEntry.objects.all().delete()


def test_the_database_refuses_updates(world, award):
    entry = award(world.teacher_a, 10).entry
    table = CreditEntry._meta.db_table
    with pytest.raises(DatabaseError), transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(f"UPDATE {table} SET hours = 99 WHERE id = %s", [entry.pk])
    assert CreditEntry.objects.get().hours == Decimal("10")


def test_summary_by_category_against_minimums(world, award, django_assert_max_num_queries):
    award(world.teacher_a, 30, category="ethics")
    award(world.teacher_a, 100)
    award(world.teacher_a, 50, earned_on=date(2021, 6, 1))  # before the cycle
    with django_assert_max_num_queries(4):
        summary = services.teacher_summary(world.teacher_a)
    assert summary.total == Decimal("130")
    assert summary.required == Decimal("360")
    lines = {line.category: line for line in summary.by_category}
    assert lines["ethics"].minimum == Decimal("36") and not lines["ethics"].met
    assert lines["subject"].minimum is None and lines["subject"].met
    assert not summary.complete
    assert summary.percent == 36


def test_summary_counts_pending_claims(world, award):
    from credits.models import CreditClaim

    CreditClaim.objects.create(
        teacher=world.teacher_a,
        school=world.school_a,
        district=world.district_a,
        title="线上课程",
        category="it",
        hours=Decimal("8"),
        earned_on=date(2024, 1, 1),
        submitted_by=world.user("teacher_a"),
    )
    summary = services.teacher_summary(world.teacher_a)
    assert summary.pending_count == 1 and summary.pending_hours == Decimal("8")


def test_district_policy_overrides_the_city(world, policy, award):
    from credits.models import CreditPolicy

    CreditPolicy.objects.create(
        name="海珠区",
        district=world.district_b,
        cycle_start=date(2022, 1, 1),
        cycle_end=date(2026, 12, 31),
        total_hours=Decimal("300"),
    )
    award(world.teacher_b, 300)
    award(world.teacher_a, 300)
    assert services.teacher_summary(world.teacher_b).required == Decimal("300")
    assert services.teacher_summary(world.teacher_b).complete
    assert not services.teacher_summary(world.teacher_a).complete
    rows = {r.key: r for r in services.completion(by="district")}
    assert rows[world.district_b.pk].complete == 1
    assert rows[world.district_a.pk].complete == 0


def test_completion_and_at_risk_per_school(world, award):
    done = TeacherFactory(school=world.school_a)
    award(done, 360, category="ethics")
    behind = world.teacher_a
    award(behind, 100)
    TeacherFactory(school=world.school_a2)  # nothing at all
    rows = {r.key: r for r in services.completion(by="school", district_ids=[world.district_a.pk])}
    a = rows[world.school_a.pk]
    assert (a.teachers, a.complete, a.at_risk) == (2, 1, 1)
    assert a.rate == 0.5
    assert a.hours == Decimal("460")
    assert rows[world.school_a2.pk].at_risk == 1
    assert world.school_b.pk not in rows
    from centers.models import Teacher

    risky = set(services.at_risk(Teacher.objects.all()).values_list("pk", flat=True))
    assert behind.pk in risky and done.pk not in risky


def test_projection_uses_pace(world, award):
    award(world.teacher_a, 200, earned_on=date(2023, 1, 1))
    award(world.teacher_a, 36, category="ethics", earned_on=date(2023, 1, 1))
    early = services.teacher_summary(world.teacher_a, on=date(2023, 6, 30))
    late = services.teacher_summary(world.teacher_a, on=date(2026, 12, 1))
    assert not early.at_risk and early.projected > 360
    assert late.at_risk and late.projected < 360


def test_reminders_once_per_month_for_teachers_and_school_admins(world, award):
    award(world.teacher_a, 10)
    first = services.remind_at_risk()
    again = services.remind_at_risk()
    assert first["reminders"] == 2 and again["reminders"] == 0
    kinds = dict(Reminder.objects.values_list("user__username", "kind"))
    assert kinds == {"teacher_a": "teacher_at_risk", "school_a": "school_at_risk"}
    from django.utils import translation

    teacher = Reminder.objects.get(kind="teacher_at_risk")
    with translation.override("zh-hans"):
        assert "10 " in teacher.text and "360 " in teacher.text and "学时" in teacher.text
    with translation.override("en"):
        assert teacher.text.startswith("You have 10 of 360 hours")
        assert Reminder.objects.get(kind="school_at_risk").text.startswith("1 teachers")


def test_reminder_shows_on_home_page_and_can_be_dismissed(world, award, login):
    award(world.teacher_a, 10)
    services.remind_at_risk()
    client = login(world.user("teacher_a"))
    page = client.get("/").content.decode()
    assert 'data-panel="credits-reminders"' in page
    assert 'data-panel="credits-mine"' in page
    reminder = Reminder.objects.get(user=world.user("teacher_a"))
    other = login(world.user("school_a"))
    assert other.post(f"/credits/reminders/{reminder.pk}/dismiss/").status_code == 404
    assert client.post(f"/credits/reminders/{reminder.pk}/dismiss/").status_code == 302
    assert 'data-panel="credits-reminders"' not in client.get("/").content.decode()


def test_reminder_task_is_scheduled():
    from django.conf import settings

    tasks = {entry["task"] for entry in settings.CELERY_BEAT_SCHEDULE.values()}
    assert "credits.tasks.remind_at_risk_teachers" in tasks


def test_staff_panel_shows_completion(world, award, login):
    award(world.teacher_a, 360, category="ethics")
    page = login(world.user("district_a")).get("/").content.decode()
    assert 'data-panel="credits-completion"' in page
    page = login(world.user("bureau")).get("/").content.decode()
    assert 'data-panel="credits-completion"' in page


def test_org_for_names_the_registering_organisation(world):
    assert services.org_for(world.user("district_a")) == ("district", world.district_a.name)
    assert services.org_for(world.user("school_a")) == ("school", world.school_a.name)
    user = UserFactory()
    member(user, Role.SCHOOL_ADMIN, SchoolFactory(district=world.district_a))
    assert services.org_for(user)[0] == "school"


def test_bulk_award_counts_each_activity_once(world, policy, award, django_assert_max_num_queries):
    others = [TeacherFactory(school=world.school_a) for _ in range(3)]
    award(others[0], 10, activity_key="training.subproject:77")
    awards = [
        {
            "teacher": t,
            "hours": "12",
            "category": "subject",
            "source": "training",
            "earned_on": date(2025, 6, 30),
            "activity_key": "training.subproject:77",
            "title": "送教下乡",
        }
        for t in [*others, others[1]]
    ]
    with django_assert_max_num_queries(12):
        results = services.award_hours_bulk(awards=awards)
    assert [r["status"] for r in results] == [
        "already_counted",
        "created",
        "created",
        "already_counted",
    ]
    assert results[3]["id"] == results[1]["id"]
    assert services.teacher_summary(others[1]).total == Decimal("12")
    assert services.teacher_summary(others[0]).total == Decimal("10")
    bad = dict(awards[0], hours="0")
    with pytest.raises(services.BatchRejected) as info:
        services.award_hours_bulk(awards=[awards[2], bad])
    assert info.value.errors[0]["index"] == 1


def test_balances_follow_the_ledger_and_policy_changes(world, policy, award):
    from credits.models import CreditBalance, CreditPolicy

    award(world.teacher_a, 100, earned_on=date(2022, 3, 1))
    entry = award(world.teacher_a, 50, earned_on=date(2025, 3, 1)).entry
    services.reverse_entry(entry=entry, reason="wrong", by=None)
    award(world.teacher_a, 7, earned_on=date(2021, 12, 31))  # outside the cycle
    balance = CreditBalance.objects.get(policy=policy, teacher=world.teacher_a)
    assert balance.hours == Decimal("100")
    # A district policy created later is built from the ledger at once.
    override = CreditPolicy.objects.create(
        name="天河区 2021—2025",
        district=world.district_a,
        cycle_start=date(2021, 1, 1),
        cycle_end=date(2025, 12, 31),
        total_hours=Decimal("100"),
    )
    assert CreditBalance.objects.get(policy=override, teacher=world.teacher_a).hours == Decimal(
        "107"
    )
    rows = {r.key: r for r in services.completion(by="school", on=date(2025, 6, 1))}
    assert rows[world.school_a.pk].complete == 1
    # Moving the cycle rebuilds; renaming does not need to.
    override.cycle_start = date(2022, 1, 1)
    override.save()
    assert CreditBalance.objects.get(policy=override, teacher=world.teacher_a).hours == Decimal(
        "100"
    )
    assert services.rebuild_balances(override) == 1


def test_award_reads_iso_dates_and_refuses_long_keys(world, award):
    assert award(world.teacher_a, 2, earned_on="2024-02-02").entry.earned_on == date(2024, 2, 2)
    with pytest.raises(ValidationError):
        award(world.teacher_a, 2, earned_on="2024-02-30")
    with pytest.raises(ValidationError):
        award(world.teacher_a, 2, activity_key="x" * 101)
