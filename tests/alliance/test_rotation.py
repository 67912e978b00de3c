"""The chair rotation hands the secretariat over on the date by itself."""

from datetime import date, timedelta

import pytest
from django.core.cache import cache
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone

from alliance import services, tasks
from alliance.models import ChairTerm
from core.models import AuditAction, AuditEntry, Membership
from core.permissions import can, forget_scope
from core.roles import Role

from .conftest import TERM_1, TERM_2

pytestmark = pytest.mark.django_db


def secretariat_users(day, center=None):
    qs = Membership.objects.active(day).filter(role=Role.SECRETARIAT)
    if center is not None:
        qs = qs.filter(organisation_id=center.pk)
    return set(qs.values_list("user_id", flat=True))


def test_term_on_and_next(alliance, world):
    assert services.term_on(date(2026, 10, 31)).center == world.center_a
    assert services.term_on(date(2026, 11, 1)).center == world.center_b
    assert services.next_term(date(2026, 10, 31)) == alliance.term_2
    assert services.term_on(date(2030, 1, 1)) is None


def test_rights_move_to_the_new_chair_on_the_date(alliance, world):
    a_staff = {world.user("center_a").pk, alliance.staff_a2.pk}
    services.sync_secretariat(TERM_1[0])
    assert secretariat_users(TERM_1[0]) == a_staff

    # The last day of term 1: nothing moves yet.
    services.sync_secretariat(TERM_1[1])
    assert secretariat_users(TERM_1[1]) == a_staff

    result = services.sync_secretariat(TERM_2[0])
    assert set(result.ended) == a_staff
    assert result.granted == [world.user("center_b").pk]
    assert secretariat_users(TERM_2[0]) == {world.user("center_b").pk}
    assert secretariat_users(TERM_2[0], world.center_b) == {world.user("center_b").pk}
    # The old chair's rights end on the last day of their term, not before.
    assert secretariat_users(TERM_1[1]) == a_staff
    ended = Membership.objects.filter(role=Role.SECRETARIAT, user=world.user("center_a")).get()
    assert ended.ends_on == TERM_1[1]


def test_the_rights_are_the_secretariat_rights(alliance, world):
    services.sync_secretariat(TERM_2[0])
    b_user, a_user = world.user("center_b"), world.user("center_a")
    forget_scope(b_user)
    forget_scope(a_user)
    # Membership.active() reads the real today; the term-2 rights hold from
    # 2026-11-01 on, which the suite's clock is past.
    if date.today() >= TERM_2[0]:
        assert can(b_user, "add", "alliance.workdocument")
        assert not can(a_user, "add", "alliance.workdocument")


def test_sync_is_idempotent(alliance, world):
    services.sync_secretariat(TERM_2[0])
    count = Membership.objects.count()
    audits = AuditEntry.objects.filter(action=AuditAction.HANDOVER).count()
    again = services.sync_secretariat(TERM_2[0])
    later = services.sync_secretariat(TERM_2[0] + timedelta(days=30))
    assert not again.changed and not later.changed
    assert Membership.objects.count() == count
    assert AuditEntry.objects.filter(action=AuditAction.HANDOVER).count() == audits


def test_handover_is_audited(alliance, world):
    services.sync_secretariat(TERM_1[0])
    services.sync_secretariat(TERM_2[0])
    entry = AuditEntry.objects.filter(action=AuditAction.HANDOVER).first()
    assert entry.object_type == "alliance.chairterm"
    assert entry.object_id == str(alliance.term_2.pk)
    assert entry.changes["granted"] == [world.user("center_b").pk]
    assert set(entry.changes["ended"]) == {world.user("center_a").pk, alliance.staff_a2.pk}
    alliance.term_2.refresh_from_db()
    assert alliance.term_2.handed_over_at is not None


def test_staff_who_leave_the_chair_center_lose_the_rights(alliance, world):
    services.sync_secretariat(TERM_1[0])
    staff = Membership.objects.get(user=alliance.staff_a2, role=Role.CENTER_STAFF)
    staff.ends_on = date(2026, 3, 31)
    staff.save()
    services.sync_secretariat(date(2026, 4, 1))
    assert secretariat_users(date(2026, 4, 1)) == {world.user("center_a").pk}


def test_a_gap_in_the_schedule_leaves_the_rights_alone(alliance, world):
    services.sync_secretariat(TERM_2[0])
    result = services.sync_secretariat(date(2028, 1, 1))
    assert result.term is None and not result.changed
    assert secretariat_users(date(2028, 1, 1)) == {world.user("center_b").pk}


def test_the_periodic_task_hands_over(alliance, world):
    services.sync_secretariat(TERM_1[0])
    out = tasks.sync_secretariat.delay(TERM_2[0].isoformat()).get()
    assert out["chair"] == world.center_b.pk
    assert out["granted"] == [world.user("center_b").pk]
    assert secretariat_users(TERM_2[0]) == {world.user("center_b").pk}


def test_periodic_task_is_scheduled(settings):
    tasks_scheduled = {e["task"] for e in settings.CELERY_BEAT_SCHEDULE.values()}
    assert "alliance.tasks.sync_secretariat" in tasks_scheduled


def test_first_sign_in_of_the_day_syncs_once(alliance, world, django_assert_num_queries):
    cache.clear()
    assert services.ensure_secretariat_synced(TERM_2[0]) is True
    assert secretariat_users(TERM_2[0]) == {world.user("center_b").pk}
    with django_assert_num_queries(0):
        assert services.ensure_secretariat_synced(TERM_2[0]) is False


def test_sign_in_triggers_the_handover(alliance, world, client):
    from django.urls import reverse

    from tests.factories import PASSWORD

    today = date.today()
    if not TERM_2[0] <= today <= TERM_2[1]:
        pytest.skip("the fixture's terms do not cover the real today")
    cache.clear()
    response = client.post(reverse("login"), {"username": "center_b", "password": PASSWORD})
    assert response.status_code == 302
    assert secretariat_users(today) == {world.user("center_b").pk}


def test_terms_last_one_year_and_never_overlap(alliance, world):
    bad = ChairTerm(
        sequence=9, center=world.center_a, starts_on=date(2027, 1, 1), ends_on=date(2027, 6, 30)
    )
    with pytest.raises(ValidationError) as err:
        services.check_term(bad)
    assert "ends_on" in err.value.message_dict
    overlapping = ChairTerm(
        sequence=9, center=world.center_a, starts_on=date(2027, 5, 1), ends_on=date(2028, 4, 30)
    )
    with pytest.raises(ValidationError) as err:
        services.check_term(overlapping)
    assert "starts_on" in err.value.message_dict


def test_overlapping_terms_refused_by_the_database(alliance, world):
    with pytest.raises(IntegrityError), transaction.atomic():
        ChairTerm.objects.create(
            sequence=9, center=world.center_a, starts_on=date(2027, 5, 1), ends_on=date(2028, 4, 30)
        )


def test_extend_rotation_follows_the_order(alliance, world):
    (term,) = services.extend_rotation(years=1)
    assert term.sequence == 3
    assert term.center == alliance.members[2].center
    assert term.starts_on == date(2027, 11, 1) and term.ends_on == date(2028, 10, 31)


def test_secretary_general_is_staff_of_the_chair(alliance, world):
    alliance.term_2.secretary_general = world.user("center_a")
    with pytest.raises(ValidationError) as err:
        services.check_term(alliance.term_2)
    assert "secretary_general" in err.value.message_dict
    alliance.term_2.secretary_general = world.user("center_b")
    services.check_term(alliance.term_2)


def test_a_late_sync_ends_the_old_rights_with_the_old_term(alliance, world):
    services.sync_secretariat(TERM_1[0])
    services.sync_secretariat(TERM_2[0] + timedelta(days=5))
    ended = Membership.objects.get(role=Role.SECRETARIAT, user=world.user("center_a"))
    assert ended.ends_on == TERM_1[1]


def secretariat_memberships():
    return Membership.objects.filter(role=Role.SECRETARIAT)


def test_reading_pages_and_api_never_hands_over(world, alliance, login):
    """No writes on GET: only the periodic task and sign-in hand over."""
    today = timezone.localdate()
    if services.term_on(today) is None:
        pytest.skip("the fixture's terms do not cover the real today")
    cache.set(services.SYNC_CACHE_KEY.format(day=today.isoformat()), True)
    client = login(world.user("bureau"))  # signed in with today's sync marked done
    cache.clear()  # as on a new day: the first read used to hand over
    assert client.get(reverse("alliance:council")).status_code == 200
    assert client.get(reverse("api:alliance-term-list")).status_code == 200
    assert client.get(reverse("home")).status_code == 200
    assert not secretariat_memberships().exists()
    # The periodic task does it.
    tasks.sync_secretariat.delay().get()
    assert secretariat_memberships().filter(organisation_id=services.term_on(today).center_id)


def test_handover_entry_names_the_people_not_their_ids(alliance, world, login):
    from core.models import User

    User.objects.filter(pk=world.user("center_b").pk).update(name="乙中心李老师")
    User.objects.filter(pk=alliance.staff_a2.pk).update(name="甲中心张老师")
    services.sync_secretariat(TERM_1[0])
    services.sync_secretariat(TERM_2[0])
    entry = AuditEntry.objects.filter(action=AuditAction.HANDOVER).first()
    lines = dict(entry.change_lines())
    assert "乙中心李老师（中心工作人员、联盟秘书处）" in lines["授予的账户"]
    assert "甲中心张老师（中心工作人员）" in lines["停用的账户"]
    page = login(world.user("bureau")).get("/audit/", {"action": "handover"}).content.decode()
    assert "乙中心李老师（中心工作人员、联盟秘书处）" in page
    assert f"[{world.user('center_b').pk}]" not in page
