"""The rules of training, called by pages, the API, tasks and the demo alike.

* **States**: plans go draft → submitted → approved; sub-projects draft →
  submitted → approved → running → closed (and closed → running to correct,
  with a reason). Each move refuses an out-of-order step with a clear message
  and is audited.
* **Routing**: the responsible center is proposed by the centers' mandates
  (``centers.services.route_mandate``); another center needs a reason.
* **Enrolment**: a teacher applies or is nominated by their school admin; the
  district approves within its quota; seats are taken under a lock on the
  sub-project row (``select_for_update``) and the database refuses more
  seats than the capacity; a freed seat promotes the first waitlisted trainee
  in arrival order, with a notice. A seat is confirmed once the learning and
  safety commitments are acknowledged (and insurance recorded off-site).
* **Check-in**: a six-digit code per session, an HMAC of the session's secret
  and the current time window (``CHECKIN_ROTATION`` seconds), valid only in
  the session's check-in window; refused codes say why.
* **Results**: computed from the scores and the attendance by the
  sub-project's rule (weights and thresholds as data), never typed.
* **Hours**: closing posts each passing trainee's hours through
  ``credits.services.award_hours_bulk`` with the activity key
  ``training.subproject:<id>``, once whatever is re-closed; a changed result
  afterwards reverses (``credits.services.reverse_entry``) and re-posts.
"""

from __future__ import annotations

import datetime
import hashlib
import hmac
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Count, F, OuterRef, Subquery
from django.utils import timezone
from django.utils.text import format_lazy
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from centers.services import route_mandate
from core import audit, notifications
from core.models import AuditAction
from core.permissions import get_scope
from core.roles import Role
from credits import services as credits
from credits.models import CreditActivity, CreditEntry, Source

from ..models import (
    Attendance,
    AttendanceMethod,
    Enrollment,
    EnrollmentStatus,
    Grade,
    Notice,
    NoticeKind,
    Plan,
    PlanStatus,
    Quota,
    Result,
    ResultRule,
    Session,
    SubProject,
    SubProjectStatus,
)
from ..signals import subproject_closed
from . import nominations

ZERO = Decimal("0")
TENTH = Decimal("0.1")
HUNDRED = Decimal("100")


def _setting(name, default):
    return getattr(settings, name, default)


def rotation_seconds() -> int:
    """How long one check-in code lasts (30–60 s; 45 by default)."""
    return min(60, max(30, int(_setting("TRAINING_CHECKIN_ROTATION", 45))))


# --- Rights ----------------------------------------------------------------------------


def _require(user, action, obj):
    """The user may ``action`` this object (it is in their restricted scope);
    PermissionDenied otherwise."""
    model = type(obj)
    if not model.objects.restrict(user, action).filter(pk=obj.pk).exists():
        raise PermissionDenied(_("You may not do this."))


# --- Plans and sub-projects ------------------------------------------------------------

PLAN_MOVES = {
    "submit": (PlanStatus.DRAFT, PlanStatus.SUBMITTED),
    "approve": (PlanStatus.SUBMITTED, PlanStatus.APPROVED),
    "return": (PlanStatus.SUBMITTED, PlanStatus.DRAFT),
}

SUBPROJECT_MOVES = {
    "submit": (SubProjectStatus.DRAFT, SubProjectStatus.SUBMITTED),
    "approve": (SubProjectStatus.SUBMITTED, SubProjectStatus.APPROVED),
    "return": (SubProjectStatus.SUBMITTED, SubProjectStatus.DRAFT),
    "start": (SubProjectStatus.APPROVED, SubProjectStatus.RUNNING),
    "reopen": (SubProjectStatus.CLOSED, SubProjectStatus.RUNNING),
}


def _move_label(move):
    return {
        "submit": _("submit"),
        "approve": _("approve"),
        "return": _("return for changes"),
        "start": _("start"),
        "reopen": _("reopen"),
        "close": _("close"),
    }[move]


def _refuse_move(obj, move, expected):
    raise ValidationError(
        _("Cannot %(move)s: it is %(status)s; only a %(expected)s one can be.")
        % {
            "move": _move_label(move),
            "status": obj.get_status_display(),
            "expected": type(obj)._meta.get_field("status").choices[0][1]
            if expected is None
            else dict(type(obj)._meta.get_field("status").choices)[expected],
        },
        code="state",
    )


def _approver_check(user, plan):
    """Approving is the plan holder's superior: the bureau approves, or a
    district's staff for their district's own plans."""
    scope = get_scope(user)
    if scope.superuser or Role.BUREAU in scope.roles:
        return
    if plan.district_id and plan.district_id in scope.ids(Role.DISTRICT_STAFF):
        return
    raise PermissionDenied(_("Only the bureau (or the district, for its own plans) approves."))


def move_plan(*, plan, move, by, reason="") -> Plan:
    if move not in PLAN_MOVES:
        raise ValidationError(_("Unknown step."), code="move")
    with transaction.atomic():
        plan = Plan.objects.select_for_update().get(pk=plan.pk)
        if move == "approve":
            _approver_check(by, plan)
        else:
            _require(by, "change", plan)
        source, target = PLAN_MOVES[move]
        if plan.status != source:
            _refuse_move(plan, move, source)
        plan.status = target
        plan.save(update_fields=["status", "updated_at"])
        audit.record(
            AuditAction.UPDATE,
            plan,
            actor=by,
            changes={"status": [source, target]},
            message=reason or move,
        )
    return plan


def propose_center(subproject):
    """The center the mandates make responsible for the sub-project."""
    stage = subproject.stage
    mandate = route_mandate(
        training_kind=subproject.training_kind,
        target_group=subproject.target_group,
        stage=stage,
    )
    return mandate.center if mandate else None


def check_center(subproject) -> None:
    """Fill the proposed center (and the responsible one, when empty);
    another center than the proposed one needs a reason."""
    proposed = propose_center(subproject)
    subproject.proposed_center = proposed
    if subproject.center_id is None and proposed is not None:
        subproject.center = proposed
    if subproject.center_id is None:
        raise ValidationError(
            {"center": _("No mandate names a center for this work: choose the center.")}
        )
    subproject.center_reason = (subproject.center_reason or "").strip()
    if (
        proposed is not None
        and subproject.center_id != proposed.pk
        and not subproject.center_reason
    ):
        raise ValidationError(
            {
                "center_reason": _(
                    "The mandates make %(center)s responsible: say why another center is."
                )
                % {"center": proposed}
            }
        )


EDITABLE = (SubProjectStatus.DRAFT, SubProjectStatus.SUBMITTED)


def save_subproject(*, subproject, by) -> SubProject:
    """Create or change a sub-project (its plan's project must be in reach):
    the center is checked against the mandates, and a sub-project past
    approval keeps its seats and dates (capacity may grow, which promotes)."""
    creating = subproject.pk is None
    from ..models import Project

    if creating:
        if not Project.objects.restrict(by, "change").filter(pk=subproject.project_id).exists():
            raise PermissionDenied(_("You may not add sub-projects to this project."))
    else:
        _require(by, "change", SubProject.objects.get(pk=subproject.pk))
    check_center(subproject)
    if subproject.ends_on and subproject.starts_on and subproject.ends_on < subproject.starts_on:
        raise ValidationError({"ends_on": _("The sub-project ends before it starts.")})
    with transaction.atomic():
        if not creating:
            current = SubProject.objects.select_for_update().get(pk=subproject.pk)
            if subproject.capacity < current.seats_taken:
                raise ValidationError(
                    {
                        "capacity": _("%(n)s trainees hold seats: the capacity cannot be lower.")
                        % {"n": current.seats_taken}
                    }
                )
            subproject.seats_taken = current.seats_taken
            subproject.status = current.status
        else:
            subproject.status = SubProjectStatus.DRAFT
            subproject.seats_taken = 0
        subproject.full_clean(exclude=["center_reason"])
        subproject.save()
        if creating:
            ResultRule.objects.get_or_create(subproject=subproject)
        else:
            _fill_seats(subproject)
    return subproject


def set_ladder_step(*, subproject, ladder_step, by) -> SubProject:
    """The step of the centers' career ladders (``ladder:step``) the class
    trains for; "" clears it. Refused for an unknown step."""
    _require(by, "change", subproject)
    subproject.ladder_step = (ladder_step or "").strip()
    subproject.full_clean(
        exclude=[f.name for f in SubProject._meta.fields if f.name != "ladder_step"]
    )
    subproject.save(update_fields=["ladder_step", "updated_at"])
    return subproject


def move_subproject(*, subproject, move, by, reason="") -> SubProject:
    """submit / approve / return / start / reopen (close: ``close_subproject``)."""
    if move == "close":
        return close_subproject(subproject=subproject, by=by)
    if move not in SUBPROJECT_MOVES:
        raise ValidationError(_("Unknown step."), code="move")
    reason = (reason or "").strip()
    with transaction.atomic():
        sub = (
            SubProject.objects.select_for_update()
            .select_related("project__plan")
            .get(pk=subproject.pk)
        )
        if move == "approve":
            _approver_check(by, sub.project.plan)
        else:
            _require(by, "change", sub)
        source, target = SUBPROJECT_MOVES[move]
        if sub.status != source:
            _refuse_move(sub, move, source)
        if move in ("return", "reopen") and not reason:
            raise ValidationError({"reason": _("Say why.")})
        if move == "start" and not sub.sessions.exists():
            raise ValidationError(
                _("Add the timetable's sessions before starting."), code="sessions"
            )
        sub.status = target
        if move == "reopen":
            sub.closed_at = None
        sub.save(update_fields=["status", "closed_at", "updated_at"])
        audit.record(
            AuditAction.UPDATE,
            sub,
            actor=by,
            changes={"status": [source, target]},
            message=reason or move,
        )
    return sub


# --- Enrolment -------------------------------------------------------------------------

OPEN_FOR_ENROLMENT = nominations.OPEN_FOR_ENROLMENT


for _kind in NoticeKind:
    notifications.register(
        f"training.{_kind.value}", format_lazy("{} · %(subproject)s", _kind.label)
    )


def _notify(enrollment, kind):
    """The teacher's training notice, and the same in their portal notifications
    (a waitlist promotion, a decision)."""
    user_id = enrollment.teacher.user_id
    if user_id:
        Notice.objects.create(user_id=user_id, kind=kind, enrollment=enrollment)
        notifications.notify(
            recipient=user_id,
            verb=f"training.{kind}",
            url=enrollment.get_absolute_url(),
            subproject=enrollment.subproject.name,
        )


def apply(*, subproject, teacher, by) -> Enrollment:
    """A teacher applies for themself, or their school admin (or district)
    nominates them; the enrolment then waits for the district. A nomination
    counts against the district's (and school's) quota at once
    (``nominations.QuotaRoom``, under the sub-project's lock)."""
    scope = get_scope(by)
    self_ = teacher.pk in scope.ids(Role.TEACHER)
    nominating = not self_ and nominations.nominable_teachers(by).filter(pk=teacher.pk).exists()
    if not (self_ or nominating or scope.superuser):
        raise PermissionDenied(_("Only the teacher or their school admin may enrol them."))
    if not SubProject.objects.restrict(by, "view").filter(pk=subproject.pk).exists():
        raise PermissionDenied(_("This sub-project is not open to you."))
    refused = nominations.subproject_refusal(subproject, teacher)
    if refused:
        raise ValidationError(refused[1], code=refused[0])
    try:
        with transaction.atomic():
            if nominating:
                SubProject.objects.select_for_update().filter(pk=subproject.pk).first()
                over = nominations.QuotaRoom([subproject.pk]).refusal(
                    subproject.pk, teacher.district_id, teacher.school_id
                )
                if over:
                    raise ValidationError(over, code="quota")
            enrollment = Enrollment.objects.create(
                subproject=subproject,
                teacher=teacher,
                district_id=teacher.district_id,
                school_id=teacher.school_id,
                nominated_by=None if self_ else by,
            )
    except IntegrityError as exc:
        raise ValidationError(
            _("%(teacher)s is already enrolled in this sub-project.") % {"teacher": teacher},
            code="duplicate",
        ) from exc
    return enrollment


def _quota_left(sub, enrollment) -> bool:
    """Whether the enrolment's district (and school, if it has its own quota)
    has a seat of its quota left. No quotas at all: the whole city shares."""
    quotas = list(Quota.objects.filter(subproject=sub, district_id=enrollment.district_id))
    if not quotas:
        return not Quota.objects.filter(subproject=sub).exists()
    taking = Enrollment.objects.filter(
        subproject=sub, status__in=(EnrollmentStatus.ENROLLED, EnrollmentStatus.WAITLISTED)
    ).exclude(pk=enrollment.pk)
    for quota in quotas:
        if quota.school_id is None:
            used = taking.filter(district_id=enrollment.district_id).count()
        elif quota.school_id == enrollment.school_id:
            used = taking.filter(school_id=enrollment.school_id).count()
        else:
            continue
        if used >= quota.seats:
            return False
    return True


def _take_seat(sub, enrollment, now):
    """Under the sub-project's lock: a seat if one is free, else the waitlist."""
    enrollment.queued_at = now
    if sub.seats_taken < sub.capacity:
        SubProject.objects.filter(pk=sub.pk).update(seats_taken=F("seats_taken") + 1)
        sub.seats_taken += 1
        enrollment.status = EnrollmentStatus.ENROLLED
        _confirm_if_ready(enrollment, now)
    else:
        enrollment.status = EnrollmentStatus.WAITLISTED


def _confirm_if_ready(enrollment, now):
    if (
        enrollment.status == EnrollmentStatus.ENROLLED
        and enrollment.confirmed_at is None
        and enrollment.learning_commitment_at
        and enrollment.safety_commitment_at
        and (enrollment.insurance or not enrollment.subproject.off_site)
    ):
        enrollment.confirmed_at = now


def decide(*, enrollment, by, approve: bool, reason="") -> Enrollment:
    """The district approves (within its quota: a seat, else the waitlist)
    or rejects (with a reason) a pending enrolment."""
    reason = (reason or "").strip()
    if not approve and not reason:
        raise ValidationError({"reason": _("Say why the enrolment is not approved.")})
    scope = get_scope(by)
    if not (scope.superuser or enrollment.district_id in scope.ids(Role.DISTRICT_STAFF)):
        raise PermissionDenied(_("The teacher's district approves enrolments."))
    with transaction.atomic():
        sub = SubProject.objects.select_for_update().get(pk=enrollment.subproject_id)
        enrollment = Enrollment.objects.select_related("teacher", "subproject").get(
            pk=enrollment.pk
        )
        if enrollment.status != EnrollmentStatus.PENDING:
            raise ValidationError(
                _("This enrolment was already decided (%(status)s).")
                % {"status": enrollment.get_status_display()},
                code="state",
            )
        now = timezone.now()
        enrollment.decided_by = by
        enrollment.decided_at = now
        if not approve:
            enrollment.status = EnrollmentStatus.REJECTED
            enrollment.reason = reason[:300]
            enrollment.save()
            _notify(enrollment, NoticeKind.REJECTED)
            return enrollment
        if sub.status not in OPEN_FOR_ENROLMENT:
            raise ValidationError(_("This sub-project is not open for enrolment."), code="closed")
        if not _quota_left(sub, enrollment):
            raise ValidationError(
                _("The quota of %(org)s for this sub-project is used up.")
                % {
                    "org": enrollment.school
                    if _school_quota(sub, enrollment)
                    else enrollment.district
                },
                code="quota",
            )
        _take_seat(sub, enrollment, now)
        enrollment.save()
        _notify(
            enrollment,
            NoticeKind.APPROVED
            if enrollment.status == EnrollmentStatus.ENROLLED
            else NoticeKind.WAITLISTED,
        )
    return enrollment


def _school_quota(sub, enrollment) -> bool:
    return Quota.objects.filter(subproject=sub, school_id=enrollment.school_id).exists()


def _fill_seats(sub) -> list[Enrollment]:
    """Under the sub-project's lock: promote waitlisted trainees, first in
    line first, while seats are free. Each promoted one gets a notice."""
    free = sub.capacity - sub.seats_taken
    if free <= 0:
        return []
    waiting = list(
        Enrollment.objects.select_related("subproject", "teacher")
        .filter(subproject=sub, status=EnrollmentStatus.WAITLISTED)
        .order_by("queued_at", "id")[:free]
    )
    now = timezone.now()
    for enrollment in waiting:
        enrollment.status = EnrollmentStatus.ENROLLED
        _confirm_if_ready(enrollment, now)
        enrollment.save(update_fields=["status", "confirmed_at", "updated_at"])
        _notify(enrollment, NoticeKind.PROMOTED)
    if waiting:
        SubProject.objects.filter(pk=sub.pk).update(seats_taken=F("seats_taken") + len(waiting))
        sub.seats_taken += len(waiting)
    return waiting


def withdraw(*, enrollment, by, reason="") -> Enrollment:
    """The teacher (or their school admin, or the district) withdraws; a freed
    seat goes to the first waitlisted trainee at once."""
    scope = get_scope(by)
    allowed = (
        scope.superuser
        or enrollment.teacher_id in scope.ids(Role.TEACHER)
        or enrollment.school_id in scope.ids(Role.SCHOOL_ADMIN)
        or enrollment.district_id in scope.ids(Role.DISTRICT_STAFF)
    )
    if not allowed:
        raise PermissionDenied(_("You may not withdraw this enrolment."))
    with transaction.atomic():
        sub = SubProject.objects.select_for_update().get(pk=enrollment.subproject_id)
        enrollment = Enrollment.objects.get(pk=enrollment.pk)
        if enrollment.status not in (
            EnrollmentStatus.PENDING,
            EnrollmentStatus.ENROLLED,
            EnrollmentStatus.WAITLISTED,
        ):
            raise ValidationError(_("This enrolment is no longer active."), code="state")
        if sub.status == SubProjectStatus.CLOSED:
            raise ValidationError(_("The sub-project is closed."), code="closed")
        held_seat = enrollment.status == EnrollmentStatus.ENROLLED
        enrollment.status = EnrollmentStatus.WITHDRAWN
        enrollment.withdrawn_at = timezone.now()
        enrollment.reason = (reason or "").strip()[:300]
        enrollment.save()
        if held_seat:
            SubProject.objects.filter(pk=sub.pk).update(seats_taken=F("seats_taken") - 1)
            sub.seats_taken -= 1
            _fill_seats(sub)
    return enrollment


def acknowledge(*, enrollment, by, learning=False, safety=False, insurance="") -> Enrollment:
    """The teacher acknowledges the learning commitment (学习承诺书) and the
    safety commitment (安全学习承诺书); off-site classes record insurance.
    With all of them, an enrolled trainee's seat is confirmed."""
    if enrollment.teacher_id not in get_scope(by).ids(Role.TEACHER):
        raise PermissionDenied(_("Only the teacher acknowledges their commitments."))
    with transaction.atomic():
        enrollment = (
            Enrollment.objects.select_for_update()
            .select_related("subproject")
            .get(pk=enrollment.pk)
        )
        if enrollment.status not in (
            EnrollmentStatus.PENDING,
            EnrollmentStatus.ENROLLED,
            EnrollmentStatus.WAITLISTED,
        ):
            raise ValidationError(_("This enrolment is no longer active."), code="state")
        now = timezone.now()
        if learning and not enrollment.learning_commitment_at:
            enrollment.learning_commitment_at = now
        if safety and not enrollment.safety_commitment_at:
            enrollment.safety_commitment_at = now
        insurance = (insurance or "").strip()
        if insurance:
            enrollment.insurance = insurance[:100]
        if enrollment.subproject.off_site and not enrollment.insurance:
            raise ValidationError(
                {"insurance": _("This class is off-site: record the insurance policy.")}
            )
        _confirm_if_ready(enrollment, now)
        enrollment.save()
    return enrollment


# --- Sessions and check-in -------------------------------------------------------------


def add_session(
    *,
    subproject,
    by,
    title,
    starts_at,
    ends_at,
    place="",
    teacher_name="",
    opens_before=15,
    closes_after=30,
) -> Session:
    """A session of the timetable; check-in opens ``opens_before`` minutes
    before it starts and closes ``closes_after`` minutes after."""
    _require(by, "change", subproject)
    if subproject.status == SubProjectStatus.CLOSED:
        raise ValidationError(_("The sub-project is closed."), code="closed")
    if ends_at <= starts_at:
        raise ValidationError({"ends_at": _("The session ends before it starts.")})
    return Session.objects.create(
        subproject=subproject,
        title=title,
        starts_at=starts_at,
        ends_at=ends_at,
        place=place,
        teacher_name=teacher_name,
        checkin_opens_at=starts_at - datetime.timedelta(minutes=opens_before),
        checkin_closes_at=starts_at + datetime.timedelta(minutes=closes_after),
    )


def _window(at) -> int:
    return int(at.timestamp()) // rotation_seconds()


def _code_for(session, window: int) -> str:
    digest = hmac.new(
        session.secret.encode(), f"{session.pk}:{window}".encode(), hashlib.sha256
    ).digest()
    number = int.from_bytes(digest[:4], "big") % 1_000_000
    return f"{number:06d}"


@dataclass(frozen=True)
class ShownCode:
    code: str
    valid_until: datetime.datetime
    seconds_left: int


def checkin_code(session, at=None) -> ShownCode:
    """The code the room screen shows now, and when it changes."""
    at = at or timezone.now()
    window = _window(at)
    until = datetime.datetime.fromtimestamp((window + 1) * rotation_seconds(), tz=datetime.UTC)
    return ShownCode(_code_for(session, window), until, max(1, int((until - at).total_seconds())))


class CheckinRefused(ValidationError):
    """A refused check-in; ``code`` says why (not_enrolled, not_confirmed,
    not_open, closed, signed_off, expired, wrong)."""


def check_in(*, session, by, code, at=None) -> Attendance:
    """A trainee checks in with the code on the room screen. Checking in
    twice counts once (the first row is returned)."""
    at = at or timezone.now()
    code = "".join(ch for ch in str(code or "") if ch.isdigit())
    session = Session.objects.get(pk=session.pk)  # its sign-off as of now
    teacher_ids = get_scope(by).ids(Role.TEACHER)
    enrollment = (
        Enrollment.objects.filter(
            subproject_id=session.subproject_id,
            teacher__in=teacher_ids,
            status=EnrollmentStatus.ENROLLED,
        )
        .select_related("subproject")
        .first()
    )
    if enrollment is None:
        raise CheckinRefused(_("You are not enrolled in this class."), code="not_enrolled")
    if enrollment.confirmed_at is None:
        raise CheckinRefused(
            _("Acknowledge the learning and safety commitments first."), code="not_confirmed"
        )
    if session.signed_off_at is not None:
        raise CheckinRefused(
            _("The attendance of this session is signed off: ask the class's organiser."),
            code="signed_off",
        )
    if at < session.checkin_opens_at:
        raise CheckinRefused(
            _("Check-in opens at %(time)s.")
            % {"time": timezone.localtime(session.checkin_opens_at).strftime("%H:%M")},
            code="not_open",
        )
    if at > session.checkin_closes_at:
        raise CheckinRefused(
            _("Check-in closed at %(time)s.")
            % {"time": timezone.localtime(session.checkin_closes_at).strftime("%H:%M")},
            code="closed",
        )
    window = _window(at)
    if not hmac.compare_digest(code, _code_for(session, window)):
        recent = {_code_for(session, w) for w in range(window - 20, window)}
        if code in recent:
            raise CheckinRefused(
                _("This code has changed: type the one on the screen now."), code="expired"
            )
        raise CheckinRefused(_("This is not the code on the screen."), code="wrong")
    existing = Attendance.objects.filter(session=session, enrollment=enrollment).first()
    if existing is not None:
        return existing
    try:
        with transaction.atomic():
            return Attendance.objects.create(
                session=session,
                enrollment=enrollment,
                present=True,
                method=AttendanceMethod.CODE,
                checked_in_at=at,
            )
    except IntegrityError:
        return Attendance.objects.get(session=session, enrollment=enrollment)


def sign_off(*, session, by) -> Session:
    """The vendor (or the center) signs off a session's attendance; check-in
    stops, corrections still go through ``correct_attendance``."""
    _require(by, "change", session)
    with transaction.atomic():
        session = Session.objects.select_for_update().get(pk=session.pk)
        if session.signed_off_at is not None:
            raise ValidationError(_("This session is already signed off."), code="state")
        if timezone.now() < session.starts_at:
            raise ValidationError(_("The session has not started yet."), code="not_started")
        session.signed_off_at = timezone.now()
        session.signed_off_by = by
        session.save(update_fields=["signed_off_at", "signed_off_by", "updated_at"])
    return session


def correct_attendance(*, session, enrollment, present: bool, reason, by) -> Attendance:
    """The vendor records or corrects a trainee's presence, with a reason
    (audited). The trainee's result follows (and their hours, once posted)."""
    _require(by, "change", session)
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError({"reason": _("Say why the attendance is corrected.")})
    if (
        enrollment.subproject_id != session.subproject_id
        or enrollment.status != EnrollmentStatus.ENROLLED
    ):
        raise ValidationError(_("This trainee is not enrolled in this class."), code="not_enrolled")
    with transaction.atomic():
        row = (
            Attendance.objects.select_for_update()
            .filter(session=session, enrollment=enrollment)
            .first()
        )
        if row is None:
            row = Attendance(session=session, enrollment=enrollment)
        old = row.present if row.pk else None
        row.present = present
        row.method = AttendanceMethod.VENDOR
        row.reason = reason[:300]
        row.corrected_by = by
        row.save()
        audit.record(
            AuditAction.UPDATE,
            row,
            actor=by,
            changes={"present": [old, present]},
            message=reason,
        )
        if Result.objects.filter(enrollment=enrollment).exists():
            refresh_results(subproject=session.subproject, enrollments=[enrollment.pk], by=by)
    return row


# --- Results ---------------------------------------------------------------------------


def rule_for(subproject) -> ResultRule:
    rule = ResultRule.objects.filter(subproject=subproject).first()
    return rule or ResultRule(subproject=subproject)


def attendance_rates(subproject, enrollment_ids=None) -> dict[int, Decimal]:
    """Per enrolment, the share of the sub-project's sessions attended (%).
    Two queries whatever the class size."""
    total = Session.objects.filter(subproject=subproject).count()
    present = (
        Attendance.objects.filter(session__subproject=subproject, present=True)
        .values("enrollment_id")
        .annotate(n=Count("id"))
    )
    if enrollment_ids is not None:
        present = present.filter(enrollment_id__in=enrollment_ids)
    counts = {row["enrollment_id"]: row["n"] for row in present}
    if not total:
        return {}
    return {
        pk: (Decimal(n) * HUNDRED / total).quantize(TENTH, rounding=ROUND_HALF_UP)
        for pk, n in counts.items()
    }


def compute(rule, subproject, rate, scores) -> tuple[Decimal, str]:
    """The score (weighted, 0–100) and the grade the rule gives. Missing
    scores count 0; attendance below the minimum presence fails."""
    parts = {"attendance": rate, **scores}
    score = (
        sum(
            (
                Decimal(weight) * Decimal(parts.get(name) or 0)
                for name, weight in rule.weights.items()
            ),
            ZERO,
        )
        / HUNDRED
    )
    score = score.quantize(TENTH, rounding=ROUND_HALF_UP)
    if rate < subproject.min_presence:
        return score, Grade.FAIL
    if score >= rule.excellent_from:
        return score, Grade.EXCELLENT
    if score >= rule.pass_from:
        return score, Grade.PASS
    return score, Grade.FAIL


SCORE_FIELDS = ("assignment", "test", "case", "reflection")


def _check_score(name, value):
    if value in (None, ""):
        return None
    try:
        value = Decimal(str(value))
    except ArithmeticError as exc:
        raise ValidationError({name: _("A score from 0 to 100.")}) from exc
    if not value.is_finite() or value < 0 or value > 100:
        raise ValidationError({name: _("A score from 0 to 100.")})
    return value.quantize(TENTH, rounding=ROUND_HALF_UP)


def enter_result(*, enrollment, by, recommended=None, **scores) -> Result:
    """The vendor enters a trainee's scores; the result is computed. After
    closing, a changed result reverses or re-posts the hours."""
    sub = enrollment.subproject
    _require(by, "change", sub)
    if enrollment.status != EnrollmentStatus.ENROLLED:
        raise ValidationError(_("This trainee is not enrolled in this class."), code="not_enrolled")
    unknown = set(scores) - set(SCORE_FIELDS)
    if unknown:
        raise ValidationError(
            _("Unknown score: %(names)s.") % {"names": ", ".join(sorted(unknown))}
        )
    clean = {name: _check_score(name, value) for name, value in scores.items()}
    with transaction.atomic():
        result, _created = Result.objects.select_for_update().get_or_create(enrollment=enrollment)
        for name, value in clean.items():
            setattr(result, name, value)
        if recommended is not None:
            result.recommended = bool(recommended)
        result.entered_by = by
        result.save()
        refresh_results(subproject=sub, enrollments=[enrollment.pk], by=by)
        result.refresh_from_db()
    return result


def refresh_results(*, subproject, enrollments=None, by=None, post=True) -> int:
    """Recompute the results of the sub-project's trainees (or some of them)
    from their scores and attendance; once the sub-project is closed, their
    hours follow. Returns how many results changed."""
    subproject = SubProject.objects.get(pk=subproject.pk)  # its status as of now
    rule = rule_for(subproject)
    qs = Enrollment.objects.filter(subproject=subproject, status=EnrollmentStatus.ENROLLED)
    if enrollments is not None:
        qs = qs.filter(pk__in=enrollments)
    ids = list(qs.values_list("pk", flat=True))
    existing = {r.enrollment_id: r for r in Result.objects.filter(enrollment_id__in=ids)}
    missing = [Result(enrollment_id=pk) for pk in ids if pk not in existing]
    if missing:
        for result in Result.objects.bulk_create(missing):
            existing[result.enrollment_id] = result
        existing = {r.enrollment_id: r for r in Result.objects.filter(enrollment_id__in=ids)}
    rates = attendance_rates(subproject, ids)
    changed = []
    for pk, result in existing.items():
        rate = rates.get(pk, ZERO)
        score, grade = compute(
            rule, subproject, rate, {name: getattr(result, name) for name in SCORE_FIELDS}
        )
        if (result.attendance_rate, result.score, result.grade) != (rate, score, grade):
            result.attendance_rate, result.score, result.grade = rate, score, grade
            result.updated_at = timezone.now()
            changed.append(result)
    if changed:
        Result.objects.bulk_update(changed, ["attendance_rate", "score", "grade", "updated_at"])
    if post and subproject.status == SubProjectStatus.CLOSED:
        post_hours(subproject=subproject, by=by, enrollments=ids)
    return len(changed)


# --- Closing and hours -----------------------------------------------------------------


def close_subproject(*, subproject, by) -> dict:
    """Close a running sub-project: every result is computed and each passing
    trainee's hours are posted to their ledger, once."""
    with transaction.atomic():
        sub = SubProject.objects.select_for_update().get(pk=subproject.pk)
        _require(by, "change", sub)
        if sub.status != SubProjectStatus.RUNNING:
            _refuse_move(sub, "close", SubProjectStatus.RUNNING)
        open_sessions = sub.sessions.filter(signed_off_at__isnull=True).count()
        if open_sessions:
            raise ValidationError(
                _("%(n)s sessions are not signed off yet.") % {"n": open_sessions},
                code="sessions",
            )
        sub.status = SubProjectStatus.CLOSED
        sub.closed_at = timezone.now()
        sub.save(update_fields=["status", "closed_at", "updated_at"])
        audit.record(
            AuditAction.UPDATE,
            sub,
            actor=by,
            changes={"status": [SubProjectStatus.RUNNING, SubProjectStatus.CLOSED]},
            key=audit.register_message("training.close", gettext_lazy("Sub-project closed")),
        )
        refresh_results(subproject=sub, by=by, post=False)
        transaction.on_commit(
            lambda: subproject_closed.send(sender=SubProject, subproject_id=sub.pk)
        )
        return post_hours(subproject=sub, by=by)


def post_hours(*, subproject, by=None, enrollments=None) -> dict:
    """Make the ledger agree with the results of a closed sub-project:
    passing trainees without counted hours get them (one set-based
    ``award_hours_bulk``; an activity that already counts writes nothing);
    trainees who no longer pass, or whose hours changed, have their entry
    reversed (and re-posted when they pass). Returns counts.

    A fixed number of queries for the awards whatever the class size: one
    read of the trainees (plain rows, no model instances), the bulk award,
    one UPDATE linking each enrolment to the entry that counts its activity,
    one bulk insert of the notices. Each reversal is ``credits.reverse_entry``
    (a changed result: a handful of trainees, not the class). The ledger's
    writes queue one completion refresh for the transaction (``credits``
    merges them), not one per trainee."""
    if subproject.status != SubProjectStatus.CLOSED:
        raise ValidationError(_("Hours are posted when the sub-project closes."), code="state")
    qs = Enrollment.objects.filter(subproject=subproject, status=EnrollmentStatus.ENROLLED)
    if enrollments is not None:
        qs = qs.filter(pk__in=enrollments)
    rows = qs.order_by("pk").values_list(
        "pk",
        "teacher_id",
        "teacher__user_id",
        "result__grade",
        "credit_entry_id",
        "credit_entry__hours",
    )
    earned_on = min(subproject.ends_on, timezone.localdate())
    counts = {"posted": 0, "already_counted": 0, "reversed": 0}
    passing = {Grade.EXCELLENT, Grade.PASS}
    to_award, reversed_ids = [], []
    with transaction.atomic():
        for pk, teacher_id, user_id, grade, entry_id, entry_hours in rows:
            passes = grade in passing
            if entry_id is not None and (not passes or entry_hours != subproject.hours):
                credits.reverse_entry(
                    entry=CreditEntry(pk=entry_id),
                    reason=_("Training result changed: %(sub)s") % {"sub": subproject},
                    by=by,
                )
                reversed_ids.append(pk)
                counts["reversed"] += 1
                entry_id = None
            if passes and entry_id is None:
                to_award.append((pk, teacher_id, user_id))
        if reversed_ids:
            Enrollment.objects.filter(pk__in=reversed_ids).update(
                credit_entry=None, updated_at=timezone.now()
            )
        if to_award:
            outcomes = credits.award_hours_bulk(
                awards=[
                    {
                        "teacher": teacher_id,
                        "hours": subproject.hours,
                        "category": subproject.credit_category,
                        "source": Source.TRAINING,
                        "earned_on": earned_on,
                        "activity_key": subproject.activity_key,
                        "title": subproject.name,
                    }
                    for _pk, teacher_id, _user in to_award
                ],
                registered_by=by,
            )
            for outcome in outcomes:
                counts["posted" if outcome["status"] == "created" else "already_counted"] += 1
            _link_by_activity(subproject, [pk for pk, _t, _u in to_award])
            Notice.objects.bulk_create(
                [
                    Notice(user_id=user_id, kind=NoticeKind.HOURS_POSTED, enrollment_id=pk)
                    for pk, _teacher, user_id in to_award
                    if user_id
                ],
                batch_size=1000,
            )
    return counts


def _link_by_activity(subproject, enrollment_ids) -> None:
    """Point each enrolment at the entry that counts its activity: one UPDATE,
    each row joined to its teacher's ``CreditActivity`` of the sub-project's
    activity key (unique per teacher and key, so an index look-up a row).
    The entry is the one ``award_hours_bulk`` created or found counting."""
    if not enrollment_ids:
        return
    counting = CreditActivity.objects.filter(
        teacher_id=OuterRef("teacher_id"), key=subproject.activity_key
    ).values("entry_id")[:1]
    Enrollment.objects.filter(pk__in=enrollment_ids).update(
        credit_entry_id=Subquery(counting), updated_at=timezone.now()
    )


def _link_entries(by_entry: dict[int, int]) -> None:
    """Point enrolments at given entries ({enrolment id: entry id}) with one
    UPDATE: the district sync's batches, which span sub-projects (one
    activity key each); a closing links by its key (``_link_by_activity``)."""
    from django.db.models import Case, IntegerField, Value, When

    if not by_entry:
        return
    Enrollment.objects.filter(pk__in=by_entry).update(
        credit_entry_id=Case(
            *(When(pk=pk, then=Value(entry_id)) for pk, entry_id in by_entry.items()),
            output_field=IntegerField(),
        ),
        updated_at=timezone.now(),
    )


# --- Reading ---------------------------------------------------------------------------


def next_session(enrollment, now=None):
    now = now or timezone.now()
    return (
        Session.objects.filter(subproject_id=enrollment.subproject_id, ends_at__gte=now)
        .order_by("starts_at")
        .first()
    )


def today_sessions(subproject, today=None):
    today = today or timezone.localdate()
    return Session.objects.filter(subproject=subproject, starts_at__date=today).order_by(
        "starts_at"
    )


def waitlist(subproject):
    return Enrollment.objects.filter(
        subproject=subproject, status=EnrollmentStatus.WAITLISTED
    ).order_by("queued_at", "id")


__all__ = [name for name in dir() if not name.startswith("_") and name not in ("Q",)]


# --- Claims for the same course --------------------------------------------------------


def _normal(text: str) -> str:
    return "".join((text or "").split()).casefold()


def refuse_duplicate_claim(*, teacher, title, earned_on):
    """A teacher's own claim (``credits.services.submit_claim``) for a
    sub-project they are enrolled in is refused: those hours reach the ledger
    by themselves, under ``training.subproject:<id>``."""
    wanted = _normal(title)
    if len(wanted) < 2:
        return None
    rows = (
        Enrollment.objects.filter(teacher=teacher, status=EnrollmentStatus.ENROLLED)
        .select_related("subproject")
        .only("credit_entry_id", "subproject__name", "subproject__id")
    )
    for enrollment in rows:
        name = _normal(enrollment.subproject.name)
        if name and (name in wanted or wanted in name):
            if enrollment.credit_entry_id:
                return _(
                    "The hours of 「%(name)s」 are already on your ledger (training %(key)s)."
                ) % {"name": enrollment.subproject.name, "key": enrollment.subproject.activity_key}
            return _(
                "「%(name)s」 is a portal training you are enrolled in: its hours are posted "
                "to your ledger when it closes, with no claim."
            ) % {"name": enrollment.subproject.name}
    return None


def enrollment_counts(subproject) -> dict[str, int]:
    """Enrolments of a sub-project by status: its seats and waitlist as a
    figure of the sub-project, the same for whoever may see it."""
    return dict(
        Enrollment.objects.filter(subproject=subproject)
        .values_list("status")
        .annotate(n=Count("id"))
        .values_list("status", "n")
    )


def enrolled_per_district(year) -> dict:
    """Enrolled trainees of ``year``'s plans per district, and the city's
    total under ``None``: the monthly snapshot's figure (one query)."""
    from django.db.models import Count

    rows = (
        Enrollment.objects.filter(
            status=EnrollmentStatus.ENROLLED, subproject__project__plan__year=year
        )
        .order_by()
        .values("district_id")
        .annotate(n=Count("pk"))
    )
    values = {row["district_id"]: row["n"] for row in rows}
    values[None] = sum(values.values())
    return values
