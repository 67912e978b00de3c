"""The alliance's rules: the chair rotation and the secretariat handover, the
plan/report workflow, common forum themes, results roll-up, room bookings,
the faculty-sharing register and the digital-resource renewal rate.

Pages, API views, tasks and the demo loader all call these functions; they
raise ``ValidationError`` (bad input, a wrong step) or ``PermissionDenied``
(a role that may not take the step) with a message fit for the user.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from datetime import date, timedelta

from django.core.cache import cache
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Q, Sum
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, gettext_noop

from centers.models import Center, CenterKind, Room, StaffMember
from centers.services import standard_shortfall
from core import audit
from core.formats import format_datetime
from core.models import AuditAction, Membership
from core.permissions import can, get_scope, sees_all
from core.roles import Role

from .models import (
    COMMON_THEME_KINDS,
    Achievement,
    AchievementKind,
    AssistanceActivity,
    AssistancePair,
    Booking,
    CenterPlan,
    CenterPlanKind,
    CenterPlanStatus,
    ChairTerm,
    CouncilMember,
    DigitalResource,
    DocumentComment,
    DocumentStatus,
    DocumentStep,
    DocumentVersion,
    FacultyEngagement,
    FollowUp,
    FollowUpStatus,
    GuidanceFollowUp,
    GuidanceVisit,
    JointProject,
    MeetingKind,
    ProjectStatus,
    Proposal,
    ProposalOrigin,
    ProposalStatus,
    Resolution,
    SharedFaculty,
    TeacherDevelopmentSchool,
    WorkDocument,
)

audit.register_people_change("ended", gettext_lazy("accounts ended"))
audit.register_people_change("granted", gettext_lazy("accounts granted"))
HANDOVER_MESSAGE = audit.register_message(
    "alliance.handover",
    gettext_lazy(
        "Secretariat at %(center)s from %(date)s: %(ended)s accounts ended, %(granted)s granted"
    ),
)

logger = logging.getLogger(__name__)

# --- Council and chair rotation -------------------------------------------------


def member_centers():
    """The active council members' centers, in rotation order."""
    return Center.objects.filter(
        council_member__is_active=True, kind=CenterKind.MUNICIPAL
    ).order_by("council_member__order")


def district_centers():
    """The district centers (区级教师发展中心), those the members help."""
    return Center.objects.filter(kind=CenterKind.DISTRICT).order_by("code")


def is_member_center(center_id) -> bool:
    return CouncilMember.objects.filter(center_id=center_id, is_active=True).exists()


def term_on(day: date) -> ChairTerm | None:
    """The chair term covering ``day``, if any."""
    return (
        ChairTerm.objects.select_related("center", "secretary_general")
        .filter(starts_on__lte=day, ends_on__gte=day)
        .first()
    )


def next_term(day: date) -> ChairTerm | None:
    """The first term starting after ``day``."""
    return (
        ChairTerm.objects.select_related("center")
        .filter(starts_on__gt=day)
        .order_by("starts_on")
        .first()
    )


def one_year_after(start: date) -> date:
    """The last day of a one-year term starting on ``start``."""
    try:
        anniversary = start.replace(year=start.year + 1)
    except ValueError:  # 29 February
        anniversary = start.replace(year=start.year + 1, day=28) + timedelta(days=1)
    return anniversary - timedelta(days=1)


def check_term(term: ChairTerm) -> None:
    """A term lasts one year (charter art. 6: 每届任期一年), its center is an
    active council member, it overlaps no other term, and the
    secretary-general is staff of the chair's center."""
    errors = {}
    if term.starts_on and term.ends_on:
        if term.ends_on != one_year_after(term.starts_on):
            errors["ends_on"] = _("A chair term lasts one year: it should end on %(day)s.") % {
                "day": one_year_after(term.starts_on).isoformat()
            }
        else:
            clash = (
                ChairTerm.objects.filter(starts_on__lte=term.ends_on, ends_on__gte=term.starts_on)
                .exclude(pk=term.pk)
                .select_related("center")
                .first()
            )
            if clash is not None:
                errors["starts_on"] = _("This term overlaps the term of %(term)s.") % {
                    "term": clash
                }
    if term.center_id and not is_member_center(term.center_id):
        errors["center"] = _("Only an active council member can hold the chair.")
    if term.secretary_general_id and term.center_id:
        on = term.starts_on or timezone.localdate()
        staff = center_staff_user_ids(term.center_id, on)
        if term.secretary_general_id not in staff:
            errors["secretary_general"] = _(
                "The secretary-general is nominated by the chair's center from its own staff."
            )
    if errors:
        raise ValidationError(errors)


def propose_next_term(last: ChairTerm | None = None, members=None) -> ChairTerm:
    """The term that follows ``last`` (the latest term when omitted), not saved:
    the next member after the last chair in rotation order (the first member
    when there is no term yet), starting the day after the last term ends and
    lasting one year. With no active member the center is left empty."""
    if members is None:
        members = list(CouncilMember.objects.filter(is_active=True).order_by("order"))
    if last is None:
        last = ChairTerm.objects.order_by("-starts_on").first()
    if last is None:
        start = timezone.localdate().replace(month=11, day=1)
        member = members[0] if members else None
        sequence = 1
    else:
        start = last.ends_on + timedelta(days=1)
        ids = [m.center_id for m in members]
        position = ids.index(last.center_id) + 1 if last.center_id in ids else 0
        member = members[position % len(members)] if members else None
        sequence = last.sequence + 1
    return ChairTerm(
        sequence=sequence,
        center_id=member.center_id if member else None,
        starts_on=start,
        ends_on=one_year_after(start),
    )


def extend_rotation(*, years: int = 1, user=None) -> list[ChairTerm]:
    """Add the next ``years`` terms (``propose_next_term``), each checked."""
    members = list(CouncilMember.objects.filter(is_active=True).order_by("order"))
    if not members:
        raise ValidationError(_("The council has no active members yet."))
    created = []
    with transaction.atomic():
        last = ChairTerm.objects.select_for_update().order_by("-starts_on").first()
        for _i in range(years):
            term = propose_next_term(last, members)
            check_term(term)
            term.save()
            created.append(term)
            last = term
    return created


def check_council_member(member: CouncilMember) -> None:
    """A member's council representative and liaison are on the staff of
    that member's center (an active center-staff membership)."""
    if not member.center_id:
        return
    errors = {}
    staff = center_staff_user_ids(member.center_id, timezone.localdate())
    for name in ("representative", "liaison"):
        person_id = getattr(member, f"{name}_id")
        if person_id is not None and person_id not in staff:
            errors[name] = _("Choose someone on the staff of %(center)s.") % {
                "center": member.center
            }
    if errors:
        raise ValidationError(errors)


def center_staff_user_ids(center_id, on: date) -> set[int]:
    return set(
        Membership.objects.active(on)
        .filter(role=Role.CENTER_STAFF, organisation_id=center_id)
        .values_list("user_id", flat=True)
    )


@dataclass
class HandoverResult:
    day: date
    term: ChairTerm | None
    ended: list[int] = field(default_factory=list)  # user ids whose rights ended
    granted: list[int] = field(default_factory=list)  # user ids given rights

    @property
    def changed(self) -> bool:
        return bool(self.ended or self.granted)


ROTATION_NOTE = "alliance chair rotation"


def sync_secretariat(today: date | None = None) -> HandoverResult:
    """Make the secretariat rights on ``today`` match the chair rotation.

    The staff of the chair's center (active center-staff memberships) hold
    ``Role.SECRETARIAT`` at that center; every other active secretariat
    membership ends the day before. Running it again changes nothing. A
    change is audited as a handover. With no term covering ``today`` (a gap in
    the schedule) nothing is touched: rights stay where they were until a
    chair is recorded."""
    today = today or timezone.localdate()
    result = HandoverResult(day=today, term=term_on(today))
    term = result.term
    if term is None:
        logger.warning("alliance: no chair term covers %s; secretariat left as it is", today)
        return result
    with transaction.atomic():
        wanted = center_staff_user_ids(term.center_id, today)
        current = list(
            Membership.objects.active(today)
            .select_for_update()
            .filter(role=Role.SECRETARIAT)
            .order_by("pk")
        )
        keep = set()
        for membership in current:
            if membership.organisation_id == term.center_id and membership.user_id in wanted:
                keep.add(membership.user_id)
                continue
            # Rights at another center end with the previous term, even when
            # this runs some days late; a person leaving the chair's staff
            # loses them from today.
            if (
                membership.organisation_id != term.center_id
                and membership.starts_on < term.starts_on
            ):
                last_day = term.starts_on - timedelta(days=1)
            else:
                last_day = today - timedelta(days=1)
            if last_day < membership.starts_on:
                # Granted today and already wrong (a same-day correction).
                membership.delete()
            else:
                membership.ends_on = last_day
                membership.save(update_fields=["ends_on"])
            result.ended.append(membership.user_id)
        for user_id in sorted(wanted - keep):
            Membership.objects.create(
                user_id=user_id,
                role=Role.SECRETARIAT,
                organisation_id=term.center_id,
                starts_on=today,
                note=ROTATION_NOTE,
            )
            result.granted.append(user_id)
        if result.changed:
            if term.handed_over_at is None:
                term.handed_over_at = timezone.now()
                term.save(update_fields=["handed_over_at"])
            audit.record(
                AuditAction.HANDOVER,
                term,
                changes={"ended": sorted(result.ended), "granted": sorted(result.granted)},
                key=HANDOVER_MESSAGE,
                params={
                    "center": str(term.center),
                    "date": today.isoformat(),
                    "ended": len(result.ended),
                    "granted": len(result.granted),
                },
            )
    return result


SYNC_CACHE_KEY = "alliance:secretariat-synced:{day}"


def ensure_secretariat_synced(today: date | None = None) -> bool:
    """Run ``sync_secretariat`` once a day from sign-in (``signals``): the
    first caller of the day does it; every later call is one cache lookup and
    no query. Returns whether this call ran it. Pages and API reads never
    call it (no writes on GET); the periodic task is the main path."""
    today = today or timezone.localdate()
    key = SYNC_CACHE_KEY.format(day=today.isoformat())
    if not cache.add(key, True, timeout=60 * 60 * 26):
        return False
    try:
        sync_secretariat(today)
    except Exception:
        cache.delete(key)
        raise
    return True


# --- Annual work plan and report ---------------------------------------------------


@dataclass(frozen=True)
class Transition:
    name: str
    label: str
    sources: tuple[str, ...]
    target: str
    role: str
    needs_note: bool = False


def _t(name, label, sources, target, role, needs_note=False):
    return Transition(name, label, tuple(sources), target, role, needs_note)


TRANSITIONS = {
    t.name: t
    for t in [
        _t(
            "open_consultation",
            gettext_noop("Send to members for comments"),
            [DocumentStatus.DRAFT],
            DocumentStatus.CONSULTATION,
            Role.SECRETARIAT,
        ),
        _t(
            "withdraw",
            gettext_noop("Back to draft"),
            [DocumentStatus.CONSULTATION],
            DocumentStatus.DRAFT,
            Role.SECRETARIAT,
        ),
        _t(
            "approve",
            gettext_noop("Record the council's approval"),
            [DocumentStatus.CONSULTATION],
            DocumentStatus.APPROVED,
            Role.SECRETARIAT,
        ),
        _t(
            "file",
            gettext_noop("File with the bureau"),
            [DocumentStatus.APPROVED],
            DocumentStatus.FILED,
            Role.SECRETARIAT,
        ),
        _t(
            "receive",
            gettext_noop("Receive the filing"),
            [DocumentStatus.FILED],
            DocumentStatus.RECEIVED,
            Role.BUREAU,
        ),
        _t(
            "return",
            gettext_noop("Return to the secretariat"),
            [DocumentStatus.FILED],
            DocumentStatus.DRAFT,
            Role.BUREAU,
            needs_note=True,
        ),
    ]
}


def transitions_for(document: WorkDocument, user) -> list[Transition]:
    """The steps ``user`` may take on ``document`` now."""
    scope = get_scope(user)
    return [
        t for t in TRANSITIONS.values() if document.status in t.sources and scope.has_role(t.role)
    ]


def _require_secretariat(user):
    if not get_scope(user).has_role(Role.SECRETARIAT):
        raise PermissionDenied(_("Only the alliance secretariat drafts plans and reports."))


def _save_version(document, user):
    DocumentVersion.objects.create(
        document=document,
        number=document.version,
        title=document.title,
        body=document.body,
        author=user if user and user.is_authenticated else None,
    )


def create_document(*, user, kind, year, title, body) -> WorkDocument:
    """The secretariat starts a plan or report for a year (version 1)."""
    _require_secretariat(user)
    if WorkDocument.objects.filter(kind=kind, year=year).exists():
        raise ValidationError(
            {"year": _("There is already a document of this kind for %(year)s.") % {"year": year}}
        )
    with transaction.atomic():
        document = WorkDocument.objects.create(
            kind=kind, year=year, title=title, body=body, created_by=user
        )
        _save_version(document, user)
        DocumentStep.objects.create(
            document=document,
            action="create",
            from_status="",
            to_status=document.status,
            version=1,
            actor=user,
        )
    return document


def edit_document(document: WorkDocument, *, user, title, body) -> WorkDocument:
    """Save a new version of the text; earlier versions stay readable. Only a
    draft or a document under consultation can change."""
    _require_secretariat(user)
    original = document
    with transaction.atomic():
        document = WorkDocument.objects.select_for_update().get(pk=document.pk)
        if not document.is_editable:
            raise ValidationError(
                _("A document that is %(status)s can no longer be edited.")
                % {"status": document.get_status_display()}
            )
        if title == document.title and body == document.body:
            return document  # nothing changed: no new version (a resent form)
        document.title, document.body = title, body
        document.version += 1
        document.save()
        _save_version(document, user)
    return _refresh(original, document)


def _refresh(target: WorkDocument, source: WorkDocument) -> WorkDocument:
    """Let the caller's instance see what a locked, fresh copy saved."""
    for attr in ("title", "body", "status", "version", "approved_at_meeting_id", "updated_at"):
        setattr(target, attr, getattr(source, attr))
    target._audit_snapshot = source._audit_values()
    return source


def check_approval_meeting(meeting) -> None:
    """The council approves plans and reports (charter): the approval names
    the council meeting (理事会会议) where it was given."""
    if meeting is None:
        raise ValidationError(
            {"meeting": _("Name the council meeting at which the council approved it.")}
        )
    if meeting.kind != MeetingKind.COUNCIL:
        raise ValidationError(
            {"meeting": _("Plans and reports are approved at a council meeting only.")}
        )


def transition(document: WorkDocument, name: str, *, user, note: str = "", meeting=None):
    """Take one workflow step. A step that does not exist, is not open from
    the document's status, or belongs to another role is refused with a
    message saying why; each step taken is recorded."""
    step = TRANSITIONS.get(name)
    if step is None:
        raise ValidationError(_("Unknown step “%(name)s”.") % {"name": name})
    if not get_scope(user).has_role(step.role):
        raise PermissionDenied(
            _("Only the %(role)s may take the step “%(step)s”.")
            % {"role": Role(step.role).label, "step": _(step.label)}
        )
    original = document
    with transaction.atomic():
        document = WorkDocument.objects.select_for_update().get(pk=document.pk)
        if document.status not in step.sources:
            raise ValidationError(
                _("“%(step)s” is not possible while the document is %(status)s.")
                % {"step": _(step.label), "status": document.get_status_display()}
            )
        if step.needs_note and not note.strip():
            raise ValidationError({"note": _("Say why the document goes back.")})
        if name == "approve":
            check_approval_meeting(meeting)
        previous = document.status
        document.status = step.target
        if name == "approve":
            document.approved_at_meeting = meeting
        document.save()
        DocumentStep.objects.create(
            document=document,
            action=name,
            from_status=previous,
            to_status=step.target,
            version=document.version,
            actor=user,
            note=note,
        )
    return _refresh(original, document)


def comment_center_ids(user) -> list[int]:
    """The member centers ``user`` may comment for: their own member
    centers (as center staff or secretariat), in id order."""
    member_ids = CouncilMember.objects.filter(is_active=True).values("center_id")
    return list(
        Center.objects.restrict(user, "comment_for")
        .filter(pk__in=member_ids)
        .order_by("pk")
        .values_list("pk", flat=True)
    )


def check_can_comment(document: WorkDocument, *, user) -> list[int]:
    """Who may comment, and when: staff of a council member center with the
    right to add comments, while the document is sent to members. Returns
    the centers they may comment for; raises ``PermissionDenied`` or
    ``ValidationError`` saying why not."""
    if not can(user, "add", DocumentComment):
        raise PermissionDenied(_("Only staff of council member centers comment on documents."))
    if document.status != DocumentStatus.CONSULTATION:
        raise ValidationError(_("Comments are open only while the document is sent to members."))
    own = comment_center_ids(user)
    if not own:
        raise PermissionDenied(_("Only staff of council member centers comment on documents."))
    return own


def can_comment(document: WorkDocument, *, user) -> bool:
    """Whether ``check_can_comment`` lets ``user`` comment now (for pages)."""
    try:
        check_can_comment(document, user=user)
    except (PermissionDenied, ValidationError):
        return False
    return True


def add_comment(document: WorkDocument, *, user, body: str, center=None) -> DocumentComment:
    """A council member's staff comment on a document under consultation."""
    own = check_can_comment(document, user=user)
    if not body.strip():
        raise ValidationError({"body": _("Write a comment.")})
    if center is not None:
        center_id = center.pk if hasattr(center, "pk") else int(center)
        if center_id not in own:
            raise PermissionDenied(_("You can comment only for your own member center."))
    else:
        center_id = own[0]
    return DocumentComment.objects.create(
        document=document, version=document.version, center_id=center_id, author=user, body=body
    )


# --- Meetings and forums --------------------------------------------------------


def check_common_theme(*, kind, theme, common_problem, shared_by) -> None:
    """An annual meeting's or forum's theme must be a problem common to all
    member centers (charter art. 7): the problem is described and every active
    member is listed as sharing it."""
    if kind not in COMMON_THEME_KINDS:
        return
    errors = {}
    if not (theme or "").strip():
        errors["theme"] = _("An annual meeting or forum needs a theme.")
    if not (common_problem or "").strip():
        errors["common_problem"] = _("Describe the problem common to the member centers.")
    shared = {c.pk if hasattr(c, "pk") else int(c) for c in (shared_by or [])}
    members = list(member_centers())
    missing = [c for c in members if c.pk not in shared]
    if missing:
        errors["problem_shared_by"] = _(
            "The theme must be a problem common to all member centers; not confirmed by: %(names)s."
        ) % {"names": "、".join(str(c) for c in missing)}
    if errors:
        raise ValidationError(errors)


# --- Council resolutions and their follow-up -------------------------------------

#: What the owner center's staff may change on a follow-up action: they report
#: on it; the secretariat assigns it (resolution, center, action, due date).
FOLLOW_UP_REPORT_FIELDS = ("status", "report")
FOLLOW_UP_ASSIGNED_FIELDS = ("resolution_id", "center_id", "action", "due_on")


def check_resolution(resolution: Resolution) -> None:
    """A resolution is adopted at a council meeting (理事会会议), not at an
    annual meeting or forum."""
    meeting = resolution.meeting if resolution.meeting_id else None
    if meeting is not None and meeting.kind != MeetingKind.COUNCIL:
        raise ValidationError({"meeting": _("A resolution is adopted at a council meeting.")})


def check_follow_up(follow_up: FollowUp, *, user, original: FollowUp | None = None) -> None:
    """The rules of a follow-up action:

    - its owner is a council member center;
    - it is due on or after the meeting that adopted the resolution;
    - a done action says in its report what was done;
    - only the secretariat (who may add actions) assigns or reassigns one;
      the owner center's staff change only its status and report."""
    if not can(user, "add", FollowUp):
        before = original
        if before is None:
            raise PermissionDenied(_("Only the secretariat assigns follow-up actions."))
        changed = [
            f for f in FOLLOW_UP_ASSIGNED_FIELDS if getattr(before, f) != getattr(follow_up, f)
        ]
        if changed:
            raise PermissionDenied(
                _(
                    "The owner center reports on its action (status and report); "
                    "only the secretariat changes what was assigned."
                )
            )
    errors = {}
    if follow_up.center_id and not is_member_center(follow_up.center_id):
        errors["center"] = _("A follow-up action is owned by a council member center.")
    if follow_up.resolution_id and follow_up.due_on:
        held_on = follow_up.resolution.meeting.held_on
        if follow_up.due_on < held_on:
            errors["due_on"] = _(
                "The action cannot be due before the meeting that adopted it (%(date)s)."
            ) % {"date": f"{held_on:%Y-%m-%d}"}
    if follow_up.status == FollowUpStatus.DONE and not (follow_up.report or "").strip():
        errors["report"] = _("Say in the report what was done.")
    if errors:
        raise ValidationError(errors)


def stamp_follow_up(follow_up: FollowUp, *, user, original: FollowUp | None = None) -> None:
    """Before saving: ``done_on`` is the day it became done (cleared if it is
    reopened), and a changed report or status records who reported."""
    if follow_up.status == FollowUpStatus.DONE:
        if follow_up.done_on is None:
            follow_up.done_on = timezone.localdate()
    else:
        follow_up.done_on = None
    reported = follow_up.report or follow_up.status != FollowUpStatus.OPEN
    changed = original is None or any(
        getattr(original, f) != getattr(follow_up, f) for f in FOLLOW_UP_REPORT_FIELDS
    )
    if reported and changed:
        follow_up.reported_by = user


def follow_up_summary(queryset) -> dict:
    """How many actions are done, open and overdue (for the resolution
    page and the list's heading)."""
    today = timezone.localdate()
    done = open_ = overdue = 0
    for status, due_on in queryset.values_list("status", "due_on"):
        if status == FollowUpStatus.DONE:
            done += 1
        else:
            open_ += 1
            overdue += due_on < today
    return {"done": done, "open": open_, "overdue": overdue, "total": done + open_}


# --- Joint projects -----------------------------------------------------------------


def check_project(
    project: JointProject, *, partner_ids, user, original: JointProject | None = None
) -> None:
    """The rules of a joint project (联合项目):

    - the lead and the partners are council member centers, with at least
      one partner, and the lead is not also a partner;
    - a completed project has an end date and says its outcome;
    - only the secretariat (who may add projects) names or changes the lead;
      the lead center's staff keep the rest of their project."""
    if not can(user, "add", JointProject):
        if original is None:
            raise PermissionDenied(_("Only the secretariat records joint projects."))
        if original.lead_center_id != project.lead_center_id:
            raise PermissionDenied(_("Only the secretariat changes a project's lead center."))
    errors = {}
    partners = {int(getattr(p, "pk", p)) for p in partner_ids}
    members = set(member_centers().values_list("pk", flat=True))
    if project.lead_center_id and project.lead_center_id not in members:
        errors["lead_center"] = _("The lead center is a council member center.")
    if not partners:
        errors["partner_centers"] = _("Name at least one partner center.")
    elif partners - members:
        errors["partner_centers"] = _("Partner centers are council member centers.")
    elif project.lead_center_id in partners:
        errors["partner_centers"] = _("The lead center is not also a partner.")
    if project.status == ProjectStatus.COMPLETED:
        if not project.ends_on:
            errors["ends_on"] = _("A completed project has an end date.")
        if not (project.outcome or "").strip():
            errors["outcome"] = _("Say what the completed project achieved.")
    if errors:
        raise ValidationError(errors)


# --- Paired assistance ------------------------------------------------------------------


def check_pair(pair: AssistancePair, *, user, original: AssistancePair | None = None) -> None:
    """A pair (结对帮扶) joins a council member center (helping) with a
    district center (assisted); only the secretariat makes or changes the
    pairing itself, the helping center's staff keep its focus and dates."""
    if not can(user, "add", AssistancePair):
        if original is None:
            raise PermissionDenied(_("Only the secretariat pairs centers."))
        if (original.helper_center_id, original.assisted_center_id) != (
            pair.helper_center_id,
            pair.assisted_center_id,
        ):
            raise PermissionDenied(_("Only the secretariat changes which centers are paired."))
    errors = {}
    if pair.helper_center_id and not is_member_center(pair.helper_center_id):
        errors["helper_center"] = _("The helping center is a council member center.")
    if (
        pair.assisted_center_id
        and not Center.objects.filter(pk=pair.assisted_center_id, kind=CenterKind.DISTRICT).exists()
    ):
        errors["assisted_center"] = _("The assisted center is a district center.")
    if errors:
        raise ValidationError(errors)


def check_activity(activity: AssistanceActivity, *, user) -> None:
    """An activity belongs to a pair the user keeps (the secretariat: any;
    the helping center's staff: their own) and falls within the pairing."""
    if activity.pair_id is None:
        return
    if not AssistancePair.objects.restrict(user, "change").filter(pk=activity.pair_id).exists():
        raise PermissionDenied(_("Activities are recorded by the helping center."))
    pair = activity.pair
    day = activity.held_on
    if day and (day < pair.starts_on or (pair.ends_on and day > pair.ends_on)):
        raise ValidationError(
            {
                "held_on": _("The activity falls outside the pairing (%(period)s).")
                % {
                    "period": f"{pair.starts_on:%Y-%m-%d} – "
                    + (f"{pair.ends_on:%Y-%m-%d}" if pair.ends_on else "")
                }
            }
        )


def activities_by_year(activities) -> list[tuple[int, int, int]]:
    """(year, activities, participants) per year, newest first: the pair's
    yearly record."""
    years: dict[int, list[int]] = {}
    for held_on, participants in activities.values_list("held_on", "participants"):
        row = years.setdefault(held_on.year, [0, 0])
        row[0] += 1
        row[1] += participants
    return [(y, n, p) for y, (n, p) in sorted(years.items(), reverse=True)]


# --- Results statistics ----------------------------------------------------------


@dataclass
class Rollup:
    year: int
    centers: list
    kinds: list  # [(value, label)]
    cells: dict  # (center_id, kind) -> count
    by_kind: dict  # kind -> total
    by_center: dict  # center_id -> total
    total: int
    missing: list  # member centers that reported nothing for the year

    def center_totals(self):
        return [self.by_center.get(c.pk, 0) for c in self.centers]

    def rows(self):
        for value, label in self.kinds:
            yield (
                label,
                [self.cells.get((c.pk, value), 0) for c in self.centers],
                self.by_kind.get(value, 0),
            )


def results_rollup(*, year: int, user) -> Rollup:
    """The year's results per member and kind, with totals, as the annual
    report states them. Reads through the user's scope."""
    rows = (
        Achievement.objects.restrict(user, "view")
        .filter(year=year)
        .values("center_id", "kind")
        .annotate(n=Sum("count"))
    )
    cells = {(r["center_id"], r["kind"]): r["n"] for r in rows}
    centers = list(member_centers())
    visible = {cid for cid, _k in cells}
    by_kind, by_center = {}, {}
    for (cid, kind), n in cells.items():
        by_kind[kind] = by_kind.get(kind, 0) + n
        by_center[cid] = by_center.get(cid, 0) + n
    return Rollup(
        year=year,
        centers=centers,
        kinds=list(AchievementKind.choices),
        cells=cells,
        by_kind=by_kind,
        by_center=by_center,
        total=sum(by_kind.values()),
        missing=[c for c in centers if c.pk not in visible],
    )


def check_achievement(*, user, center_id) -> None:
    if not is_member_center(center_id):
        raise ValidationError({"center": _("Results are reported by council member centers.")})
    if Center.objects.restrict(user, "act_for").filter(pk=center_id).exists():
        return
    raise PermissionDenied(_("You can report results only for your own center."))


# --- Shared rooms ------------------------------------------------------------------


def bookable_rooms():
    """Rooms the members share (every center's ``bookable`` rooms): the
    alliance's facilities register, open to all members by design."""
    return Room.objects.filter(bookable=True).select_related("campus__center")


def overlapping(room_id, starts_at, ends_at, exclude_pk=None):
    qs = Booking.objects.filter(
        room_id=room_id, cancelled_at__isnull=True, starts_at__lt=ends_at, ends_at__gt=starts_at
    )
    if exclude_pk:
        qs = qs.exclude(pk=exclude_pk)
    return qs


def check_booking(booking: Booking, *, user=None) -> None:
    errors = {}
    if booking.starts_at and booking.ends_at and booking.ends_at <= booking.starts_at:
        errors["ends_at"] = _("The booking must end after it starts.")
    if booking.pk is None and booking.starts_at and booking.starts_at < timezone.now():
        errors["starts_at"] = _("A booking cannot start in the past.")
    room = booking.room if booking.room_id else None
    if room is not None and not room.bookable:
        errors["room"] = _("This room is not shared for booking.")
    if room is not None and booking.attendees and room.seats and booking.attendees > room.seats:
        errors["attendees"] = _("The room holds %(seats)s people.") % {"seats": room.seats}
    if booking.center_id and not is_member_center(booking.center_id):
        errors["center"] = _("Only council member centers book shared facilities.")
    if (
        user is not None
        and booking.center_id
        and not Center.objects.restrict(user, "share_for").filter(pk=booking.center_id).exists()
    ):
        errors["center"] = _("You can book only for your own center.")
    if not errors and room is not None and booking.starts_at and booking.ends_at:
        clash = overlapping(room.pk, booking.starts_at, booking.ends_at, booking.pk).first()
        if clash is not None:
            errors["starts_at"] = _("%(room)s is already booked from %(start)s to %(end)s.") % {
                "room": room,
                "start": format_datetime(clash.starts_at),
                "end": format_datetime(clash.ends_at),
            }
    if errors:
        raise ValidationError(errors)


ALREADY_BOOKED = "booking_no_overlap"


def save_booking(booking: Booking, *, user) -> Booking:
    """Create or change a booking. The check gives a friendly message; if a
    concurrent booking wins the race, the database refuses this one and the
    user gets the same message."""
    check_booking(booking, user=user)
    if booking.pk is None:
        booking.booked_by = user
    try:
        with transaction.atomic():
            booking.save()
    except IntegrityError as exc:
        if ALREADY_BOOKED in str(exc) or "exclusion" in str(exc).lower():
            raise ValidationError(
                {"starts_at": _("The room was just booked for an overlapping time.")}
            ) from exc
        raise
    return booking


def cancel_booking(booking: Booking, *, user) -> Booking:
    if booking.cancelled_at is None:
        booking.cancelled_at = timezone.now()
        booking.save(update_fields=["cancelled_at", "updated_at"])
    return booking


# --- Faculty-sharing register ------------------------------------------------------


def check_faculty(staff: StaffMember, *, today: date | None = None) -> None:
    """Only trainers who meet the municipal accreditation standard may be
    shared (charter 第八条: 研训师资须符合市级教师发展中心认定标准); the message
    names what is missing, as the centers' 互聘 appointments do
    (``centers.services.standard_shortfall``: one rule for both)."""
    missing = standard_shortfall(staff, today=today)
    if not missing:
        return
    raise ValidationError(
        {
            "staff": _(
                "%(name)s cannot be listed for sharing: it does not meet the municipal "
                "accreditation standard (%(missing)s)."
            )
            % {"name": staff.name, "missing": missing}
        }
    )


def check_not_listed(staff: StaffMember) -> None:
    """A trainer has at most one open listing in the register."""
    if SharedFaculty.objects.filter(staff=staff, withdrawn_on__isnull=True).exists():
        raise ValidationError({"staff": _("%(name)s is already listed.") % {"name": staff.name}})


def list_faculty(*, user, staff: StaffMember, expertise: str, available_for: str = ""):
    """Put a trainer in the faculty-sharing register."""
    if not Center.objects.restrict(user, "share_for").filter(pk=staff.center_id).exists():
        raise PermissionDenied(_("You can list only your own center's staff."))
    check_faculty(staff)
    check_not_listed(staff)
    return SharedFaculty.objects.create(
        staff=staff, expertise=expertise, available_for=available_for, listed_by=user
    )


def withdraw_faculty(listing: SharedFaculty, *, user) -> SharedFaculty:
    if listing.withdrawn_on is None:
        listing.withdrawn_on = timezone.localdate()
        listing.save(update_fields=["withdrawn_on", "updated_at"])
    return listing


# --- Digital resources -------------------------------------------------------------

RENEWAL_TARGET = 0.20
RENEWAL_WINDOW_YEARS = 5


@dataclass
class RenewalRate:
    year: int
    first_year: int
    total: int  # resources in service at the end of ``year``
    added: int  # of them, added within the window
    renewed: int  # of them, older but renewed within the window
    per_year: list  # [(year, added, renewed)]
    target: float = RENEWAL_TARGET

    @property
    def fresh(self) -> int:
        return self.added + self.renewed

    @property
    def rate(self) -> float | None:
        return self.fresh / self.total if self.total else None

    @property
    def meets_target(self) -> bool:
        return self.rate is not None and self.rate >= self.target


def renewal_rate(year: int | None = None, queryset=None) -> RenewalRate:
    """The share of the platform's digital resources in service at the end
    of ``year`` that were added or renewed in the five years up to it (charter
    art. 8(2): 每五年数字资源补充更新率不低于20%)."""
    year = year or timezone.localdate().year
    first = year - RENEWAL_WINDOW_YEARS + 1
    qs = queryset if queryset is not None else DigitalResource.objects.all()
    in_service = qs.filter(year_added__lte=year).filter(
        Q(year_retired__isnull=True) | Q(year_retired__gt=year)
    )
    rows = list(in_service.values_list("year_added", "year_renewed"))
    added = renewed = 0
    per_year = {y: [0, 0] for y in range(first, year + 1)}
    for y_added, y_renewed in rows:
        if y_added >= first:
            added += 1
            per_year[y_added][0] += 1
            continue
        if y_renewed is not None and first <= y_renewed <= year:
            renewed += 1
            per_year[y_renewed][1] += 1
    return RenewalRate(
        year=year,
        first_year=first,
        total=len(rows),
        added=added,
        renewed=renewed,
        per_year=[(y, a, r) for y, (a, r) in sorted(per_year.items())],
    )


# --- Proposals to the bureau (事业发展建议) ------------------------------------------


#: The member centers the charter names as proposers (001, 第七条 【工作职能】), by
#: center code, with the clause that ends their mandate. The 研训 and 远程 centers'
#: mandates name no proposal; the council's own 事业发展建议 (same article) are
#: ``origin = council``.
PROPOSING_CENTERS = {
    "primary-secondary": "研究提出促进中小学教师专业发展的建议",
    "vocational": "研究提出促进中等职业学校教师专业发展的建议",
    "kindergarten": "研究提出促进幼儿园教师专业发展的建议",
    "private-schools": "研究提出促进民办学校教师专业发展的建议",
}


def proposal_centers(user):
    """The member centers ``user`` drafts a center's proposal for (their own)."""
    return Center.objects.restrict(user, "propose_for").filter(
        pk__in=CouncilMember.objects.filter(is_active=True).values("center_id")
    )


def check_proposal(proposal: Proposal, *, user, original: Proposal | None = None) -> None:
    """The rules of a development proposal while it is drafted:

    - it changes only as a draft (once submitted, the secretariat returns it
      to make it a draft again);
    - a proposal in the council's name (第七条: 理事会……提出事业发展建议) is
      drafted by the secretariat, at the chair center (第六条: 秘书处……设在
      轮值主席所在成员单位);
    - a center's own proposal (第七条: 研究提出促进……教师专业发展的建议) is
      drafted by that member center's staff, for their own center only, and
      only by the four centers whose mandate names it (``PROPOSING_CENTERS``);
    - the meeting that adopted it is a council meeting."""
    if original is not None and not original.is_editable:
        raise ValidationError(
            _("A proposal that is %(status)s can no longer be changed.")
            % {"status": original.get_status_display()}
        )
    if original is not None and original.origin != proposal.origin:
        raise ValidationError({"origin": _("Who proposes cannot change once drafted.")})
    errors = {}
    if proposal.origin == ProposalOrigin.COUNCIL:
        if not get_scope(user).has_role(Role.SECRETARIAT):
            raise PermissionDenied(
                _("Only the secretariat drafts a proposal in the council's name.")
            )
        term = term_on(timezone.localdate())
        if term is not None and proposal.center_id and proposal.center_id != term.center_id:
            errors["center"] = _(
                "A proposal in the council's name is drafted at the chair center (%(center)s)."
            ) % {"center": term.center}
    elif proposal.origin == ProposalOrigin.CENTER and proposal.center_id:
        if not is_member_center(proposal.center_id):
            errors["center"] = _("Proposals come from council member centers.")
        elif proposal.center.code not in PROPOSING_CENTERS:
            errors["center"] = _(
                "The charter (article 7) names the primary and secondary, vocational, "
                "kindergarten and private-school centers as the ones that propose; "
                "%(center)s proposes through the council."
            ) % {"center": proposal.center}
        elif not proposal_centers(user).filter(pk=proposal.center_id).exists():
            raise PermissionDenied(_("You draft proposals only for your own center."))
    if proposal.meeting_id and proposal.meeting.kind != MeetingKind.COUNCIL:
        errors["meeting"] = _("A proposal is adopted at a council meeting.")
    if errors:
        raise ValidationError(errors)


@dataclass(frozen=True)
class ProposalStep:
    name: str
    label: str
    source: str
    target: str
    #: the permission action (``alliance/permissions.py``) the step needs
    action: str
    #: the text the step needs: "" none, "note" (why it goes back), "answer"
    needs: str = ""


PROPOSAL_STEPS = {
    s.name: s
    for s in [
        ProposalStep(
            "submit",
            gettext_noop("Submit to the secretariat"),
            ProposalStatus.DRAFT,
            ProposalStatus.SUBMITTED,
            "submit",
        ),
        ProposalStep(
            "return",
            gettext_noop("Return to the drafting center"),
            ProposalStatus.SUBMITTED,
            ProposalStatus.DRAFT,
            "forward",
            needs="note",
        ),
        ProposalStep(
            "forward",
            gettext_noop("Forward to the bureau"),
            ProposalStatus.SUBMITTED,
            ProposalStatus.FORWARDED,
            "forward",
        ),
        ProposalStep(
            "answer",
            gettext_noop("Record the answer"),
            ProposalStatus.FORWARDED,
            ProposalStatus.ANSWERED,
            "answer",
            needs="answer",
        ),
    ]
}


def proposal_steps_for(proposal: Proposal, user) -> list[ProposalStep]:
    """The steps ``user`` may take on ``proposal`` now."""
    return [
        s
        for s in PROPOSAL_STEPS.values()
        if proposal.status == s.source
        and Proposal.objects.restrict(user, s.action).filter(pk=proposal.pk).exists()
    ]


def take_proposal_step(
    proposal: Proposal, name: str, *, user, text: str = "", today: date | None = None
) -> Proposal:
    """Take one step of a proposal: submitted by its drafters, forwarded or
    returned by the secretariat (第七条: 秘书处具体执行……理事会的各项决议),
    answered by the bureau. A step from the wrong state, without the text it
    needs, or by someone it does not belong to is refused; each sets its date."""
    step = PROPOSAL_STEPS.get(name)
    if step is None:
        raise ValidationError(_("Unknown step “%(name)s”.") % {"name": name})
    if not can(user, step.action, Proposal):
        raise PermissionDenied(_("You may not take the step “%(step)s”.") % {"step": _(step.label)})
    today = today or timezone.localdate()
    with transaction.atomic():
        locked = (
            Proposal.objects.restrict(user, step.action).select_for_update().filter(pk=proposal.pk)
        )
        fresh = locked.first()
        if fresh is None:
            raise PermissionDenied(
                _("The step “%(step)s” of this proposal is not yours to take.")
                % {"step": _(step.label)}
            )
        if fresh.status != step.source:
            raise ValidationError(
                _("“%(step)s” is not possible while the proposal is %(status)s.")
                % {"step": _(step.label), "status": fresh.get_status_display()}
            )
        text = (text or "").strip()
        if step.needs == "note" and not text:
            raise ValidationError({"note": _("Say why the proposal goes back.")})
        if step.needs == "answer" and not text:
            raise ValidationError({"answer": _("Write the answer.")})
        if name == "submit":
            if fresh.origin == ProposalOrigin.COUNCIL:
                meeting = fresh.meeting
                if meeting is None:
                    raise ValidationError(
                        {
                            "meeting": _(
                                "A proposal in the council's name names the council meeting "
                                "that adopted it."
                            )
                        }
                    )
                if meeting.held_on > today:
                    raise ValidationError(
                        {"meeting": _("The council meeting that adopted it has not been held yet.")}
                    )
            fresh.submitted_on, fresh.return_note = today, ""
        elif name == "return":
            fresh.submitted_on, fresh.return_note = None, text
        elif name == "forward":
            fresh.forwarded_on = today
        elif name == "answer":
            fresh.answer, fresh.answered_on, fresh.answered_by = text, today, user
        fresh.status = step.target
        fresh.save()
    return fresh


# --- Guidance of district centers (业务指导) ------------------------------------------

#: What the visited district center's staff may change: they report on the
#: follow-up; the guiding center records the rest.
GUIDANCE_REPORT_FIELDS = ("follow_up_status", "follow_up_report")


def check_visit(
    visit: GuidanceVisit, *, partner_ids, user, original: GuidanceVisit | None = None
) -> None:
    """The rules of a guidance visit (业务指导):

    - 第八条(五): the guiding center and the members joining it are council
      member centers (成员单位), the visited one a district center
      (区级教师发展中心); the guiding center is not also listed as joining;
    - the guiding center's staff record their own center's visits (the
      secretariat any); the district's staff change only the follow-up;
    - findings are written once the visit has taken place;
    - recommendations that ask for a follow-up give its due date, after the
      visit; a follow-up marked done says what was done."""
    if not can(user, "add", GuidanceVisit):
        if original is None:
            raise PermissionDenied(_("Guidance visits are recorded by the guiding center."))
        fields = [f.attname for f in GuidanceVisit._meta.concrete_fields]
        changed = [
            f
            for f in fields
            if f not in GUIDANCE_REPORT_FIELDS + ("updated_at", "follow_up_done_on")
            and getattr(original, f) != getattr(visit, f)
        ]
        before = set(original.partner_centers.values_list("pk", flat=True))
        if changed or before != {int(getattr(p, "pk", p)) for p in partner_ids}:
            raise PermissionDenied(
                _(
                    "The district center reports on the follow-up; "
                    "the guiding center records the visit."
                )
            )
    elif (
        visit.center_id
        and not Center.objects.restrict(user, "act_for").filter(pk=visit.center_id).exists()
    ):
        raise PermissionDenied(_("You record guidance visits only for your own center."))
    errors = {}
    members = set(member_centers().values_list("pk", flat=True))
    partners = {int(getattr(p, "pk", p)) for p in partner_ids}
    if visit.center_id and visit.center_id not in members:
        errors["center"] = _("The guiding center is a council member center.")
    if partners - members:
        errors["partner_centers"] = _("Centers joining a visit are council member centers.")
    elif visit.center_id in partners:
        errors["partner_centers"] = _("The guiding center is not also listed as joining.")
    district = visit.district_center_id
    if district and not Center.objects.filter(pk=district, kind=CenterKind.DISTRICT).exists():
        errors["district_center"] = _("The center visited is a district center.")
    today = timezone.localdate()
    if visit.visited_on and visit.visited_on > today and (visit.findings or "").strip():
        errors["findings"] = _("Findings are written once the visit has taken place.")
    asked = visit.follow_up_status != GuidanceFollowUp.NONE
    if asked and not visit.follow_up_due:
        errors["follow_up_due"] = _("Give the date by which the follow-up is due.")
    if asked and not (visit.recommendations or "").strip():
        errors["recommendations"] = _("Say what the district center is asked to do.")
    done = visit.follow_up_status == GuidanceFollowUp.DONE
    if done and not (visit.follow_up_report or "").strip():
        errors["follow_up_report"] = _("Say in the follow-up report what was done.")
    if errors:
        raise ValidationError(errors)


def stamp_visit(visit: GuidanceVisit) -> None:
    """Before saving: the day the follow-up became done (cleared if reopened)."""
    if visit.follow_up_status == GuidanceFollowUp.DONE:
        visit.follow_up_done_on = visit.follow_up_done_on or timezone.localdate()
    else:
        visit.follow_up_done_on = None


def guidance_coverage(*, year: int, user) -> list[tuple]:
    """(district center, visits in ``year``, open follow-ups) for every
    district center, fewest visits first: 第八条(五) asks for guidance
    定期 (regularly), so a district no member visited this year shows 0."""
    from django.db.models import Count

    visits = GuidanceVisit.objects.restrict(user).filter(visited_on__year=year)
    counts = {
        row["district_center"]: (row["n"], row["open"])
        for row in visits.values("district_center").annotate(
            n=Count("id"), open=Count("id", filter=Q(follow_up_status=GuidanceFollowUp.OPEN))
        )
    }
    centers = district_centers()
    if not sees_all(user, "view", GuidanceVisit):  # a district: its own row(s) only
        centers = centers.filter(pk__in=list(counts))
    rows = [(c, *counts.get(c.pk, (0, 0))) for c in centers]
    return sorted(rows, key=lambda r: (r[1], r[0].code))


# --- The centers' own plans (五年规划 / 年度计划) -------------------------------------


def check_plan(plan: CenterPlan, *, user, original: CenterPlan | None = None) -> None:
    """The rules of a center's plan while it is drafted:

    - a member center's staff draft their own center's plans only
      (第七条: each center 制定……五年规划和年度实施计划 for itself);
    - it changes only as a draft;
    - an annual plan's five-year plan is the same center's and covers its year."""
    if original is not None and not original.is_editable:
        raise ValidationError(
            _("A plan that is %(status)s can no longer be changed.")
            % {"status": original.get_status_display()}
        )
    if plan.center_id:
        if not is_member_center(plan.center_id):
            raise ValidationError({"center": _("Plans are filed by council member centers.")})
        if not Center.objects.restrict(user, "propose_for").filter(pk=plan.center_id).exists():
            raise PermissionDenied(_("You file plans only for your own center."))
    if plan.parent_id:
        parent = plan.parent
        if plan.kind != CenterPlanKind.ANNUAL:
            raise ValidationError({"parent": _("Only an annual plan belongs to a five-year plan.")})
        if parent.kind != CenterPlanKind.FIVE_YEAR or parent.center_id != plan.center_id:
            raise ValidationError({"parent": _("Choose a five-year plan of the same center.")})
        if plan.starts_year and not parent.starts_year <= plan.starts_year <= parent.ends_year:
            raise ValidationError(
                {
                    "starts_year": _("The year lies outside the five-year plan (%(years)s).")
                    % {"years": f"{parent.starts_year}–{parent.ends_year}"}
                }
            )


@dataclass(frozen=True)
class PlanStep:
    name: str
    label: str
    source: str
    target: str
    action: str
    needs_note: bool = False


PLAN_STEPS = {
    s.name: s
    for s in [
        PlanStep(
            "file",
            gettext_noop("File with the alliance"),
            CenterPlanStatus.DRAFT,
            CenterPlanStatus.FILED,
            "file",
        ),
        PlanStep(
            "return",
            gettext_noop("Return to the center"),
            CenterPlanStatus.FILED,
            CenterPlanStatus.DRAFT,
            "approve",
            needs_note=True,
        ),
        PlanStep(
            "approve",
            gettext_noop("Record the plan"),
            CenterPlanStatus.FILED,
            CenterPlanStatus.APPROVED,
            "approve",
        ),
    ]
}


def plan_steps_for(plan: CenterPlan, user) -> list[PlanStep]:
    return [
        s
        for s in PLAN_STEPS.values()
        if plan.status == s.source
        and CenterPlan.objects.restrict(user, s.action).filter(pk=plan.pk).exists()
    ]


def take_plan_step(plan: CenterPlan, name: str, *, user, note: str = "", today=None) -> CenterPlan:
    """File a plan (its center's staff), record or return it (the
    secretariat); each step keeps its date."""
    step = PLAN_STEPS.get(name)
    if step is None:
        raise ValidationError(_("Unknown step “%(name)s”.") % {"name": name})
    if not can(user, step.action, CenterPlan):
        raise PermissionDenied(_("You may not take the step “%(step)s”.") % {"step": _(step.label)})
    today = today or timezone.localdate()
    with transaction.atomic():
        fresh = (
            CenterPlan.objects.restrict(user, step.action)
            .select_for_update()
            .filter(pk=plan.pk)
            .first()
        )
        if fresh is None:
            raise PermissionDenied(
                _("The step “%(step)s” of this plan is not yours to take.")
                % {"step": _(step.label)}
            )
        if fresh.status != step.source:
            raise ValidationError(
                _("“%(step)s” is not possible while the plan is %(status)s.")
                % {"step": _(step.label), "status": fresh.get_status_display()}
            )
        note = (note or "").strip()
        if step.needs_note and not note:
            raise ValidationError({"note": _("Say why the plan goes back.")})
        if name == "file":
            fresh.filed_on, fresh.return_note = today, ""
        elif name == "return":
            fresh.filed_on, fresh.return_note = None, note
        elif name == "approve":
            fresh.approved_on = today
        fresh.status = step.target
        fresh.save()
    return fresh


def write_plan_summary(plan: CenterPlan, *, user, text: str, today=None) -> CenterPlan:
    """The implementation report (执行情况) of an annual plan: its center's
    staff write it once the plan is recorded and its year has begun."""
    today = today or timezone.localdate()
    if not CenterPlan.objects.restrict(user, "file").filter(pk=plan.pk).exists():
        raise PermissionDenied(_("The center that filed the plan reports on it."))
    if plan.kind != CenterPlanKind.ANNUAL:
        raise ValidationError(_("An implementation report belongs to an annual plan."))
    if plan.status != CenterPlanStatus.APPROVED:
        raise ValidationError(_("Report on a plan once the secretariat has recorded it."))
    if today.year < plan.starts_year:
        raise ValidationError(_("The plan's year has not begun yet."))
    text = (text or "").strip()
    if not text:
        raise ValidationError({"summary": _("Write the implementation report.")})
    plan.summary, plan.summary_on = text, today
    plan.save(update_fields=["summary", "summary_on", "updated_at"])
    return plan


# --- Cross-center hiring (互聘) ----------------------------------------------------------


def check_engagement(engagement: FacultyEngagement, *, user) -> None:
    """The rules of a cross-center engagement (互聘, charter 第八条(四)):

    - the engaging center is a council member center the user acts for (its
      own staff; the secretariat any) and not the trainer's own center;
    - the trainer is listed in the register, not withdrawn, and meets the
      municipal accreditation standard (在此基础上……互聘互用)."""
    errors = {}
    if engagement.center_id:
        if not is_member_center(engagement.center_id):
            errors["center"] = _("The engaging center is a council member center.")
        elif (
            not Center.objects.restrict(user, "share_for").filter(pk=engagement.center_id).exists()
        ):
            raise PermissionDenied(_("You record engagements only for your own center."))
    if engagement.listing_id:
        listing = engagement.listing
        if listing.withdrawn_on is not None:
            errors["listing"] = _("This trainer was withdrawn from the register.")
        elif engagement.center_id and listing.staff.center_id == engagement.center_id:
            errors["center"] = _("A center does not engage its own trainer across centers.")
        else:
            try:
                check_faculty(listing.staff, today=engagement.starts_on)
            except ValidationError as exc:
                errors["listing"] = exc.message_dict["staff"]
    if errors:
        raise ValidationError(errors)


# --- Teacher-development schools (教师发展学校建设) ------------------------------------

#: What the school's district center (which 实施……教师发展学校建设, 第七条) may
#: change: the progress of the building; the guiding member center keeps the rest.
DEVELOPMENT_SCHOOL_DISTRICT_FIELDS = ("progress",)


def check_development_school(
    tds: TeacherDevelopmentSchool, *, user, original: TeacherDevelopmentSchool | None = None
) -> None:
    """The rules of a teacher-development school, from the charter (001):

    - 第八条(五): the guiding center is a council member center (各成员单位……
      承担……教师发展学校建设的协调指导工作), and its staff record only their own
      center's schools (the secretariat any);
    - 第七条: the building is carried out by the district center
      (各区教师发展中心实施……教师发展学校建设): the center named is a district
      center, the one of the school's own district;
    - the district center's staff change only the progress;
    - a school leaves the building on a date with a reason, not before it joined.

    The sources give no designating body, count or term: none is enforced."""
    if not can(user, "add", TeacherDevelopmentSchool):
        if original is None:
            raise PermissionDenied(
                _("Teacher-development schools are recorded by the guiding member center.")
            )
        fields = [f.attname for f in TeacherDevelopmentSchool._meta.concrete_fields]
        changed = [
            f
            for f in fields
            if f not in DEVELOPMENT_SCHOOL_DISTRICT_FIELDS + ("updated_at",)
            and getattr(original, f) != getattr(tds, f)
        ]
        if changed:
            raise PermissionDenied(
                _(
                    "The district center reports the progress; "
                    "the guiding member center records the rest."
                )
            )
    elif (
        tds.guiding_center_id
        and not Center.objects.restrict(user, "act_for").filter(pk=tds.guiding_center_id).exists()
    ):
        raise PermissionDenied(
            _("You record teacher-development schools only for your own center.")
        )
    errors = {}
    if tds.guiding_center_id and not is_member_center(tds.guiding_center_id):
        errors["guiding_center"] = _("The guiding center is a council member center.")
    if tds.district_center_id:
        district = (
            Center.objects.filter(pk=tds.district_center_id, kind=CenterKind.DISTRICT)
            .values_list("district_id", flat=True)
            .first()
        )
        if district is None:
            errors["district_center"] = _(
                "The building is carried out by a district center (区级教师发展中心)."
            )
        elif tds.school_id and tds.school.district_id != district:
            errors["school"] = _(
                "The school is in another district than the district center building it."
            )
    if tds.ended_on and not (tds.end_reason or "").strip():
        errors["end_reason"] = _("Say why the school left the building.")
    if tds.ended_on and tds.since and tds.ended_on < tds.since:
        errors["ended_on"] = _("A school leaves the building after it joined it.")
    if errors:
        raise ValidationError(errors)
