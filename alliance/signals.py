"""Hand the secretariat over on the first sign-in after a term changes, so
the new chair's staff get their rights even before the periodic task runs."""

from django.contrib.auth import user_logged_in
from django.dispatch import receiver

from core.permissions import forget_scope

from .services import ensure_secretariat_synced


@receiver(user_logged_in, dispatch_uid="alliance_sync_secretariat_on_login")
def _sync_on_login(sender, request, user, **kwargs):
    if ensure_secretariat_synced():
        forget_scope(user)
