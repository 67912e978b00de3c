"""Two-factor sign-in: a time-based one-time password (TOTP, RFC 6238) after the
password, with single-use recovery codes (等保 2.0 level 3, 8.1.4.1 b: two or more
authentication techniques for administrators).

django-otp keeps the devices (``otp_totp.TOTPDevice``, ``otp_static.StaticDevice``),
checks the codes (a code is never accepted twice, failures slow the device down) and
marks the session verified. The portal decides who owes a second factor:

- members of ``settings.TWO_FACTOR_REQUIRED_ROLES`` (bureau, secretariat, center and
  district staff) must enrol, and verify at every sign-in;
- anyone else who has enrolled (a teacher, optionally) must verify too;
- nobody while ``settings.TWO_FACTOR_ENFORCED`` is off (development, the tests), except
  that someone who enrolled anyway is asked for the code.

``TwoFactorMiddleware`` sends a signed-in user who owes it to the verification or the
enrolment page before any other page; an API call in such a session answers 403.
Enrolment, verification and failures are audited (``core.audit.record``).
"""

from __future__ import annotations

import base64
import io

from django.conf import settings
from django.http import JsonResponse
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.functional import LazyObject, empty
from django.utils.http import urlencode
from django.utils.translation import gettext as _
from django_otp import devices_for_user
from django_otp import login as otp_login
from django_otp.plugins.otp_static.models import StaticDevice, StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice

from .models import AuditAction, Membership

TOTP_NAME = "authenticator"
RECOVERY_NAME = "recovery codes"
SESSION_NOTHING_OWED = "two_factor_nothing_owed"


def required_for(user) -> bool:
    """Must ``user`` enrol a second factor (by role, when enforced)?"""
    if not settings.TWO_FACTOR_ENFORCED or not user.is_authenticated:
        return False
    if user.is_superuser:
        return True
    return (
        Membership.objects.active()
        .filter(user=user, role__in=settings.TWO_FACTOR_REQUIRED_ROLES)
        .exists()
    )


def is_enrolled(user) -> bool:
    return TOTPDevice.objects.filter(user=user, confirmed=True).exists()


def owes(request) -> str | None:
    """What the signed-in user still owes: ``"verify"``, ``"enrol"`` or None."""
    user = request.user
    if not user.is_authenticated or user.is_verified():
        return None
    if request.session.get(SESSION_NOTHING_OWED) == user.pk:
        return None  # asked once this session: no query on every page
    if is_enrolled(user):
        return "verify"
    if required_for(user):
        return "enrol"
    request.session[SESSION_NOTHING_OWED] = user.pk
    return None


def pending_device(user) -> TOTPDevice:
    """The unconfirmed authenticator being enrolled (one, kept until confirmed)."""
    device = TOTPDevice.objects.filter(user=user, confirmed=False).first()
    if device is None:
        device = TOTPDevice.objects.create(user=user, name=TOTP_NAME, confirmed=False)
    return device


def secret_text(device: TOTPDevice) -> str:
    """The key in base32, in groups of four, for typing into an app by hand."""
    raw = base64.b32encode(device.bin_key).decode().rstrip("=")
    return " ".join(raw[i : i + 4] for i in range(0, len(raw), 4))


def qr_svg(device: TOTPDevice) -> str:
    """The ``otpauth://`` URL as an SVG QR code, drawn here by segno (no service,
    no script, no inline style)."""
    import segno

    out = io.BytesIO()
    segno.make(device.config_url, error="m").save(
        out, kind="svg", scale=4, xmldecl=False, svgns=True, dark="#000", light="#fff"
    )
    svg = out.getvalue().decode()
    return svg.replace("<svg ", '<svg role="img" class="qr-code" ', 1)


def audit(request, message, action=AuditAction.OTHER):
    from .audit import record

    record(action, request=request, object_repr=request.user.get_username(), message=message)


def confirm_enrolment(request, device: TOTPDevice, token: str) -> list[str] | None:
    """Confirm the authenticator with its first code; returns the new recovery
    codes (shown once), or None when the code is wrong."""
    if not device.verify_token(token):
        audit(request, "two-factor enrolment: wrong code", AuditAction.LOGIN_FAILED)
        return None
    device.confirmed = True
    device.save(update_fields=["confirmed"])
    TOTPDevice.objects.filter(user=request.user).exclude(pk=device.pk).delete()
    codes = new_recovery_codes(request.user)
    otp_login(request, device)
    audit(request, "two-factor enrolled (authenticator and recovery codes)")
    return codes


def new_recovery_codes(user) -> list[str]:
    """Replace the user's recovery codes with fresh ones; each works once."""
    StaticDevice.objects.filter(user=user).delete()
    static = StaticDevice.objects.create(user=user, name=RECOVERY_NAME, confirmed=True)
    codes = [StaticToken.random_token() for _ in range(settings.TWO_FACTOR_RECOVERY_CODES)]
    StaticToken.objects.bulk_create([StaticToken(device=static, token=c) for c in codes])
    return codes


def verify(request, token: str) -> bool:
    """Check a code from the authenticator or a recovery code; on success the
    session is verified. Every outcome is audited."""
    token = "".join(str(token).split())
    for device in devices_for_user(request.user, confirmed=True):
        if device.verify_token(token):
            otp_login(request, device)
            how = "recovery code" if isinstance(device, StaticDevice) else "authenticator"
            audit(request, f"second factor verified ({how})", AuditAction.LOGIN)
            return True
    audit(request, "second factor: wrong code", AuditAction.LOGIN_FAILED)
    return False


def remaining_recovery_codes(user) -> int:
    return StaticToken.objects.filter(device__user=user).count()


# Paths a user who owes a second factor may still reach.
_OPEN_PREFIXES = ("/static/", "/i18n/", "/healthz/", "/metrics")


def _unwrapped(user):
    """The user object behind the lazy wrappers of the authentication and the
    OTP middleware (``SimpleLazyObject`` twice): every page reads the user
    here anyway, and each attribute read through two proxies costs every
    later read of the request (the navigation, the permissions, the
    templates). The same object, loaded the same way; only the wrappers go."""
    while isinstance(user, LazyObject):
        if user._wrapped is empty:
            user._setup()
        user = user._wrapped
    return user


class TwoFactorMiddleware:
    """Before any page, a signed-in user who owes a second factor is sent to
    its verification or enrolment page (and back to where they were going)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        owed = None
        if not request.path.startswith(_OPEN_PREFIXES):
            request.user = _unwrapped(request.user)
            owed = owes(request)
        if owed is None:
            return self.get_response(request)
        targets = {
            "verify": reverse("two-factor-verify"),
            "enrol": reverse("two-factor-setup"),
        }
        allowed = {*targets.values(), reverse("logout")}
        if request.path in allowed:
            return self.get_response(request)
        if request.path.startswith("/api/"):
            body = {
                "error": {
                    "status": 403,
                    "code": "second_factor_required",
                    "message": _("Sign in with your second factor first."),
                }
            }
            return JsonResponse(body, status=403)
        return redirect(f"{targets[owed]}?{urlencode({'next': request.get_full_path()})}")


def check_enforced(app_configs=None, **kwargs):
    """``check --deploy``: production without the second factor is a finding."""
    from django.core.checks import Warning

    if settings.TWO_FACTOR_ENFORCED:
        return []
    return [
        Warning(
            "TWO_FACTOR_ENFORCED is off: staff sign in with a password alone.",
            hint="Unset TWO_FACTOR_ENFORCED (it defaults to on with DJANGO_DEBUG=0).",
            id="core.W201",
        )
    ]
