from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from rest_framework import authentication, exceptions

from .. import audit
from ..models import ApiToken
from ..permissions import set_scope


class ApiTokenAuthentication(authentication.BaseAuthentication):
    """``Authorization: Token <key>`` (or ``Bearer``) for district systems.

    The request acts with the token's one membership only, so a district's
    token reaches that district and nothing else."""

    keywords = ("token", "bearer")

    def authenticate(self, request):
        header = authentication.get_authorization_header(request).split()
        if not header or header[0].lower().decode() not in self.keywords:
            return None
        if len(header) != 2:
            raise exceptions.AuthenticationFailed(_("Invalid token header."))
        try:
            raw_key = header[1].decode()
        except UnicodeError as exc:
            raise exceptions.AuthenticationFailed(_("Invalid token header.")) from exc
        token = ApiToken.find(raw_key)
        if token is None or not token.membership.user.is_active:
            raise exceptions.AuthenticationFailed(_("Invalid, expired or revoked token."))
        user = token.membership.user
        set_scope(user, [token.membership])
        now = timezone.now()
        if token.last_used_at is None or (now - token.last_used_at).total_seconds() > 60:
            ApiToken.objects.filter(pk=token.pk).update(last_used_at=now)
        ctx = audit.current_context()
        audit.set_context(actor=user, ip=ctx.ip, path=ctx.path)
        return user, token

    def authenticate_header(self, request):
        return "Token"
