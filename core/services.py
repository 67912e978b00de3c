"""Platform business rules: issuing and revoking district systems' API tokens.

Pages, the API and commands call these, so every issue and revocation is
checked and audited the same way."""

from django.core.exceptions import PermissionDenied
from django.utils.translation import gettext_lazy

from . import audit
from .models import ApiToken, AuditAction, Membership
from .permissions import restrict
from .roles import roles


def is_machine_account(user) -> bool:
    """A district system's account: it works through the API with its token
    and never signs in to the web pages (a leaked password then opens no
    import, new-entry or export page)."""
    return Membership.objects.active().filter(user=user, role__in=roles.api_clients()).exists()


def token_accounts(user):
    """The API-client memberships (district systems) whose tokens ``user`` may
    manage: the ``manage_tokens`` rule on memberships says whose."""
    memberships = Membership.objects.active().filter(role__in=roles.api_clients())
    return restrict(memberships, user, "manage_tokens").select_related("user")


def issue_token(*, actor, membership, name, days=None, request=None):
    """Issue a token for a district system; returns ``(token, raw_key)``.

    ``actor`` is the district system itself (API log-in) or staff who manage
    its tokens; the raw key is returned once and never stored."""
    if membership.role not in roles.api_clients():
        raise PermissionDenied("Only a district system account can hold an API token.")
    if (
        actor.pk != membership.user_id
        and not token_accounts(actor).filter(pk=membership.pk).exists()
    ):
        raise PermissionDenied("This district system is outside your scope.")
    token, raw_key = ApiToken.issue(membership=membership, name=name, days=days)
    audit.record(
        AuditAction.CREATE,
        token,
        actor=actor,
        request=request,
        key=audit.register_message(
            "core.token_issued", gettext_lazy("API token issued for %(account)s")
        ),
        params={"account": membership.user.get_username()},
    )
    return token, raw_key


def revoke_token(*, actor, token, request=None):
    """Revoke a token (idempotent: revoking twice changes nothing more)."""
    if token.revoked_at is not None:
        return token
    token.revoke()
    audit.record(
        AuditAction.DELETE,
        token,
        actor=actor,
        request=request,
        changes={"revoked_at": token.revoked_at},
        key=audit.register_message("core.token_revoked", gettext_lazy("API token revoked")),
    )
    return token


def publish_announcement(*, by, title, body, audience="", until=None):
    """The bureau or a center's staff publish a notice (通知公告) to a role
    or to everyone; it is signed with the publishing organisations."""
    from django.core.exceptions import PermissionDenied

    from .models import Announcement, Membership
    from .permissions import can
    from .roles import Role

    if not can(by, "add", Announcement):
        raise PermissionDenied
    publishers = (
        Membership.objects.restrict(by)
        .active()
        .filter(user=by, role__in=[Role.BUREAU, Role.CENTER_STAFF])
    )
    orgs = [str(m.organisation) for m in publishers if m.organisation is not None]
    return Announcement.objects.create(
        title=title,
        body=body,
        audience=audience or "",
        until=until,
        author=by,
        author_org="、".join(dict.fromkeys(orgs))[:200],
    )


def current_announcements(user):
    """What the user's home page shows: announcements addressed to them and
    not yet past their date."""
    from django.db.models import Q
    from django.utils import timezone

    from .models import Announcement

    today = timezone.localdate()
    return Announcement.objects.restrict(user).filter(Q(until__isnull=True) | Q(until__gte=today))
