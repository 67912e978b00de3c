"""One Chinese per message: Django merges the catalogues of all apps and the
first one holding a (msgctxt, msgid) wins, so a message two apps translate
differently shows one app's Chinese on the other app's pages (training's
rejected enrolments read 已退回, the credits word for a returned claim).
CONTRIBUTING.md ("Translations") has the rule."""

import datetime
from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import timezone

from core.translations import catalogue_paths, collisions, shadowed
from credits.models import CreditPolicy, Source
from credits.services import award_hours
from tests.training.factories import SubProjectFactory
from training import services
from training.models import EnrollmentStatus, SubProjectStatus


def test_the_project_catalogues_are_all_read():
    names = [name for name, _ in catalogue_paths()]
    assert names[0] == "locale"  # LOCALE_PATHS come first in Django's order
    assert {"core", "centers", "credits", "training", "studios", "evaluation"} <= set(names)


def test_no_message_has_two_translations():
    found = collisions()
    lines = [
        f"{context + ' | ' if context else ''}{msgid}: "
        + ", ".join(f"{t.catalogue}={t.msgstr}" for t in translations)
        for (context, msgid), translations in sorted(found.items(), key=lambda kv: kv[0][1])
    ]
    assert not lines, (
        "Messages translated differently in two catalogues (the first app wins everywhere): "
        "make them identical, or give the app whose meaning differs a context "
        "(pgettext_lazy / {% translate ... context ... %}):\n" + "\n".join(lines)
    )


def test_no_installed_package_shadows_the_projects_word():
    """Django admin, DRF and django-filter come before the project's apps in
    INSTALLED_APPS, so their catalogues win: "History" read 历史 on a
    teacher's credits page and a training session 会话. The project's word for
    a generic message goes into the root locale/ (LOCALE_PATHS win over all);
    a domain word gets a context."""
    found = shadowed()
    assert not found, "\n".join(
        f"{context + ' | ' if context else ''}{msgid}: project {mine}, shown {shown}"
        for (context, msgid), (mine, shown) in sorted(found.items(), key=lambda kv: kv[0][1])
    )


@pytest.mark.django_db
def test_a_rejected_enrolment_reads_as_not_approved_on_the_teachers_page(client, world):
    today = timezone.localdate()
    CreditPolicy.objects.create(
        name="广州市 周期",
        cycle_start=datetime.date(today.year - 2, 1, 1),
        cycle_end=datetime.date(today.year + 2, 12, 31),
        total_hours=Decimal("360"),
    )
    sub = SubProjectFactory(
        center=world.center_a, vendor=world.vendor, status=SubProjectStatus.APPROVED, capacity=3
    )
    teacher = world.user("teacher_a")
    enrollment = services.apply(subproject=sub, teacher=world.teacher_a, by=teacher)
    services.decide(
        enrollment=enrollment, by=world.user("district_a"), approve=False, reason="名额已满"
    )
    enrollment.refresh_from_db()
    assert enrollment.status == EnrollmentStatus.REJECTED
    client.force_login(teacher)

    html = client.get(reverse("training:mine")).content.decode()

    assert 'data-status="rejected">未通过</span>' in html
    assert "已退回" not in html  # the credits word for a claim sent back


@pytest.mark.django_db
def test_a_teachers_credit_history_keeps_the_credits_words(client, world):
    """Credits' "Activity" (学习项目) lost to alliance's 活动 and its "History"
    (学时记录) to Django admin's 历史."""
    today = timezone.localdate()
    CreditPolicy.objects.create(
        name="广州市 周期",
        cycle_start=datetime.date(today.year - 2, 1, 1),
        cycle_end=datetime.date(today.year + 2, 12, 31),
        total_hours=Decimal("360"),
    )
    award_hours(
        teacher=world.teacher_a,
        hours=Decimal("6"),
        category="subject",
        source=Source.TRAINING,
        earned_on=today,
        title="名师讲座",
    )
    client.force_login(world.user("teacher_a"))

    html = client.get(reverse("credits:mine")).content.decode()

    assert '<h2 class="h5">学时记录</h2>' in html and "<th>学习项目</th>" in html
    assert ">历史<" not in html
