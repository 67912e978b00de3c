"""互聘: trainers of one member center appointed by another for a term.

Charter 001 第八条（四）师资共享: 各成员单位研训师资须符合市级教师发展中心认定标准,
在此基础上,其专、兼职师资可以互聘互用,形成教师资源共享的长效机制. So:

- only a trainer who meets the municipal accreditation standard
  (``staff_meets_standard``) may be appointed, full-time or part-time alike;
- the appointing center's staff enter the appointment and the trainer's home
  center confirms or declines it; the alliance secretariat (秘书处, 负责联盟
  日常管理) may record one for any two members, confirmed at once;
- while it awaits the home center, the home center (or the secretariat)
  declines it with a reason (拒绝) and the appointing center withdraws it
  (撤回); only a confirmed appointment is ended early (提前结束);
- the appointment is shown on both centers' faculty registers. It is not a
  part-time trainer (兼职教师) of the appointing center: seed 003 counts the
  experts and teachers a school 聘请 as 兼职教师 and says nothing of 互聘, so
  the standards do not count appointments.
"""

from __future__ import annotations

from datetime import date

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Q
from django.db.models.functions import Coalesce
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from core.permissions import can

from ..models import NOT_CROSS_CENTER, AppointmentStatus, Center, StaffAppointment, StaffMember
from .staff import standard_shortfall

OPEN = (AppointmentStatus.PROPOSED, AppointmentStatus.CONFIRMED)


def _check_standard(staff: StaffMember, today: date | None) -> None:
    missing = standard_shortfall(staff, today=today)
    if not missing:
        return
    raise ValidationError(
        {
            "staff": _(
                "%(name)s does not meet the municipal accreditation standard the charter "
                "requires of a trainer appointed by another center (%(missing)s)."
            )
            % {"name": staff.name, "missing": missing}
        }
    )


def appoint(
    *,
    user,
    staff: StaffMember,
    center: Center,
    role: str,
    starts_on: date,
    ends_on: date,
    note: str = "",
    today: date | None = None,
) -> StaffAppointment:
    """Center ``center`` appoints ``staff`` (of another member center) for a
    term. Entered by the appointing center's staff, it awaits the home
    center's confirmation; recorded by someone who may also confirm for the
    home center (the secretariat), it is confirmed at once."""
    if not can(user, "appoint_for", center):
        raise PermissionDenied(_("You may enter appointments only for your own center."))
    if not can(user, "appoint", staff):
        raise PermissionDenied
    if staff.center_id == center.pk:
        raise ValidationError({"center": NOT_CROSS_CENTER})
    if not (role or "").strip():
        raise ValidationError({"role": _("Say in which role the trainer is appointed.")})
    if starts_on and ends_on and ends_on < starts_on:
        raise ValidationError({"ends_on": _("An appointment cannot end before it starts.")})
    _check_standard(staff, today)
    confirm_now = can(user, "confirm_for", staff.center)
    with transaction.atomic():
        # One lock on the trainer: two overlapping terms cannot both pass.
        StaffMember.objects.select_for_update().filter(pk=staff.pk).first()
        overlapping = (
            StaffAppointment.objects.filter(staff=staff, center=center, status__in=OPEN)
            .annotate(last=Coalesce("ended_on", "ends_on"))
            .filter(Q(starts_on__lte=ends_on) & Q(last__gte=starts_on))
        )
        if overlapping.exists():
            raise ValidationError(
                _("%(center)s already appoints %(name)s for part of this term.")
                % {"center": center.name, "name": staff.name}
            )
        appointment = StaffAppointment(
            staff=staff,
            center=center,
            role=role.strip(),
            starts_on=starts_on,
            ends_on=ends_on,
            note=(note or "").strip(),
            proposed_by=user,
        )
        if confirm_now:
            appointment.status = AppointmentStatus.CONFIRMED
            appointment.decided_by = user
            appointment.decided_at = timezone.now()
        appointment.full_clean()
        appointment.save()
    return appointment


def _locked(appointment: StaffAppointment) -> StaffAppointment:
    return (
        StaffAppointment.objects.select_for_update()
        .select_related("staff__center", "center")
        .get(pk=appointment.pk)
    )


def _check_awaiting(current: StaffAppointment) -> None:
    """Refused unless it still awaits the home center: confirmed, declined
    and withdrawn appointments are settled."""
    if current.status != AppointmentStatus.PROPOSED:
        raise ValidationError(
            _("This appointment is already %(status)s.") % {"status": current.get_status_display()}
        )


def _reason(reason: str, message) -> str:
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError({"reason": message})
    return reason[:300]


def decide_appointment(*, user, appointment: StaffAppointment, confirm: bool, note: str = ""):
    """The trainer's home center confirms or declines an appointment awaiting
    it (the secretariat may for any member). Declining says why (``note``,
    kept as the closing reason): ``decline_appointment``."""
    if not confirm:
        return decline_appointment(user=user, appointment=appointment, reason=note)
    with transaction.atomic():
        current = _awaiting_for_home(user, appointment)
        current.status = AppointmentStatus.CONFIRMED
        current.decided_by = user
        current.decided_at = timezone.now()
        if note:
            current.note = note.strip()[:300]
        current.save(update_fields=["status", "decided_by", "decided_at", "note", "updated_at"])
    return current


def _awaiting_for_home(user, appointment):
    current = _locked(appointment)
    if not can(user, "confirm_for", current.staff.center):
        raise PermissionDenied(
            _("Only the trainer's home center confirms or declines an appointment.")
        )
    _check_awaiting(current)
    return current


def decline_appointment(*, user, appointment: StaffAppointment, reason: str):
    """拒绝: the trainer's home center (or the secretariat) declines an
    appointment awaiting it, saying why. Audited as a change of the row."""
    with transaction.atomic():
        current = _awaiting_for_home(user, appointment)
        current.closing_reason = _reason(reason, _("Say why the appointment is declined."))
        current.status = AppointmentStatus.DECLINED
        current.decided_by = user
        current.decided_at = timezone.now()
        current.save(
            update_fields=["status", "decided_by", "decided_at", "closing_reason", "updated_at"]
        )
    return current


def withdraw_appointment(*, user, appointment: StaffAppointment, reason: str = ""):
    """撤回: the appointing center (or the secretariat) withdraws an
    appointment it entered, while the home center has not answered yet; why is
    optional. A confirmed one is ended early instead (``end_appointment``).
    Audited as a change of the row."""
    with transaction.atomic():
        current = _locked(appointment)
        if not can(user, "appoint_for", current.center):
            raise PermissionDenied(_("Only the appointing center withdraws an appointment."))
        _check_awaiting(current)
        current.status = AppointmentStatus.WITHDRAWN
        current.withdrawn_by = user
        current.withdrawn_at = timezone.now()
        current.closing_reason = (reason or "").strip()[:300]
        current.save(
            update_fields=[
                "status",
                "withdrawn_by",
                "withdrawn_at",
                "closing_reason",
                "updated_at",
            ]
        )
    return current


def end_appointment(*, user, appointment: StaffAppointment, ended_on: date, reason: str):
    """End an appointment before its term: its last day (``ended_on``, from
    its start and before the planned end) and why. Either of the two centers
    (the appointing one, ``appoint_for``; the home one, ``confirm_for``) or the
    secretariat may; only a confirmed appointment, not one already ended (one
    awaiting the home center is declined or withdrawn instead). Audited as a
    change of the row (who, when, the dates)."""
    with transaction.atomic():
        current = _locked(appointment)
        if not (
            can(user, "appoint_for", current.center)
            or can(user, "confirm_for", current.staff.center)
        ):
            raise PermissionDenied(
                _("Only the appointing center or the trainer's home center ends an appointment.")
            )
        if current.ended_on is not None:
            raise ValidationError(
                _("This appointment already ended on %(day)s.")
                % {"day": current.ended_on.isoformat()}
            )
        if current.status == AppointmentStatus.PROPOSED:
            raise ValidationError(
                _(
                    "This appointment still awaits the home center's confirmation: the home "
                    "center declines it, or the appointing center withdraws it."
                )
            )
        if current.status != AppointmentStatus.CONFIRMED:
            raise ValidationError(
                _("This appointment is %(status)s: there is nothing to end.")
                % {"status": current.get_status_display()}
            )
        reason = (reason or "").strip()
        errors = {}
        if not reason:
            errors["reason"] = _("Say why the appointment ends early.")
        if ended_on is None:
            errors["ended_on"] = _("Give the appointment's last day.")
        elif ended_on < current.starts_on:
            errors["ended_on"] = _("An appointment cannot end before it starts.")
        elif ended_on >= current.ends_on:
            errors["ended_on"] = _("Ending early means before the term's end (%(day)s).") % {
                "day": current.ends_on.isoformat()
            }
        if errors:
            raise ValidationError(errors)
        current.ended_on, current.end_reason, current.ended_by = ended_on, reason[:300], user
        current.save(update_fields=["ended_on", "end_reason", "ended_by", "updated_at"])
    return current


def register_appointments(center, user):
    """The two halves of a center's faculty register for 互聘: its trainers
    appointed by other centers (``lent``) and the trainers of other centers it
    appoints (``appointed``), as the user may see them. Two queries."""
    visible = StaffAppointment.objects.restrict(user).select_related("staff__center", "center")
    return {
        "lent": list(visible.filter(staff__center=center).order_by("-starts_on", "pk")),
        "appointed": list(visible.filter(center=center).order_by("-starts_on", "pk")),
    }
