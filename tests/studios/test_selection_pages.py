"""A selection round on its pages: a teacher applies with a document, the
managing center reviews, the bureau selects and publishes; the one selected
becomes a member with the studio role."""

from datetime import timedelta

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone

from core.models import Membership
from core.roles import Role
from studios.models import Application, ApplicationStatus, PersonRole, SelectionRound, StudioPerson
from tests.factories import TeacherFactory, UserFactory, member

pytestmark = pytest.mark.django_db


def test_round_from_application_to_published_list(world, studios, login):
    round = SelectionRound.objects.create(
        studio=studios.a,
        role=PersonRole.MEMBER,
        title="2026年成员遴选",
        year=2026,
        closes_on=timezone.localdate() + timedelta(days=7),
        places=1,
    )
    user = UserFactory(username="applicant")
    teacher = TeacherFactory(school=world.school_a, name="申请人", user=user)
    member(user, Role.TEACHER, teacher)
    applicant = login(user)
    assert applicant.get(reverse("studios:round-list")).status_code == 200
    pdf = SimpleUploadedFile("简历.pdf", b"%PDF-1.4 cv", content_type="application/pdf")
    response = applicant.post(
        reverse("studios:apply", args=[round.pk]),
        {"statement": "申请加入", "document": pdf, "document_name": "个人简历"},
    )
    assert response.status_code == 302
    application = Application.objects.get(round=round)
    assert application.teacher == teacher and application.documents.count() == 1
    # Another teacher's application is not theirs to see.
    other = TeacherFactory(school=world.school_a)
    Application.objects.create(round=round, teacher=other)
    html = applicant.get(reverse("studios:round-detail", args=[round.pk])).content.decode()
    assert "申请人" in html and other.name not in html

    center = login(world.user("center_a"))
    center.post(reverse("studios:round-step", args=[round.pk, "close"]))
    step = reverse("studios:application-step", args=[application.pk, "review"])
    center.post(step, {"answer": "yes", "note": "材料齐全"})
    other_app = Application.objects.get(teacher=other)
    center.post(
        reverse("studios:application-step", args=[other_app.pk, "review"]),
        {"answer": "no", "note": "不符合条件"},
    )
    # Center B may not review studio A's applications.
    response = login(world.user("center_b")).post(step, {"answer": "no", "note": "x"})
    assert response.status_code == 404

    bureau = login(world.user("bureau"))
    decide = reverse("studios:application-step", args=[application.pk, "decide"])
    bureau.post(decide, {"answer": "yes"})
    bureau.post(
        reverse("studios:application-step", args=[other_app.pk, "decide"]), {"answer": "no"}
    )
    bureau.post(reverse("studios:round-step", args=[round.pk, "publish"]))
    round.refresh_from_db()
    application.refresh_from_db()
    assert round.status == "published" and application.status == ApplicationStatus.APPROVED
    assert StudioPerson.objects.filter(studio=studios.a, teacher=teacher).exists()
    assert Membership.objects.filter(
        user=user, role=Role.STUDIO_MEMBER, organisation_id=studios.a.pk
    ).exists()
    # The center cannot decide: that is the bureau's.
    assert not can_decide_as(world, login, "center_a", other_app)


def can_decide_as(world, login, actor, application):
    before = Application.objects.get(pk=application.pk).status
    login(world.user(actor)).post(
        reverse("studios:application-step", args=[application.pk, "decide"]), {"answer": "yes"}
    )
    return Application.objects.get(pk=application.pk).status != before
