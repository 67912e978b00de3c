from datetime import date
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from core.roles import Role
from credits import services
from credits.models import ClaimStatus, CreditClaim, CreditEntry, Source
from tests.factories import UserFactory, member

from .conftest import pdf_upload

pytestmark = pytest.mark.django_db


def submit(world, **kwargs):
    kwargs.setdefault("teacher", world.teacher_a)
    kwargs.setdefault("by", world.user("teacher_a"))
    kwargs.setdefault("title", "全国课标研讨会")
    kwargs.setdefault("category", "subject")
    kwargs.setdefault("hours", "12")
    kwargs.setdefault("earned_on", date(2025, 3, 1))
    kwargs.setdefault("files", [pdf_upload()])
    return services.submit_claim(**kwargs)


def test_teacher_claim_goes_school_then_district_then_ledger(world, policy):
    claim = submit(world)
    assert claim.status == ClaimStatus.SUBMITTED
    assert claim.evidence.count() == 1
    with pytest.raises(PermissionDenied):  # the district does not skip the school
        services.approve_claim(claim=claim, by=world.user("district_a"))
    claim = services.approve_claim(claim=claim, by=world.user("school_a"))
    assert claim.status == ClaimStatus.SCHOOL_APPROVED
    assert not CreditEntry.objects.exists()
    with pytest.raises(PermissionDenied):
        services.approve_claim(claim=claim, by=world.user("district_b"))
    claim = services.approve_claim(claim=claim, by=world.user("district_a"))
    assert claim.status == ClaimStatus.APPROVED
    entry = CreditEntry.objects.get()
    assert claim.entry == entry and entry.hours == Decimal("12")
    assert entry.activity_key == f"credits.claim:{claim.pk}"
    assert entry.org_name == world.district_a.name
    with pytest.raises(ValidationError):
        services.approve_claim(claim=claim, by=world.user("district_a"))
    assert CreditEntry.objects.count() == 1


def test_responsible_center_gives_final_approval(world, policy):
    claim = submit(world, responsible_center=world.center_a)
    services.approve_claim(claim=claim, by=world.user("school_a"))
    with pytest.raises(PermissionDenied):
        services.approve_claim(claim=claim, by=world.user("district_a"))
    claim = services.approve_claim(claim=claim, by=world.user("center_a"))
    assert claim.status == ClaimStatus.APPROVED


def test_school_admin_registers_school_based_training(world, policy):
    claim = submit(world, by=world.user("school_a"), files=[], source=Source.ONLINE)
    assert claim.source == Source.SCHOOL_BASED
    assert claim.status == ClaimStatus.SCHOOL_APPROVED
    assert claim.school_reviewed_by == world.user("school_a")


def test_reject_needs_a_reason_and_is_final(world, policy):
    claim = submit(world)
    with pytest.raises(ValidationError):
        services.reject_claim(claim=claim, by=world.user("school_a"), reason="")
    claim = services.reject_claim(claim=claim, by=world.user("school_a"), reason="证明不清晰")
    assert claim.status == ClaimStatus.REJECTED and claim.reject_reason == "证明不清晰"
    with pytest.raises(ValidationError):
        services.approve_claim(claim=claim, by=world.user("school_a"))


def test_only_the_teacher_or_their_school_submits(world, policy):
    with pytest.raises(PermissionDenied):
        submit(world, teacher=world.teacher_b)
    with pytest.raises(PermissionDenied):
        submit(world, by=world.user("district_a"))


@pytest.mark.parametrize(
    "upload",
    [
        lambda: pdf_upload("virus.exe"),
        lambda: pdf_upload("big.pdf", size=11 * 1024 * 1024),
        lambda: __import__("django.core.files.uploadedfile", fromlist=["x"]).SimpleUploadedFile(
            "fake.pdf", b"MZ\x90\x00 not a pdf"
        ),
    ],
)
def test_evidence_type_size_and_content_are_checked(world, policy, upload):
    with pytest.raises(ValidationError) as info:
        submit(world, files=[upload()])
    assert "files" in info.value.message_dict
    assert not CreditClaim.objects.exists()


def test_a_teacher_claim_needs_evidence(world, policy):
    with pytest.raises(ValidationError):
        submit(world, files=[])


def test_claim_pages(world, policy, login):
    teacher = login(world.user("teacher_a"))
    assert teacher.get("/credits/claims/new/").status_code == 200
    response = teacher.post(
        "/credits/claims/new/",
        {
            "title": "线上课程",
            "category": "it",
            "source": "online",
            "hours": "6",
            "earned_on": "2025-04-01",
            "description": "",
            "files": [pdf_upload()],
        },
    )
    claim = CreditClaim.objects.get()
    assert response.status_code == 302 and response["Location"] == claim.get_absolute_url()
    # A bad file keeps the form with a clear error and writes nothing more.
    response = teacher.post(
        "/credits/claims/new/",
        {
            "title": "x",
            "category": "it",
            "hours": "6",
            "earned_on": "2025-04-01",
            "files": [pdf_upload("a.exe")],
        },
    )
    assert response.status_code == 200 and CreditClaim.objects.count() == 1
    assert "PDF" in response.content.decode()
    school = login(world.user("school_a"))
    page = school.get(claim.get_absolute_url()).content.decode()
    assert 'id="approve-button"' in page
    assert school.post(f"/credits/claims/{claim.pk}/approve/").status_code == 302
    district = login(world.user("district_a"))
    assert district.post(f"/credits/claims/{claim.pk}/approve/").status_code == 302
    claim.refresh_from_db()
    assert claim.status == ClaimStatus.APPROVED
    # Out of scope: 404; evidence downloads within scope only.
    assert login(world.user("district_b")).get(claim.get_absolute_url()).status_code == 404
    evidence = claim.evidence.get()
    url = f"/credits/claims/{claim.pk}/evidence/{evidence.pk}/"
    assert teacher.get(url).status_code == 200
    assert login(world.user("district_b")).get(url).status_code == 404


def test_reject_page_needs_reason(world, policy, login):
    claim = submit(world)
    school = login(world.user("school_a"))
    school.post(f"/credits/claims/{claim.pk}/reject/", {"reason": ""})
    claim.refresh_from_db()
    assert claim.status == ClaimStatus.SUBMITTED
    school.post(f"/credits/claims/{claim.pk}/reject/", {"reason": "材料不全"})
    claim.refresh_from_db()
    assert claim.status == ClaimStatus.REJECTED


def test_school_admin_of_another_school_cannot_approve(world, policy):
    claim = submit(world)
    other = UserFactory()
    member(other, Role.SCHOOL_ADMIN, world.school_a2)
    with pytest.raises(PermissionDenied):
        services.approve_claim(claim=claim, by=other)
