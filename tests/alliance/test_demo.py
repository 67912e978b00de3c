"""The alliance demo: the rotation exercises a handover, the demo account
``secretariat`` holds the secretariat at the current chair, and loading twice
changes nothing."""

from datetime import date

import pytest

from alliance import demo
from alliance.models import (
    Achievement,
    AssistanceActivity,
    AssistancePair,
    Booking,
    CenterPlan,
    ChairTerm,
    CouncilMember,
    DigitalResource,
    FacultyEngagement,
    FollowUp,
    GuidanceVisit,
    JointProject,
    Meeting,
    Proposal,
    Resolution,
    TeacherDevelopmentSchool,
    WorkDocument,
)
from centers import demo as centers_demo
from core.models import Membership
from core.roles import Role

pytestmark = pytest.mark.django_db


def counts():
    models = [
        CouncilMember,
        ChairTerm,
        WorkDocument,
        Meeting,
        Resolution,
        FollowUp,
        JointProject,
        AssistancePair,
        AssistanceActivity,
        Proposal,
        GuidanceVisit,
        TeacherDevelopmentSchool,
        CenterPlan,
        FacultyEngagement,
        Achievement,
        Booking,
        DigitalResource,
        Membership,
    ]
    return {m.__name__: m.objects.count() for m in models}


def test_demo_rotation_and_handover():
    centers_demo.load()
    demo.load()
    first = counts()
    assert first["CouncilMember"] == 6
    terms = list(ChairTerm.objects.select_related("center"))
    assert terms[0].center.code == "primary-secondary"
    assert (terms[0].starts_on, terms[0].ends_on) == (date(2025, 11, 1), date(2026, 10, 31))
    assert terms[1].center.code == "vocational" and terms[1].starts_on == date(2026, 11, 1)
    assert first["Achievement"] == 6 * 3 * 6
    assert first["Proposal"] == 3  # one each: answered, submitted, draft
    assert first["GuidanceVisit"] == 2
    assert first["CenterPlan"] == 3  # a five-year plan and two annual ones
    assert first["FacultyEngagement"] == 1
    if date.today() >= date(2026, 11, 1):
        secretariat = Membership.objects.active().filter(
            role=Role.SECRETARIAT, user__username="secretariat"
        )
        assert list(secretariat.values_list("organisation_id", flat=True)) == [terms[1].center_id]
        assert not (
            Membership.objects.active()
            .filter(role=Role.SECRETARIAT, organisation_id=terms[0].center_id)
            .exists()
        )
        assert WorkDocument.objects.count() == 2
    demo.load()
    assert counts() == first


def test_demo_holds_resolutions_with_follow_up():
    centers_demo.load()
    demo.load()
    demo.load()
    assert Resolution.objects.count() == 2
    statuses = set(FollowUp.objects.values_list("status", flat=True))
    assert statuses == {"done", "in_progress", "open"}
    done = FollowUp.objects.get(status="done")
    assert done.report and done.done_on


def test_demo_holds_joint_projects():
    centers_demo.load()
    demo.load()
    demo.load()
    assert JointProject.objects.count() == 2
    ongoing = JointProject.objects.get(status="ongoing")
    assert ongoing.resolution is not None and ongoing.partner_centers.count() == 3


def test_demo_holds_paired_assistance():
    centers_demo.load()
    demo.load()
    demo.load()
    assert AssistancePair.objects.count() == 2
    assert AssistanceActivity.objects.count() == 5
    assert all(p.assisted_center.kind == "district" for p in AssistancePair.objects.all())


def test_demo_holds_teacher_development_schools():
    """第七条 / 第八条(五): built by the school's district center, guided by a member."""
    centers_demo.load()
    demo.load()
    demo.load()
    schools = list(TeacherDevelopmentSchool.objects.select_related("school", "district_center"))
    assert len(schools) == 2
    assert all(t.school.district_id == t.district_center.district_id for t in schools)
    ended = [t for t in schools if t.ended_on]
    assert len(ended) == 1 and ended[0].end_reason
