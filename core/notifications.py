"""Notifications in the portal (站内通知). Apps register the kinds they send
(``register("credits.claim_approved", _("Your claim “%(title)s” was
approved."))``) and call ``notify(...)``; a notification keeps the key and its
parameters, so it is rendered in the reader's language when shown, and an
unknown key (an app removed) still reads as something."""

from __future__ import annotations

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from .models import Notification

VERBS: dict[str, object] = {}


def register(verb: str, text) -> str:
    """``text`` is a lazy translation with ``%(name)s`` placeholders."""
    VERBS[verb] = text
    return verb


def render(verb: str, params: dict) -> str:
    text = VERBS.get(verb)
    if text is None:
        return _("Notification")
    try:
        return str(text) % (params or {})
    except (KeyError, TypeError, ValueError):
        return str(text)


def notify(*, recipient, verb: str, url: str = "", **params) -> Notification | None:
    """Send ``recipient`` (a user or a user id) a notification of a
    registered kind (no recipient: nothing is sent)."""
    if verb not in VERBS:
        raise ValueError(f"unregistered notification verb {verb!r}")
    if recipient is None:
        return None
    plain = {k: str(v) for k, v in params.items()}
    recipient_id = getattr(recipient, "pk", recipient)
    return Notification.objects.create(
        recipient_id=recipient_id, verb=verb, params=plain, url=url[:300]
    )


def mine(user):
    return Notification.objects.restrict(user).filter(recipient_id=user.pk)


def unread(user):
    """The user's unread notifications (the badge counts them, in
    ``core.inbox.badge_counts`` and here)."""
    return mine(user).unread()


def unread_count(user) -> int:
    return unread(user).count()


def mark_read(*, user, ids=None) -> int:
    """Mark the user's notifications (these ``ids``, or all) as read."""
    qs = Notification.objects.restrict(user, "change").filter(
        recipient_id=user.pk, read_at__isnull=True
    )
    if ids is not None:
        qs = qs.filter(pk__in=list(ids))
    with transaction.atomic():
        return qs.update(read_at=timezone.now())
