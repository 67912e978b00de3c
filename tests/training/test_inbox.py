"""Training's to-do items and notifications: enrolments wait in the
district's inbox, sessions past their end in the vendor's, and a seat freed
from the waitlist reaches the teacher's portal notifications."""

import datetime

import pytest
from django.utils import timezone, translation

from core import notifications
from core.inbox import inbox
from training import services

from .conftest import add_session, teacher_user

pytestmark = pytest.mark.django_db


def keys(user):
    return {g.source.key: g for g in inbox(user)}


def test_enrolments_wait_for_their_district(world, sub):
    teacher, user = teacher_user(world.school_a)
    enrollment = services.apply(subproject=sub, teacher=teacher, by=user)
    assert keys(world.user("district_a"))["training-enrolments"].count == 1
    assert "training-enrolments" not in keys(world.user("district_b"))
    services.decide(enrollment=enrollment, by=world.user("district_a"), approve=True)
    assert "training-enrolments" not in keys(world.user("district_a"))
    with translation.override("zh-hans"):
        texts = [n.text for n in notifications.mine(user)]
    assert texts and sub.name in texts[0]


def test_sessions_past_their_end_wait_for_sign_off(world, sub):
    start = timezone.now() - datetime.timedelta(hours=3)
    session = add_session(sub, world.user("vendor"), start=start)
    assert keys(world.user("vendor"))["training-sign-off"].count == 1
    services.sign_off(session=session, by=world.user("vendor"))
    assert "training-sign-off" not in keys(world.user("vendor"))


def test_promotion_from_the_waitlist_is_notified(world, sub, enrol):
    first = [enrol(sub) for _ in range(3)]
    waiting = enrol(sub)
    services.withdraw(enrollment=first[0], by=first[0].teacher.user)
    verbs = [n.verb for n in notifications.mine(waiting.teacher.user)]
    assert "training.promoted" in verbs
