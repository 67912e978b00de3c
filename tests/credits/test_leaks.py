"""Leaks found in review (issue 8): each list on a page goes through the
viewer's own scope, not only through the object the page is about."""

import pytest
from django.urls import reverse

from core.permissions import can
from core.roles import Role
from credits import services
from credits.models import CreditClaim, Transcript
from tests.factories import UserFactory, member

from .test_claims import submit

pytestmark = pytest.mark.django_db


@pytest.fixture
def district_center_staff(world):
    user = UserFactory(username="district_center")
    member(user, Role.CENTER_STAFF, world.district_center_a)
    return user


def test_teacher_page_hides_claims_and_transcripts_outside_the_viewers_scope(
    world, policy, client, award, district_center_staff
):
    award(world.teacher_a, "10")
    claim = submit(world, title="只给市中心看的申报", responsible_center=world.center_a)
    transcript = services.issue_transcript(teacher=world.teacher_a, by=world.user("teacher_a"))
    viewer = district_center_staff
    # The district center follows its district's teachers' credits ...
    assert can(viewer, "view_credits", world.teacher_a)
    # ... but the claim is another center's to review, and transcripts are not theirs.
    assert not CreditClaim.objects.restrict(viewer).filter(pk=claim.pk).exists()
    assert not Transcript.objects.restrict(viewer).filter(pk=transcript.pk).exists()

    client.force_login(viewer)
    page = client.get(reverse("credits:teacher", args=[world.teacher_a.pk]))
    assert page.status_code == 200
    body = page.content.decode()
    assert "只给市中心看的申报" not in body
    assert transcript.code not in body
    assert client.get(reverse("credits:claim-detail", args=[claim.pk])).status_code == 404

    # The teacher still sees both on their own page.
    client.force_login(world.user("teacher_a"))
    body = client.get(reverse("credits:mine")).content.decode()
    assert "只给市中心看的申报" in body and transcript.code in body
