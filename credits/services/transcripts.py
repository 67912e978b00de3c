"""Transcripts: a teacher's totals frozen under a verification code."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db.models import Count, Max
from django.db.models.functions import Coalesce
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from core import audit
from core.models import AuditAction

from ..models import CreditEntry, Transcript
from .progress import teacher_summary

TRANSCRIPT_ISSUED = audit.register_message(
    "credits.transcript_issued", gettext_lazy("Transcript issued")
)


def issue_transcript(*, teacher, by) -> Transcript:
    """Freeze the teacher's totals under a verification code. Issuing again
    while nothing changed returns the same transcript."""
    summary = teacher_summary(teacher, fresh=True)  # frozen: the policy from the database
    if summary.policy is None:
        raise ValidationError(_("No credit policy applies to this teacher."))
    policy = summary.policy
    stats = (
        CreditEntry.objects.filter(teacher=teacher)
        .in_cycle(policy)
        .aggregate(n=Count("id"), last=Coalesce(Max("id"), 0))
    )
    latest = Transcript.objects.filter(teacher=teacher, policy=policy).first()
    if (
        latest is not None
        and latest.entry_count == stats["n"]
        and latest.last_entry_id == stats["last"]
        and latest.teacher_name == teacher.name
    ):
        return latest
    from ..models import new_transcript_code

    transcript = Transcript.objects.create(
        code=new_transcript_code(),
        teacher=teacher,
        policy=policy,
        teacher_name=teacher.name,
        school_name=teacher.school.name,
        cycle_start=policy.cycle_start,
        cycle_end=policy.cycle_end,
        required_hours=policy.total_hours,
        total_hours=summary.total,
        by_category={line.category: str(line.hours) for line in summary.by_category},
        entry_count=stats["n"],
        last_entry_id=stats["last"],
        issued_by=by,
    )
    audit.record(AuditAction.CREATE, transcript, actor=by, key=TRANSCRIPT_ISSUED)
    return transcript


def transcript_entries(transcript):
    """The entries a transcript froze: in its cycle, up to its last entry."""
    return (
        CreditEntry.objects.filter(
            teacher_id=transcript.teacher_id, pk__lte=transcript.last_entry_id
        )
        .filter(earned_on__gte=transcript.cycle_start, earned_on__lte=transcript.cycle_end)
        .order_by("earned_on", "id")
    )


def find_transcript(code) -> Transcript | None:
    code = (code or "").strip().upper().replace("-", "").replace(" ", "")
    if not code or len(code) > 16:
        return None
    return Transcript.objects.filter(code=code).first()
