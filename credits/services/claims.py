"""Teachers' claims for hours and their two-step review (school, then the
responsible center or district)."""

from __future__ import annotations

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from core import notifications
from core.formats import format_number
from core.permissions import get_scope
from core.roles import Role

from ..models import ClaimEvidence, ClaimStatus, CreditClaim, Source
from ..validators import validate_evidence_file
from .common import CATEGORY_VALUES, _check_earned_on, parse_hours
from .ledger import award_hours
from .policies import policy_for

TEACHER_SOURCES = (Source.CLAIM, Source.ONLINE, Source.EXTERNAL)

CLAIM_APPROVED = notifications.register(
    "credits.claim_approved",
    gettext_lazy("Your claim “%(title)s” was approved: %(hours)s hours are in your record."),
)
CLAIM_REJECTED = notifications.register(
    "credits.claim_rejected", gettext_lazy("Your claim “%(title)s” was rejected: %(reason)s")
)


def _tell_teacher(claim, verb, **params):
    notifications.notify(
        recipient=claim.teacher.user,
        verb=verb,
        url=claim.get_absolute_url(),
        title=claim.title,
        **params,
    )


def _is_teacher_self(user, teacher) -> bool:
    return teacher.pk in get_scope(user).ids(Role.TEACHER)


def _is_school_admin(user, school_id) -> bool:
    scope = get_scope(user)
    return scope.superuser or school_id in scope.ids(Role.SCHOOL_ADMIN)


def _is_final_reviewer(user, claim) -> bool:
    scope = get_scope(user)
    if scope.superuser:
        return True
    if claim.responsible_center_id:
        return claim.responsible_center_id in scope.ids(Role.CENTER_STAFF)
    return claim.district_id in scope.ids(Role.DISTRICT_STAFF)


def next_step_for(user, claim) -> str:
    """What the user may do with the claim now: "school", "final" or ""."""
    if claim.status == ClaimStatus.SUBMITTED and _is_school_admin(user, claim.school_id):
        return "school"
    if claim.status == ClaimStatus.SCHOOL_APPROVED and _is_final_reviewer(user, claim):
        return "final"
    return ""


def awaiting_review(user):
    """The claims waiting for ``user``'s decision (their 待办): submitted ones
    of the schools they administer, school-approved ones of their center or,
    without a responsible center, of their district."""
    scope = get_scope(user)
    claims = CreditClaim.objects.restrict(user, "change")
    if not scope.superuser:
        claims = claims.filter(
            Q(status=ClaimStatus.SUBMITTED, school_id__in=scope.ids(Role.SCHOOL_ADMIN))
            | Q(
                status=ClaimStatus.SCHOOL_APPROVED,
                responsible_center_id__in=scope.ids(Role.CENTER_STAFF),
            )
            | Q(
                status=ClaimStatus.SCHOOL_APPROVED,
                responsible_center__isnull=True,
                district_id__in=scope.ids(Role.DISTRICT_STAFF),
            )
        )
    else:
        claims = claims.pending()
    return claims.select_related("teacher").order_by("created_at", "id")


# Apps that post hours by themselves (training's closed sub-projects) refuse a
# claim that would count the same activity twice: each check is
# ``fn(*, teacher, title, earned_on) -> str | None``, the refusal's message.
CLAIM_CHECKS: list = []


def register_claim_check(check):
    if check not in CLAIM_CHECKS:
        CLAIM_CHECKS.append(check)
    return check


def submit_claim(
    *,
    teacher,
    by,
    title,
    category,
    hours,
    earned_on,
    description="",
    source=None,
    responsible_center=None,
    files=(),
) -> CreditClaim:
    """A teacher claims hours for themself; a school admin registers
    school-based training for a teacher of their school, which counts as the
    school's approval. Evidence files are checked (type, size, content)."""
    by_school = _is_school_admin(by, teacher.school_id) and not _is_teacher_self(by, teacher)
    if not by_school and not _is_teacher_self(by, teacher):
        raise PermissionDenied
    if by_school:
        source = Source.SCHOOL_BASED
    else:
        source = source or Source.CLAIM
        if source not in TEACHER_SOURCES:
            raise ValidationError({"source": _("Choose another source.")})
    if category not in CATEGORY_VALUES:
        raise ValidationError({"category": _("Unknown category.")})
    try:
        hours = parse_hours(hours)
    except ValidationError as exc:
        raise ValidationError({"hours": exc.messages}) from exc
    try:
        _check_earned_on(earned_on)
    except ValidationError as exc:
        raise ValidationError({"earned_on": exc.messages}) from exc
    policy = policy_for(teacher.district_id, earned_on)
    if policy is not None and hours > policy.total_hours:
        # one activity cannot hold more than the whole cycle asks for
        raise ValidationError(
            {
                "hours": _("One claim may hold at most the cycle's %(n)s hours.")
                % {"n": format_number(policy.total_hours)}
            }
        )
    if not title.strip():
        raise ValidationError({"title": _("Name the activity.")})
    for check in CLAIM_CHECKS:
        refusal = check(teacher=teacher, title=title.strip(), earned_on=earned_on)
        if refusal:
            raise ValidationError({"title": refusal})
    errors = []
    for upload in files:
        try:
            validate_evidence_file(upload)
        except ValidationError as exc:
            errors.append(f"{upload.name}: {exc.messages[0]}")
    if errors:
        raise ValidationError({"files": errors})
    if not files and not by_school:
        raise ValidationError({"files": _("Attach at least one evidence file.")})
    now = timezone.now()
    with transaction.atomic():
        claim = CreditClaim.objects.create(
            teacher=teacher,
            school_id=teacher.school_id,
            district_id=teacher.district_id,
            responsible_center=responsible_center,
            title=title.strip()[:200],
            source=source,
            category=category,
            hours=hours,
            earned_on=earned_on,
            description=description,
            submitted_by=by,
            status=ClaimStatus.SCHOOL_APPROVED if by_school else ClaimStatus.SUBMITTED,
            school_reviewed_by=by if by_school else None,
            school_reviewed_at=now if by_school else None,
        )
        for upload in files:
            ClaimEvidence.objects.create(claim=claim, file=upload, name=upload.name[:200])
    return claim


def approve_claim(*, claim, by) -> CreditClaim:
    """Approve the claim's current step. The claim row is locked first, so
    when two reviewers approve at once the second sees the first's decision:
    one entry is posted, never two."""
    with transaction.atomic():
        locked = CreditClaim.objects.select_for_update().get(pk=claim.pk)
        step = next_step_for(by, locked)
        if not locked.is_pending:
            raise ValidationError(
                _("This claim has already been decided (%(status)s).")
                % {"status": locked.get_status_display()},
                code="decided",
            )
        if not step:
            raise PermissionDenied
        now = timezone.now()
        if step == "school":
            locked.status = ClaimStatus.SCHOOL_APPROVED
            locked.school_reviewed_by = by
            locked.school_reviewed_at = now
        else:
            award = award_hours(
                teacher=locked.teacher,
                hours=locked.hours,
                category=locked.category,
                source=locked.source,
                earned_on=locked.earned_on,
                registered_by=by,
                activity_key=locked.activity_key,
                title=locked.title,
                evidence=_("Claim #%(n)d") % {"n": locked.pk},
            )
            locked.status = ClaimStatus.APPROVED
            locked.entry = award.entry
            locked.final_reviewed_by = by
            locked.final_reviewed_at = now
        locked.save()
        if locked.status == ClaimStatus.APPROVED:
            _tell_teacher(locked, CLAIM_APPROVED, hours=format_number(locked.hours))
    return locked


def reject_claim(*, claim, by, reason) -> CreditClaim:
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError({"reason": _("Say why the claim is rejected.")})
    with transaction.atomic():
        locked = CreditClaim.objects.select_for_update().get(pk=claim.pk)
        if not locked.is_pending:
            raise ValidationError(_("This claim has already been decided."), code="decided")
        step = next_step_for(by, locked)
        if not step:
            raise PermissionDenied
        locked.status = ClaimStatus.REJECTED
        locked.reject_reason = reason[:300]
        if step == "school":
            locked.school_reviewed_by, locked.school_reviewed_at = by, timezone.now()
        else:
            locked.final_reviewed_by, locked.final_reviewed_at = by, timezone.now()
        locked.save()
        _tell_teacher(locked, CLAIM_REJECTED, reason=locked.reject_reason)
    return locked
