"""Hand the secretariat over on the first sign-in after a term changes, so
the new chair's staff get their rights even before the periodic task runs;
and audit changes to a meeting's lists of centers and people, which
``AuditedModel`` (fields only) does not see."""

from django.contrib.auth import user_logged_in
from django.db.models.signals import m2m_changed
from django.dispatch import receiver

from core import audit
from core.models import AuditAction
from core.permissions import forget_scope

from .models import Meeting
from .services import ensure_secretariat_synced


@receiver(user_logged_in, dispatch_uid="alliance_sync_secretariat_on_login")
def _sync_on_login(sender, request, user, **kwargs):
    if ensure_secretariat_synced():
        forget_scope(user)


_MEETING_LISTS = {
    Meeting.problem_shared_by.through: "problem_shared_by",
    Meeting.participant_centers.through: "participant_centers",
    Meeting.participants.through: "participants",
}


@receiver(m2m_changed, dispatch_uid="alliance_audit_meeting_lists")
def _audit_meeting_lists(sender, instance, action, pk_set, reverse, **kwargs):
    field = _MEETING_LISTS.get(sender)
    if field is None or reverse or action not in ("post_add", "post_remove", "post_clear"):
        return
    if action != "post_clear" and not pk_set:
        return
    verb = {"post_add": "added", "post_remove": "removed", "post_clear": "cleared"}[action]
    audit.record(
        AuditAction.UPDATE,
        instance,
        changes={field: {verb: sorted(pk_set or [])}},
    )
