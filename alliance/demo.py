"""Demo data of the alliance: the council of the six municipal centers, the
chair rotation (中小学 center first, 2025-11-01 – 2026-10-31, then the 中职
center, so the demo's today exercises a handover), representatives and
liaisons, a plan and a report in the workflow, an annual meeting and a forum,
results per member and year, bookings of shared rooms, the faculty register
and the digital-resource catalogue. Loading twice changes nothing.

The demo account ``secretariat`` (陈秘书) is created by the centers demo as
staff of the 中小学 center; with the chair now at the 中职 center, this loader
moves that account to the 中职 center from 2026-11-01 (ending the old
membership on 2026-10-31), so it holds the secretariat rights today.
"""

from datetime import date, datetime, time, timedelta

from django.contrib.auth import get_user_model
from django.db import transaction
from django.utils import timezone

from centers.demo import DEMO_PASSWORD
from centers.models import Center, Room, School, StaffMember
from centers.services import staff_meets_standard
from core.models import Membership
from core.permissions import forget_scope, get_scope
from core.roles import Role

from . import services
from .models import (
    Achievement,
    AchievementKind,
    AssistanceActivity,
    AssistanceKind,
    AssistancePair,
    Booking,
    CenterPlan,
    CenterPlanKind,
    CenterPlanStatus,
    ChairTerm,
    CouncilMember,
    DigitalResource,
    DocumentKind,
    DocumentStatus,
    FacultyEngagement,
    FollowUp,
    FollowUpStatus,
    GuidanceFollowUp,
    GuidanceKind,
    GuidanceVisit,
    JointProject,
    Meeting,
    MeetingKind,
    ProjectStatus,
    Proposal,
    ProposalAddressee,
    ProposalOrigin,
    ProposalStatus,
    Resolution,
    ResourceKind,
    SharedFaculty,
    TeacherDevelopmentSchool,
    WorkDocument,
)

#: Rotation order: the members as the charter lists them (art. 5).
ROTATION = [
    "primary-secondary",
    "vocational",
    "private-schools",
    "distance",
    "kindergarten",
    "research-training",
]
FIRST_TERM_START = date(2025, 11, 1)
TERMS = 3  # the past, the current and the next term
HANDOVER_DAY = date(2026, 11, 1)

PEOPLE = {
    # code: (representative, liaison)
    "primary-secondary": ("黄主任", "梁老师"),
    "vocational": ("何主任", "周老师"),
    "private-schools": ("林主任", "郑老师"),
    "distance": ("罗主任", "谢老师"),
    "kindergarten": ("吴主任", "冯老师"),
    "research-training": ("许主任", "邓老师"),
}


def _user(username, name):
    User = get_user_model()
    user, created = User.objects.get_or_create(username=username, defaults={"name": name})
    if created:
        user.set_password(DEMO_PASSWORD)
        user.save()
    return user


def _staff_membership(user, center, starts_on=date(2020, 1, 1)):
    Membership.objects.get_or_create(
        user=user,
        role=Role.CENTER_STAFF,
        organisation_id=center.pk,
        defaults={"starts_on": starts_on},
    )


def load(stdout=None):
    centers = {c.code: c for c in Center.objects.filter(code__in=ROTATION)}
    if len(centers) < len(ROTATION):
        if stdout:
            stdout.write("alliance: the six municipal centers are missing; load centers first")
        return
    with transaction.atomic():
        members = _council(centers)
        _move_secretariat_account(centers)
        _terms(centers)
    # The handover: as the periodic task would have done on each term's first day.
    services.sync_secretariat(FIRST_TERM_START)
    services.sync_secretariat(timezone.localdate())
    secretariat = get_user_model().objects.get(username="secretariat")
    forget_scope(secretariat)
    with transaction.atomic():
        meetings = _meetings(centers, members)
        if get_scope(secretariat).has_role(Role.SECRETARIAT):
            _documents(secretariat, members, meetings)
        elif stdout:  # loaded before the 中职 center's term: nobody to draft them
            stdout.write("alliance: the secretariat account holds no rights today; no plan/report")
        _resolutions(centers, meetings[MeetingKind.COUNCIL], secretariat)
        _projects(centers)
        _pairs(centers)
        _proposals(centers, meetings[MeetingKind.COUNCIL])
        _guidance(centers)
        _development_schools(centers)
        _center_plans(centers)
        _results(centers)
        _bookings(centers, secretariat)
        _faculty(centers, secretariat)
        _engagements(centers)
        _resources(centers)
    if stdout:
        stdout.write(
            "alliance: council, rotation, plans, meetings, resolutions, projects, pairs, "
            "proposals, guidance, development schools, center plans, engagements, "
            "results, sharing"
        )


def _council(centers):
    members = {}
    for order, code in enumerate(ROTATION, start=1):
        center = centers[code]
        rep_name, liaison_name = PEOPLE[code]
        short = center.short_name or center.name
        rep = _user(f"rep-{code}", f"{short} {rep_name}")
        liaison = _user(f"liaison-{code}", f"{short} {liaison_name}")
        _staff_membership(rep, center)
        _staff_membership(liaison, center)
        member, _ = CouncilMember.objects.update_or_create(
            center=center,
            defaults={
                "order": order,
                "representative": rep,
                "liaison": liaison,
                "joined_on": date(2019, 11, 1),
                "is_active": True,
            },
        )
        members[code] = member
    return members


def _move_secretariat_account(centers):
    """The demo's ``secretariat`` account works at the current chair's center."""
    user = _user("secretariat", "联盟秘书处 陈秘书")
    old = Membership.objects.filter(
        user=user,
        role=Role.CENTER_STAFF,
        organisation_id=centers["primary-secondary"].pk,
        ends_on__isnull=True,
    ).first()
    if old is not None and old.starts_on < HANDOVER_DAY:
        old.ends_on = HANDOVER_DAY - timedelta(days=1)
        old.save(update_fields=["ends_on"])
    _staff_membership(user, centers["vocational"], starts_on=HANDOVER_DAY)


def _terms(centers):
    start = FIRST_TERM_START
    for sequence in range(1, TERMS + 1):
        code = ROTATION[(sequence - 1) % len(ROTATION)]
        center = centers[code]
        if code == "vocational":
            secretary_general = _user("secretariat", "联盟秘书处 陈秘书")
        else:
            secretary_general = _user(f"rep-{code}", "")
        ChairTerm.objects.update_or_create(
            sequence=sequence,
            defaults={
                "center": center,
                "starts_on": start,
                "ends_on": services.one_year_after(start),
                "secretary_general": secretary_general,
            },
        )
        start = services.one_year_after(start) + timedelta(days=1)


def _meetings(centers, members):
    all_members = list(centers.values())
    people = [m.representative for m in members.values()] + [m.liaison for m in members.values()]
    specs = [
        (
            MeetingKind.COUNCIL,
            "2026年第一次理事会会议",
            "",
            "",
            date(2026, 1, 15),
            "广州大学桂花岗校区 第一会议室",
            "primary-secondary",
            "一、审定联盟2026年度工作计划\n二、研究成果统计口径",
        ),
        (
            MeetingKind.ANNUAL,
            "2025年广州市市级教师发展中心联盟年会",
            "教科研训一体化协同发展",
            "六家中心的培训、教研、科研资源分散，课程与师资难以共享，区级中心指导缺少合力。",
            date(2025, 12, 20),
            "广州大学桂花岗校区 学术报告厅",
            "primary-secondary",
            "一、主席单位工作报告\n二、成员单位交流发言\n三、签署资源共享协议",
        ),
        (
            MeetingKind.FORUM,
            "人工智能助推教师发展主题论坛",
            "人工智能时代的教师培训转型",
            "六家中心都面临培训内容与人工智能等新技术变革脱节、数字资源更新慢的共性问题。",
            date(2026, 6, 18),
            "广州开放大学 多功能学术报告厅",
            "distance",
            "一、主旨报告\n二、分论坛：课程资源建设、研修社区\n三、圆桌对话",
        ),
    ]
    meetings = {}
    for kind, title, theme, problem, held_on, venue, host, agenda in specs:
        meeting, created = Meeting.objects.get_or_create(
            title=title,
            defaults={
                "kind": kind,
                "theme": theme,
                "common_problem": problem,
                "held_on": held_on,
                "venue": venue,
                "host_center": centers[host],
                "agenda": agenda,
                "minutes": "会议按议程进行，形成纪要并报市教育局。"
                if held_on < date(2026, 11, 1)
                else "",
            },
        )
        if created:
            if kind in (MeetingKind.ANNUAL, MeetingKind.FORUM):
                meeting.problem_shared_by.set(all_members)
            meeting.participant_centers.set(all_members)
            meeting.participants.set(people)
        meetings[kind] = meeting
    return meetings


def _resolutions(centers, council, secretariat):
    """Two resolutions of the first council meeting of 2026, with follow-up
    actions: one done, one in progress, one not started (overdue on the
    demo's date)."""
    specs = [
        (
            "2026-1",
            "审定联盟2026年度工作计划",
            "会议审议通过联盟2026年度工作计划，由各成员单位按分工落实。",
            [
                (
                    "primary-secondary",
                    "将年度工作计划报送市教育局备案",
                    date(2026, 2, 28),
                    FollowUpStatus.DONE,
                    "已于2026年2月10日报送市教育局。",
                ),
                (
                    "distance",
                    "在继续教育网开设联盟年度计划专栏",
                    date(2026, 12, 31),
                    FollowUpStatus.IN_PROGRESS,
                    "专栏页面已完成设计，待上线。",
                ),
            ],
        ),
        (
            "2026-2",
            "统一研究成果统计口径",
            "各成员单位按统一口径（课题、论文、著作、获奖、课程、培训）报送年度成果。",
            [
                (
                    "research-training",
                    "起草成果统计口径说明并征求成员单位意见",
                    date(2026, 4, 30),
                    FollowUpStatus.OPEN,
                    "",
                ),
            ],
        ),
    ]
    for number, title, text, actions in specs:
        resolution, _ = Resolution.objects.update_or_create(
            meeting=council, number=number, defaults={"title": title, "text": text}
        )
        for code, action, due_on, status, report in actions:
            FollowUp.objects.update_or_create(
                resolution=resolution,
                center=centers[code],
                action=action,
                defaults={
                    "due_on": due_on,
                    "status": status,
                    "report": report,
                    "done_on": date(2026, 2, 10) if status == FollowUpStatus.DONE else None,
                    "reported_by": secretariat if report else None,
                },
            )


def _projects(centers):
    """Two joint projects: one ongoing (carrying out resolution 2026-2), one
    completed with its outcome."""
    specs = [
        (
            "联盟研修课程资源共建共享项目",
            "六家中心联合开发教师研修课程，统一上线广州市中小学教师继续教育网。",
            "distance",
            ["primary-secondary", "vocational", "kindergarten"],
            date(2026, 3, 1),
            None,
            ProjectStatus.ONGOING,
            "已完成首批12门课程的脚本审核。",
            "",
            "2026-2",
        ),
        (
            "区级教师发展中心建设调研",
            "联合调研各区教师发展中心建设情况，形成调研报告报市教育局。",
            "research-training",
            ["primary-secondary", "private-schools"],
            date(2025, 9, 1),
            date(2026, 6, 30),
            ProjectStatus.COMPLETED,
            "",
            "形成《广州市区级教师发展中心建设调研报告》并报送市教育局。",
            None,
        ),
    ]
    for title, text, lead, partners, starts, ends, status, progress, outcome, number in specs:
        project, _ = JointProject.objects.update_or_create(
            title=title,
            defaults={
                "description": text,
                "lead_center": centers[lead],
                "starts_on": starts,
                "ends_on": ends,
                "status": status,
                "progress": progress,
                "outcome": outcome,
                "resolution": Resolution.objects.filter(number=number).first() if number else None,
            },
        )
        project.partner_centers.set([centers[c] for c in partners])


def _proposals(centers, council):
    """Three proposals (事业发展建议, charter 第七条): the council's, answered by
    the bureau; the 幼儿园 center's, submitted and waiting for the secretariat;
    the 民办 center's, still a draft."""
    specs = [
        (
            "关于加大区级教师发展中心建设投入的建议",
            ProposalOrigin.COUNCIL,
            "primary-secondary",
            ProposalAddressee.BUREAU,
            "建议将区级教师发展中心功能场室建设纳入各区教育发展规划，落实培训经费不低于教师工资总额2.5%。",
            ProposalStatus.ANSWERED,
            (date(2026, 4, 10), date(2026, 4, 20), date(2026, 6, 1)),
            "我局认同加强区级教师发展中心建设的建议，将会同各区推进功能场室建设和经费落实。",
        ),
        (
            "关于建立幼儿园教师专业发展指导意见实施机制的建议",
            ProposalOrigin.CENTER,
            "kindergarten",
            ProposalAddressee.EVALUATION_CENTER,
            "建议以《广州市幼儿教师专业发展指导意见》为依据，建立市、区、园三级实施与评估机制。",
            ProposalStatus.SUBMITTED,
            (date(2026, 11, 20), None, None),
            "",
        ),
        (
            "关于民办学校教师继续教育学时认定的建议",
            ProposalOrigin.CENTER,
            "private-schools",
            ProposalAddressee.BUREAU,
            "建议民办学校教师参加校本研修的学时按公办学校同一标准认定。",
            ProposalStatus.DRAFT,
            (None, None, None),
            "",
        ),
    ]
    for title, origin, code, addressee, body, status, dates, answer in specs:
        Proposal.objects.update_or_create(
            title=title,
            defaults={
                "origin": origin,
                "center": centers[code],
                "addressee": addressee,
                "body": body,
                "meeting": council if origin == ProposalOrigin.COUNCIL else None,
                "status": status,
                "submitted_on": dates[0],
                "forwarded_on": dates[1],
                "answered_on": dates[2],
                "answer": answer,
            },
        )


def _guidance(centers):
    """Two guidance visits of district centers (业务指导, charter 第八条(五)):
    the 中小学 center with the 研训 center at 从化区 (follow-up open), the
    幼儿园 center at 增城区 (follow-up done)."""
    districts = {
        c.code: c
        for c in Center.objects.filter(code__in=["district-conghua", "district-zengcheng"])
    }
    specs = [
        (
            "primary-secondary",
            ["research-training"],
            "district-conghua",
            GuidanceKind.GUIDANCE,
            date(2026, 10, 14),
            "小学校长、骨干教师培训实施指导",
            "培训需求调研样本偏少；课程以讲授为主，实践环节不足。",
            "补充训前需求调研；增加跟岗实践课时。",
            date(2027, 1, 31),
            GuidanceFollowUp.OPEN,
            "",
        ),
        (
            "kindergarten",
            [],
            "district-zengcheng",
            GuidanceKind.RESOURCES,
            date(2026, 5, 20),
            "幼儿园骨干教师培训课程资源服务",
            "区级课程资源库中游戏活动类课程缺乏。",
            "接入市幼儿园教师发展中心课程资源，补充游戏活动课程。",
            date(2026, 9, 30),
            GuidanceFollowUp.DONE,
            "已接入12门游戏活动课程，并在区级培训中使用。",
        ),
    ]
    for code, partners, district, kind, day, topic, findings, asked, due, status, report in specs:
        if district not in districts:
            continue
        visit, _ = GuidanceVisit.objects.update_or_create(
            center=centers[code],
            district_center=districts[district],
            topic=topic,
            defaults={
                "kind": kind,
                "visited_on": day,
                "findings": findings,
                "recommendations": asked,
                "follow_up_due": due,
                "follow_up_status": status,
                "follow_up_report": report,
                "follow_up_done_on": date(2026, 9, 20) if status == GuidanceFollowUp.DONE else None,
            },
        )
        visit.partner_centers.set([centers[p] for p in partners])


def _center_plans(centers):
    """The 研训 center's five-year research plan 2026–2030 (recorded), its
    2026 annual plan (recorded, with its implementation report) and its 2027
    plan (filed, waiting for the secretariat)."""
    center = centers["research-training"]
    five, _ = CenterPlan.objects.update_or_create(
        center=center,
        kind=CenterPlanKind.FIVE_YEAR,
        starts_year=2026,
        defaults={
            "title": "广州市教师发展研训中心教研、科研五年规划（2026—2030年）",
            "body": "一、指导思想……二、发展目标：建立健全教研员全员培训制度"
            "和教研能力提升研修机制。",
            "status": CenterPlanStatus.APPROVED,
            "filed_on": date(2026, 1, 10),
            "approved_on": date(2026, 1, 20),
        },
    )
    specs = [
        (
            2026,
            CenterPlanStatus.APPROVED,
            date(2026, 1, 12),
            date(2026, 1, 20),
            "2026年度实施计划",
            "完成学科浸润式学习工作坊12个，教研员全员培训覆盖率100%。",
        ),
        (2027, CenterPlanStatus.FILED, date(2026, 11, 25), None, "2027年度实施计划", ""),
    ]
    for year, status, filed, approved, title, summary in specs:
        CenterPlan.objects.update_or_create(
            center=center,
            kind=CenterPlanKind.ANNUAL,
            starts_year=year,
            defaults={
                "parent": five,
                "title": title,
                "body": "按五年规划分解年度目标与重点项目。",
                "status": status,
                "filed_on": filed,
                "approved_on": approved,
                "summary": summary,
                "summary_on": date(2026, 12, 1) if summary else None,
            },
        )


def _pairs(centers):
    """Paired assistance: the 中小学 center helps 从化区, the 幼儿园 center
    增城区, each with activities in two years."""
    district_centers = {
        c.code: c
        for c in Center.objects.filter(code__in=["district-conghua", "district-zengcheng"])
    }
    specs = [
        (
            "primary-secondary",
            "district-conghua",
            "乡村学校骨干教师培养、校长领导力提升",
            [
                (date(2025, 10, 16), AssistanceKind.TEACHING, "送教下乡：初中语文示范课", 60),
                (date(2026, 4, 22), AssistanceKind.TRAINING, "乡村校长专题研修", 45),
                (date(2026, 11, 12), AssistanceKind.GUIDANCE, "区教师发展中心课程建设指导", 12),
            ],
        ),
        (
            "kindergarten",
            "district-zengcheng",
            "幼儿园保教质量提升",
            [
                (date(2025, 12, 3), AssistanceKind.SHADOWING, "骨干教师跟岗研修", 20),
                (date(2026, 6, 10), AssistanceKind.TEACHING, "送教到园：游戏活动观摩", 80),
            ],
        ),
    ]
    for helper, assisted, focus, activities in specs:
        if assisted not in district_centers:
            continue
        pair, _ = AssistancePair.objects.update_or_create(
            helper_center=centers[helper],
            assisted_center=district_centers[assisted],
            defaults={"focus": focus, "starts_on": date(2025, 9, 1), "ends_on": date(2028, 8, 31)},
        )
        for held_on, kind, title, participants in activities:
            AssistanceActivity.objects.update_or_create(
                pair=pair,
                title=title,
                defaults={"held_on": held_on, "kind": kind, "participants": participants},
            )


def _documents(secretariat, members, meetings):
    reviewer = members["kindergarten"].liaison
    bureau = get_user_model().objects.filter(username="bureau").first()
    plan = WorkDocument.objects.filter(kind=DocumentKind.PLAN, year=2026).first()
    if plan is None:
        plan = services.create_document(
            user=secretariat,
            kind=DocumentKind.PLAN,
            year=2026,
            title="广州市市级教师发展中心联盟2026年度工作计划",
            body="一、总体目标\n落实联盟章程，推进六家中心资源整合共享。\n"
            "二、重点工作\n1. 举办年会与主题论坛；\n2. 完善成果统计；\n3. 推进场室与师资共享。",
        )
        services.transition(plan, "open_consultation", user=secretariat)
        forget_scope(reviewer)
        services.add_comment(plan, user=reviewer, body="建议增加幼儿园园长培训资源共建内容。")
        services.edit_document(
            plan,
            user=secretariat,
            title=plan.title,
            body=plan.body + "\n4. 共建幼儿园园长培训课程资源。",
        )
        services.transition(
            plan,
            "approve",
            user=secretariat,
            note="理事会2026年第一次会议审定",
            meeting=meetings[MeetingKind.COUNCIL],
        )
        services.transition(plan, "file", user=secretariat)
        if bureau is not None:
            services.transition(plan, "receive", user=bureau)
    report = WorkDocument.objects.filter(kind=DocumentKind.REPORT, year=2026).first()
    if report is None:
        report = services.create_document(
            user=secretariat,
            kind=DocumentKind.REPORT,
            year=2026,
            title="广州市市级教师发展中心联盟2026年度工作报告（征求意见稿）",
            body="一、年度工作完成情况\n二、成果统计\n三、存在问题\n四、2027年工作思路",
        )
        services.transition(report, "open_consultation", user=secretariat)
        commenter = members["research-training"].liaison
        forget_scope(commenter)
        services.add_comment(report, user=commenter, body="成果统计请补充研训中心教研成果。")
    if report.status == DocumentStatus.DRAFT:  # pragma: no cover - a returned report
        services.transition(report, "open_consultation", user=secretariat)


#: (kind, base count) reported by every member each year.
RESULTS = [
    (AchievementKind.RESEARCH_PROJECT, 3),
    (AchievementKind.PAPER, 12),
    (AchievementKind.BOOK, 1),
    (AchievementKind.AWARD, 2),
    (AchievementKind.COURSE, 6),
    (AchievementKind.TRAINING, 20),
]


def _results(centers):
    reporter = _user("secretariat", "")
    for index, code in enumerate(ROTATION):
        for year in (2024, 2025, 2026):
            for k_index, (kind, base) in enumerate(RESULTS):
                count = base + (index * 3 + k_index + year) % 5
                Achievement.objects.update_or_create(
                    center=centers[code],
                    year=year,
                    kind=kind,
                    defaults={
                        "count": count,
                        "description": f"{centers[code].short_name}{year}年{kind.label}",
                        "reported_by": reporter,
                    },
                )


def _bookings(centers, secretariat):
    # The 中职 center shares its canteen and dormitories (charter art. 8(3)).
    rooms = list(
        Room.objects.filter(
            bookable=True,
            campus__center=centers["vocational"],
            function__in=["canteen", "dormitory", "lecture_hall"],
        ).order_by("function", "pk")[:3]
    )
    if not rooms:
        return
    tz = timezone.get_current_timezone()
    base = timezone.localdate() + timedelta(days=7)
    plans = [
        (0, "primary-secondary", 0, 9, 12, "中学校长提高培训开班仪式"),
        (0, "kindergarten", 0, 14, 17, "幼儿园园长专题研修"),
        (1 % len(rooms), "private-schools", 1, 8, 20, "民办学校教师集中培训学员住宿"),
        (2 % len(rooms), "research-training", 2, 9, 17, "教研员全员培训"),
    ]
    for room_index, code, day, start_h, end_h, purpose in plans:
        day_date = base + timedelta(days=day)
        starts_at = datetime.combine(day_date, time(start_h), tz)
        ends_at = datetime.combine(day_date, time(end_h), tz)
        if services.overlapping(rooms[room_index].pk, starts_at, ends_at).exists():
            continue
        Booking.objects.create(
            room=rooms[room_index],
            center=centers[code],
            starts_at=starts_at,
            ends_at=ends_at,
            purpose=purpose,
            attendees=40,
            booked_by=secretariat,
        )


def _faculty(centers, secretariat):
    for code in ROTATION:
        staff = (
            StaffMember.objects.filter(center=centers[code], is_active=True)
            .prefetch_related("year_records")
            .order_by("pk")
        )
        listed = 0
        for person in staff:
            if listed >= 2:
                break
            if not staff_meets_standard(person):
                continue
            SharedFaculty.objects.get_or_create(
                staff=person,
                withdrawn_on=None,
                defaults={
                    "expertise": f"{person.subject or '综合'}教研与培训",
                    "available_for": "骨干教师培训、专题讲座",
                    "listed_by": secretariat,
                },
            )
            listed += 1


def _engagements(centers):
    """互聘 (charter 第八条(四)): the 中职 center engages a listed trainer of the
    中小学 center for its key-teacher training."""
    listing = (
        SharedFaculty.objects.filter(
            staff__center=centers["primary-secondary"], withdrawn_on__isnull=True
        )
        .order_by("pk")
        .first()
    )
    if listing is None:
        return
    FacultyEngagement.objects.update_or_create(
        listing=listing,
        center=centers["vocational"],
        starts_on=date(2026, 9, 1),
        defaults={"purpose": "中职骨干教师培训：课堂教学诊断", "ends_on": date(2027, 1, 31)},
    )


RESOURCE_TOPICS = [
    ("新课标解读", ResourceKind.COURSE, "中小学教师"),
    ("课堂观察与评课", ResourceKind.VIDEO, "教研员"),
    ("信息技术应用能力提升2.0", ResourceKind.COURSE, "全体教师"),
    ("幼儿园游戏活动设计", ResourceKind.CASE, "幼儿园教师"),
    ("职业教育课程思政", ResourceKind.COURSEWARE, "中职教师"),
    ("校长领导力", ResourceKind.COURSE, "中小学校长"),
    ("民办学校教师职业道德", ResourceKind.VIDEO, "民办学校教师"),
    ("人工智能助推教学", ResourceKind.TOOL, "全体教师"),
]


def _resources(centers):
    this_year = timezone.localdate().year
    n = 0
    for index, code in enumerate(ROTATION):
        for t_index, (topic, kind, audience) in enumerate(RESOURCE_TOPICS):
            if (index + t_index) % 2:
                continue
            n += 1
            added = 2012 + (n * 3) % 14
            renewed = added + 4 if n % 4 == 0 and added + 4 <= this_year else None
            DigitalResource.objects.update_or_create(
                title=f"{topic}（{centers[code].short_name}）",
                defaults={
                    "kind": kind,
                    "center": centers[code],
                    "subject": topic,
                    "audience": audience,
                    "url": f"https://jsjxjy.gz.edu.cn/course/{n:04d}",
                    "year_added": min(added, this_year),
                    "year_renewed": renewed,
                },
            )


def _development_schools(centers):
    """Two teacher-development schools (教师发展学校建设, charter 第七条 and
    第八条(五)): 从化区's first primary school, guided by the 中小学 center
    (current); 增城区's first primary school, which left the building."""
    specs = [
        (
            "conghua",
            "第一小学",
            "primary-secondary",
            "校本研训与新教师跟岗实践",
            date(2025, 9, 1),
            "已建立校本研修制度，承担区新教师跟岗实践两批。",
            None,
            "",
        ),
        (
            "zengcheng",
            "第一小学",
            "primary-secondary",
            "骨干教师示范课与课例研究",
            date(2024, 3, 1),
            "完成两轮课例研究。",
            date(2026, 7, 31),
            "学校合并调整，由区教师发展中心另行安排建设学校。",
        ),
    ]
    for district, suffix, guide, focus, since, progress, ended, reason in specs:
        school = School.objects.filter(district__code=district, name__endswith=suffix).first()
        district_center = Center.objects.filter(district__code=district).first()
        if school is None or district_center is None:
            continue
        TeacherDevelopmentSchool.objects.update_or_create(
            school=school,
            since=since,
            defaults={
                "district_center": district_center,
                "guiding_center": centers[guide],
                "focus": focus,
                "designated_by": district_center.name,
                "progress": progress,
                "ended_on": ended,
                "end_reason": reason,
            },
        )
