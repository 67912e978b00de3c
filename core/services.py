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


ANNOUNCEMENT_PUBLISHED = audit.register_message(
    "core.announcement_published", gettext_lazy("Announcement published: %(title)s")
)
ANNOUNCEMENT_EDITED = audit.register_message(
    "core.announcement_edited", gettext_lazy("Announcement edited: %(title)s")
)
ANNOUNCEMENT_WITHDRAWN = audit.register_message(
    "core.announcement_withdrawn", gettext_lazy("Announcement withdrawn: %(title)s")
)
ANNOUNCEMENT_FIELDS = ("title", "body", "audience", "until")


def _publisher(by):
    """The membership an announcement is published under: the bureau's if
    the user holds it, else their first center's staff membership."""
    from .roles import Role

    publishers = (
        Membership.objects.active()
        .filter(user=by, role__in=[Role.BUREAU, Role.CENTER_STAFF])
        .order_by("pk")
    )
    chosen = None
    for membership in publishers:
        if membership.role == Role.BUREAU:
            return membership, list(publishers)
        chosen = chosen or membership
    return chosen, list(publishers)


def publish_announcement(*, by, title, body, audience="", until=None, request=None):
    """The bureau or a center's staff publish a notice (通知公告) to a role
    or to everyone; it is signed with the publishing organisations."""
    from .models import Announcement
    from .permissions import can

    if not can(by, "add", Announcement):
        raise PermissionDenied
    chosen, publishers = _publisher(by)
    orgs = [str(m.organisation) for m in publishers if m.organisation is not None]
    item = Announcement.objects.create(
        title=title,
        body=body,
        audience=audience or "",
        until=until,
        author=by,
        author_org="、".join(dict.fromkeys(orgs))[:200],
        publisher_role=chosen.role if chosen else "",
        publisher_org_id=chosen.organisation_id if chosen else None,
    )
    audit.record(
        AuditAction.CREATE,
        item,
        actor=by,
        request=request,
        key=ANNOUNCEMENT_PUBLISHED,
        params={"title": item.title},
    )
    return item


def edit_announcement(*, announcement, by, request=None, **fields):
    """The author or a colleague of the publishing organisation corrects an
    announcement (title, text, audience, date); the log keeps what changed.
    A withdrawn announcement stays as it was withdrawn."""
    from django.core.exceptions import ValidationError
    from django.utils import timezone

    from .permissions import can

    if not can(by, "change", announcement):
        raise PermissionDenied
    if announcement.withdrawn:
        raise ValidationError(gettext_lazy("A withdrawn announcement cannot be edited."))
    unknown = set(fields) - set(ANNOUNCEMENT_FIELDS)
    if unknown:
        raise ValueError(f"not editable: {sorted(unknown)}")
    if "audience" in fields:
        fields["audience"] = fields["audience"] or ""
    changes = {}
    for name, value in fields.items():
        old = getattr(announcement, name)
        if old != value:
            changes[name] = [audit._plain(old), audit._plain(value)]
            setattr(announcement, name, value)
    if not changes:
        return announcement
    announcement.edited_at = timezone.now()
    announcement.save(update_fields=[*changes, "edited_at"])
    audit.record(
        AuditAction.UPDATE,
        announcement,
        actor=by,
        request=request,
        changes=changes,
        key=ANNOUNCEMENT_EDITED,
        params={"title": announcement.title},
    )
    return announcement


def withdraw_announcement(*, announcement, by, reason="", request=None):
    """Withdraw (撤回) an announcement: its readers no longer see it; the
    author, the publishing organisation and the bureau still do, marked as
    withdrawn. Idempotent: withdrawing twice changes nothing more."""
    from django.utils import timezone

    from .permissions import can

    if not can(by, "withdraw", announcement):
        raise PermissionDenied
    if announcement.withdrawn:
        return announcement
    announcement.withdrawn_at = timezone.now()
    announcement.withdrawn_by = by
    announcement.withdraw_reason = (reason or "")[:200]
    announcement.save(update_fields=["withdrawn_at", "withdrawn_by", "withdraw_reason"])
    audit.record(
        AuditAction.UPDATE,
        announcement,
        actor=by,
        request=request,
        changes={
            "withdrawn_at": announcement.withdrawn_at,
            "withdraw_reason": announcement.withdraw_reason,
        },
        key=ANNOUNCEMENT_WITHDRAWN,
        params={"title": announcement.title},
    )
    return announcement


def current_announcements(user):
    """What the user's home page shows: announcements addressed to them and
    not yet past their date."""
    from django.db.models import Q
    from django.utils import timezone

    from .models import Announcement

    today = timezone.localdate()
    return (
        Announcement.objects.restrict(user)
        .filter(withdrawn_at__isnull=True)
        .filter(Q(until__isnull=True) | Q(until__gte=today))
    )
