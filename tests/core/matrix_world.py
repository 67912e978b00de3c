"""The objects the API matrix (``test_api_matrix.py``) asks for: for each
detail route one object on the "A" side of the world (district A, center A,
school A, teacher A) and one on the "B" side (district B, center B, school B,
teacher B), plus a secretariat user at center B."""

from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from zoneinfo import ZoneInfo

from alliance import services as alliance_services
from alliance.models import (
    Achievement,
    AchievementKind,
    AssistanceActivity,
    AssistancePair,
    Booking,
    CenterPlan,
    ChairTerm,
    CouncilMember,
    DigitalResource,
    DocumentKind,
    FacultyEngagement,
    FollowUp,
    GuidanceVisit,
    JointProject,
    Meeting,
    MeetingKind,
    Proposal,
    Resolution,
    SharedFaculty,
    TeacherDevelopmentSchool,
)
from centers.models import Mandate, StaffAppointment, Standard
from core.models import ExportJob
from core.roles import Role
from core.services import publish_announcement
from credits.models import ClaimStatus, CreditClaim, CreditPolicy
from credits.services import award_hours
from evaluation import services as evaluation_services
from evaluation.models import Finding, SupervisionVisit
from studios import services as studio_services
from studios.models import EvaluationKind, PersonRole, Studio
from tests.centers.factories import CampusFactory, RecordFactory, RoomFactory, StaffFactory
from tests.factories import CenterFactory, TeacherFactory, UserFactory, VendorFactory, member
from tests.training.objects import training_objects
from training.models import Bid, Contract, Expert, PaymentStep, PracticeBase, Procurement

TZ = ZoneInfo("Asia/Shanghai")


@dataclass
class Pair:
    a: object
    b: object


def build(world) -> dict[str, Pair]:
    """The A/B objects per route base name (``school`` for ``school-detail``…)."""
    secretariat = UserFactory(username="secretariat")
    member(secretariat, Role.CENTER_STAFF, world.center_b)
    member(secretariat, Role.SECRETARIAT, world.center_b)
    world.actors["secretariat"] = secretariat

    campus_a = CampusFactory(center=world.center_a)
    campus_b = CampusFactory(center=world.center_b)
    room_a = RoomFactory(campus=campus_a, bookable=True)
    room_b = RoomFactory(campus=campus_b, bookable=True)
    staff_a = StaffFactory(center=world.center_a)
    staff_b = StaffFactory(center=world.center_b)
    record_a = RecordFactory(staff=staff_a)
    record_b = RecordFactory(staff=staff_b)

    CreditPolicy.objects.create(
        name="2022—2026", cycle_start=date(2022, 1, 1), cycle_end=date(2026, 12, 31)
    )

    def entry(teacher):
        award = award_hours(
            teacher=teacher,
            hours=Decimal("8"),
            category="subject",
            source="training",
            earned_on=date(2024, 5, 1),
        )
        return award.entry

    def claim(teacher, school, district):
        return CreditClaim.objects.create(
            teacher=teacher,
            school=school,
            district=district,
            title="区级培训",
            category="subject",
            hours=Decimal("16"),
            earned_on=date(2025, 6, 1),
            submitted_by=world.user("teacher_a"),
            status=ClaimStatus.SCHOOL_APPROVED,
        )

    def booking(room, center, day):
        return Booking.objects.create(
            room=room,
            center=center,
            starts_at=datetime(2026, 12, day, 9, tzinfo=TZ),
            ends_at=datetime(2026, 12, day, 12, tzinfo=TZ),
            purpose="培训",
        )

    def document(kind):
        return alliance_services.create_document(
            user=secretariat, kind=kind, year=2027, title="文件", body="一、"
        )

    def meeting(title):
        return Meeting.objects.create(
            kind=MeetingKind.COUNCIL, title=title, held_on=date(2026, 12, 1), venue="x"
        )

    def project(lead, partner, title):
        p = JointProject.objects.create(title=title, lead_center=lead, starts_on=date(2026, 9, 1))
        p.partner_centers.set([partner])
        return p

    def studio(center, school, name):
        """A studio of ``center`` with a host, a member, an activity both
        attended, a mentoring pair and an annual evaluation. Its people have
        no accounts: no actor of the world is in a studio."""
        s = Studio.objects.create(
            name=name,
            kind="famous_teacher",
            level="municipal",
            stage="primary",
            cycle_start=date(2022, 9, 1),
            managing_center=center,
        )
        host = TeacherFactory(school=school)
        host_place = studio_services.add_person(
            studio=s, teacher=host, role=PersonRole.HOST, starts_on=date(2022, 9, 1)
        )
        studio_services.add_person(
            studio=s,
            teacher=TeacherFactory(school=school),
            role=PersonRole.MEMBER,
            starts_on=date(2022, 9, 1),
        )
        activity = studio_services.record_activity(
            studio=s,
            fields={
                "kind": "seminar",
                "title": "研讨",
                "held_on": date(2024, 5, 1),
                "place": "x",
                "hours": Decimal("3"),
            },
            attended=[host],
        )
        pair = studio_services.add_pair(
            studio=s, year=2024, mentor=host, mentee=TeacherFactory(school=school)
        )
        evaluation = studio_services.start_evaluation(
            studio=s, kind=EvaluationKind.ANNUAL, year=2024
        )
        return {
            "studio": s,
            "person": host_place,
            "activity": activity,
            "pair": pair,
            "evaluation": evaluation,
        }

    studio_a = studio(world.center_a, world.school_a, "工作室甲")
    studio_b = studio(world.center_b, world.school_b, "工作室乙")
    studio_pairs = {
        ("studio" if key == "studio" else f"studio-{key}"): Pair(studio_a[key], studio_b[key])
        for key in studio_a
    }

    faculty_a = SharedFaculty.objects.create(staff=staff_a, expertise="语文")
    faculty_b = SharedFaculty.objects.create(staff=staff_b, expertise="数学")
    # Chair terms long past: no term covers today, so the daily secretariat
    # sync touches nobody's rights.
    return {
        **studio_pairs,
        "district": Pair(world.district_a, world.district_b),
        "center": Pair(world.center_a, world.center_b),
        "school": Pair(world.school_a, world.school_b),
        "teacher": Pair(world.teacher_a, world.teacher_b),
        "campus": Pair(campus_a, campus_b),
        "room": Pair(room_a, room_b),
        "staff": Pair(staff_a, staff_b),
        "staff-record": Pair(record_a, record_b),
        # 互聘 awaiting the home center: A's trainer by district A's center,
        # B's trainer by a third center (no actor's own).
        "staff-appointment": Pair(
            StaffAppointment.objects.create(
                staff=staff_a,
                center=world.district_center_a,
                role="兼职培训师",
                starts_on=date(2026, 9, 1),
                ends_on=date(2027, 7, 31),
            ),
            StaffAppointment.objects.create(
                staff=staff_b,
                center=CenterFactory(code="center-c", name="远程教育中心"),
                role="课程主讲",
                starts_on=date(2026, 9, 1),
                ends_on=date(2027, 7, 31),
            ),
        ),
        "mandate": Pair(
            Mandate.objects.create(center=world.center_a),
            Mandate.objects.create(center=world.center_b, stage="kindergarten"),
        ),
        "standard": Pair(
            Standard.objects.create(code="std-a", name="标准甲"),
            Standard.objects.create(code="std-b", name="标准乙"),
        ),
        "credit-entry": Pair(entry(world.teacher_a), entry(world.teacher_b)),
        "credit-claim": Pair(
            claim(world.teacher_a, world.school_a, world.district_a),
            claim(world.teacher_b, world.school_b, world.district_b),
        ),
        "alliance-member": Pair(
            CouncilMember.objects.create(
                center=world.center_a, order=1, joined_on=date(2019, 11, 1)
            ),
            CouncilMember.objects.create(
                center=world.center_b, order=2, joined_on=date(2019, 11, 1)
            ),
        ),
        "alliance-term": Pair(
            ChairTerm.objects.create(
                sequence=1,
                center=world.center_a,
                starts_on=date(2019, 11, 1),
                ends_on=date(2020, 10, 31),
            ),
            ChairTerm.objects.create(
                sequence=2,
                center=world.center_b,
                starts_on=date(2020, 11, 1),
                ends_on=date(2021, 10, 31),
            ),
        ),
        "alliance-document": Pair(document(DocumentKind.PLAN), document(DocumentKind.REPORT)),
        "alliance-meeting": Pair(meeting("理事会甲"), meeting("理事会乙")),
        **_resolution_pairs(world, meeting("理事会丙")),
        **_pair_pairs(world),
        **_proposal_pairs(world),
        **_guidance_pairs(world),
        **_development_school_pairs(world),
        **_plan_pairs(world),
        "alliance-project": Pair(
            project(world.center_a, world.center_b, "项目甲"),
            project(world.center_b, world.center_a, "项目乙"),
        ),
        "alliance-result": Pair(
            Achievement.objects.create(
                center=world.center_a, year=2026, kind=AchievementKind.PAPER, count=3
            ),
            Achievement.objects.create(
                center=world.center_b, year=2026, kind=AchievementKind.PAPER, count=2
            ),
        ),
        "alliance-booking": Pair(
            booking(room_a, world.center_a, 1), booking(room_b, world.center_b, 2)
        ),
        "alliance-faculty": Pair(faculty_a, faculty_b),
        "alliance-engagement": Pair(
            FacultyEngagement.objects.create(
                listing=faculty_b,
                center=world.center_a,
                purpose="授课",
                starts_on=date(2026, 9, 1),
                ends_on=date(2026, 12, 31),
            ),
            FacultyEngagement.objects.create(
                listing=faculty_a,
                center=world.center_b,
                purpose="授课",
                starts_on=date(2026, 9, 1),
                ends_on=date(2026, 12, 31),
            ),
        ),
        "alliance-resource": Pair(
            DigitalResource.objects.create(
                title="课程甲", kind="course", center=world.center_a, year_added=2024
            ),
            DigitalResource.objects.create(
                title="课程乙", kind="course", center=world.center_b, year_added=2024
            ),
        ),
        **_training_pairs(world),
        **_funding_pairs(world),
        "announcement": Pair(
            publish_announcement(by=world.user("center_a"), title="中心甲通知", body="…"),
            publish_announcement(
                by=world.user("bureau"), title="致教师", body="…", audience=Role.TEACHER
            ),
        ),
        "export-job": Pair(
            ExportJob.objects.create(owner=world.user("bureau"), exporter="centers"),
            ExportJob.objects.create(owner=world.user("center_b"), exporter="centers"),
        ),
    }


def _training_pairs(world) -> dict[str, Pair]:
    t = training_objects(world)
    attendance, result = t.attendance_pairs(), t.result_pairs()
    visit_a = SupervisionVisit.objects.create(subproject=t.sub_a, visited_on=date.today())
    visit_b = SupervisionVisit.objects.create(subproject=t.sub_b, visited_on=date.today())
    return {
        "training-plan": Pair(t.plan_a, t.plan_b),
        "training-project": Pair(t.sub_a.project, t.sub_b.project),
        "training-subproject": Pair(t.sub_a, t.sub_b),
        "training-enrollment": Pair(t.enrollment_a, t.enrollment_b),
        "training-session": Pair(t.session_a, t.session_b),
        "training-attendance": Pair(*attendance),
        "training-result": Pair(*result),
        # Each side's sub-project has its satisfaction survey, sent to its roster.
        "evaluation-survey": Pair(
            evaluation_services.open_satisfaction_survey(subproject=t.sub_a),
            evaluation_services.open_satisfaction_survey(subproject=t.sub_b),
        ),
        # A supervision visit with one finding on each side; A's is the vendor's.
        "evaluation-visit": Pair(visit_a, visit_b),
        "evaluation-finding": Pair(
            Finding.objects.create(visit=visit_a, text="课程调换未报备"),
            Finding.objects.create(visit=visit_b, text="签到表缺失"),
        ),
        "evaluation-project-score": Pair(
            evaluation_services.store_project_score(t.sub_a.pk),
            evaluation_services.store_project_score(t.sub_b.pk),
        ),
        **_procurement_pairs(world),
        **_campaign_pairs(world),
    }


def _campaign_pairs(world) -> dict[str, Pair]:
    """Each district's principals' evaluation, one principal rated in each."""

    def side(district, school, staff):
        by = world.user(staff)
        campaign = evaluation_services.start_campaign(district=district, term="2023—2026", by=by)
        principal = evaluation_services.add_principal(
            campaign=campaign, school=school, name="校长", by=by
        )
        evaluation_services.set_campaign_status(campaign=campaign, status="open", by=by)
        (link,) = evaluation_services.issue_links(
            appraisee=principal, group="teachers", count=1, by=by
        )
        return campaign, principal, link

    campaign_a, principal_a, link_a = side(world.district_a, world.school_a, "district_a")
    campaign_b, principal_b, link_b = side(world.district_b, world.school_b, "district_b")
    return {
        "evaluation-campaign": Pair(campaign_a, campaign_b),
        "evaluation-principal": Pair(principal_a, principal_b),
        "evaluation-link": Pair(link_a, link_b),
    }


def _procurement_pairs(world) -> dict[str, Pair]:
    """A contracted procurement of center A won by the world's vendor, one of
    center B won by another vendor (written directly: the steps themselves
    are tested in tests/training/test_procurement.py)."""
    other = VendorFactory(name="机构丙")

    def side(center, vendor, number):
        p = Procurement.objects.create(
            title=f"采购 {number}",
            center=center,
            method="open_tender",
            agency="贺州市公共资源交易中心",
            budget=Decimal("400000"),
            status="contracted",
        )
        bid = Bid.objects.create(procurement=p, vendor=vendor, amount=Decimal("380000"))
        Procurement.objects.filter(pk=p.pk).update(awarded_bid=bid)
        contract = Contract.objects.create(
            number=number,
            procurement=p,
            center=center,
            vendor=vendor,
            amount=Decimal("380000"),
            signed_on=date(2026, 6, 1),
        )
        step = PaymentStep.objects.create(
            contract=contract,
            position=1,
            kind="prepayment",
            amount=Decimal("190000"),
            due_condition="against_invoice",
        )
        return p, bid, contract, step

    a = side(world.center_a, world.vendor, "HZ-A")
    b = side(world.center_b, other, "HZ-B")
    return {
        "training-procurement": Pair(a[0], b[0]),
        "training-bid": Pair(a[1], b[1]),
        "training-contract": Pair(a[2], b[2]),
        "training-paymentstep": Pair(a[3], b[3]),
        "training-expert": Pair(
            Expert.objects.create(name="专家甲"), Expert.objects.create(name="专家乙")
        ),
        "training-practicebase": Pair(
            PracticeBase.objects.create(name="实践基地甲", stage="primary"),
            PracticeBase.objects.create(name="实践基地乙", stage="junior"),
        ),
    }


def _funding_pairs(world) -> dict[str, Pair]:
    from funding import services as funding_services
    from funding.models import BudgetFigure
    from tests.training.factories import SubProjectFactory

    def side(district, target):
        line = funding_services.create_line(
            year=2026,
            holder_kind="district",
            district=district,
            source="district",
            name=f"{district.name}教师培训经费",
            amount="100000",
        )
        allocation = funding_services.allocate(line=line, amount="50000", **target)
        payment = funding_services.disburse(allocation=allocation, amount="1000", kind="prepayment")
        figure = BudgetFigure.objects.create(
            year=2026, kind="teacher_payroll", district=district, amount=Decimal("4000000")
        )
        return line, allocation, payment, figure

    a = side(world.district_a, {"center": world.district_center_a})
    b = side(world.district_b, {"subproject": SubProjectFactory(center=world.center_b)})
    return {
        name: Pair(x, y)
        for name, x, y in zip(
            ("funding-line", "funding-allocation", "funding-disbursement", "funding-figure"),
            a,
            b,
            strict=True,
        )
    }


def _resolution_pairs(world, council) -> dict[str, Pair]:
    """Two resolutions of a council meeting (not the ones the meeting routes
    delete), each with a follow-up action: A's owned by center A, B's by B."""
    res_a = Resolution.objects.create(meeting=council, number="2026-1", title="决议甲", text="一")
    res_b = Resolution.objects.create(meeting=council, number="2026-2", title="决议乙", text="二")
    return {
        "alliance-resolution": Pair(res_a, res_b),
        "alliance-followup": Pair(
            FollowUp.objects.create(
                resolution=res_a, center=world.center_a, action="落实甲", due_on=date(2027, 3, 1)
            ),
            FollowUp.objects.create(
                resolution=res_b, center=world.center_b, action="落实乙", due_on=date(2027, 3, 1)
            ),
        ),
    }


def _pair_pairs(world) -> dict[str, Pair]:
    """Paired assistance: center A helps district A's center, center B a
    district B center; one activity each."""
    from centers.models import CenterKind
    from tests.factories import CenterFactory

    district_center_b = CenterFactory(
        code="district-b-center",
        name="乙区教师发展中心",
        kind=CenterKind.DISTRICT,
        district=world.district_b,
    )
    pair_a = AssistancePair.objects.create(
        helper_center=world.center_a,
        assisted_center=world.district_center_a,
        focus="骨干教师培养",
        starts_on=date(2025, 1, 1),
    )
    pair_b = AssistancePair.objects.create(
        helper_center=world.center_b,
        assisted_center=district_center_b,
        focus="园长培训",
        starts_on=date(2025, 1, 1),
    )

    def activity(pair):
        return AssistanceActivity.objects.create(
            pair=pair, held_on=date(2026, 5, 1), kind="teaching", title="送教下区", participants=40
        )

    return {
        "alliance-pair": Pair(pair_a, pair_b),
        "alliance-pair-activity": Pair(activity(pair_a), activity(pair_b)),
    }


def _proposal_pairs(world) -> dict[str, Pair]:
    """Development proposals: center A's, submitted (every member and the
    bureau read it); center B's, still a draft (only center B's staff).
    The charter names who proposes by center (001 第七条: the 中小学, 中职,
    幼儿园 and 民办 centers), so the world's A and B take those centers' codes."""
    for center, code in ((world.center_a, "primary-secondary"), (world.center_b, "kindergarten")):
        center.code = code
        center.save(update_fields=["code"])
    return {
        "alliance-proposal": Pair(
            Proposal.objects.create(
                origin="center", center=world.center_a, title="建议甲", body="x", status="submitted"
            ),
            Proposal.objects.create(
                origin="center", center=world.center_b, title="建议乙", body="x"
            ),
        )
    }


def _guidance_pairs(world) -> dict[str, Pair]:
    """Guidance visits: center A at district A's center, center B at a
    district B center (the one paired assistance made)."""
    from centers.models import Center, CenterKind

    district_center_b, _ = Center.objects.get_or_create(
        code="district-b-center",
        defaults={
            "name": "乙区教师发展中心",
            "kind": CenterKind.DISTRICT,
            "district": world.district_b,
        },
    )

    def visit(center, district_center):
        return GuidanceVisit.objects.create(
            center=center,
            district_center=district_center,
            visited_on=date(2026, 5, 1),
            topic="指导",
        )

    return {
        "alliance-guidance": Pair(
            visit(world.center_a, world.district_center_a),
            visit(world.center_b, district_center_b),
        )
    }


def _development_school_pairs(world) -> dict[str, Pair]:
    """Teacher-development schools: school A, built by district A's center and
    guided by center A; school B, by a district B center, guided by center B."""
    from centers.models import Center, CenterKind

    district_center_b, _ = Center.objects.get_or_create(
        code="district-b-center",
        defaults={
            "name": "乙区教师发展中心",
            "kind": CenterKind.DISTRICT,
            "district": world.district_b,
        },
    )

    def school(school, district_center, center):
        return TeacherDevelopmentSchool.objects.create(
            school=school,
            district_center=district_center,
            guiding_center=center,
            focus="校本研训",
            since=date(2025, 9, 1),
        )

    return {
        "alliance-school": Pair(
            school(world.school_a, world.district_center_a, world.center_a),
            school(world.school_b, district_center_b, world.center_b),
        )
    }


def _plan_pairs(world) -> dict[str, Pair]:
    """Center plans: center A's five-year plan, filed (every member and the
    bureau read it); center B's annual plan, still a draft."""
    return {
        "alliance-plan": Pair(
            CenterPlan.objects.create(
                center=world.center_a,
                kind="five_year",
                starts_year=2026,
                title="规划甲",
                body="x",
                status="filed",
            ),
            CenterPlan.objects.create(
                center=world.center_b, kind="annual", starts_year=2026, title="计划乙", body="x"
            ),
        )
    }
