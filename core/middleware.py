import time

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import logout
from django.middleware.locale import LocaleMiddleware
from django.shortcuts import redirect, resolve_url
from django.utils import translation
from django.utils.translation import gettext as _

from . import audit
from .models import AuditAction


class SessionTimeoutMiddleware:
    """Sessions end after ``SESSION_IDLE_TIMEOUT`` seconds idle and
    ``SESSION_ABSOLUTE_TIMEOUT`` seconds in all."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if request.user.is_authenticated and hasattr(request, "session"):
            now = int(time.time())
            started = request.session.get("_started_at", now)
            last = request.session.get("_last_seen_at", now)
            if (
                now - last > settings.SESSION_IDLE_TIMEOUT
                or now - started > settings.SESSION_ABSOLUTE_TIMEOUT
            ):
                logout(request)
                messages.info(request, _("Your session has ended. Please sign in again."))
                if not request.path.startswith("/api/"):
                    return redirect(f"{resolve_url(settings.LOGIN_URL)}?next={request.path}")
            else:
                # Write the session only when a stamp is missing or the last-seen
                # one is over 30 s old, so most requests cost no session write.
                if "_started_at" not in request.session:
                    request.session["_started_at"] = started
                if now - last > 30 or "_last_seen_at" not in request.session:
                    request.session["_last_seen_at"] = now
        return self.get_response(request)


class AuditContextMiddleware:
    """Tells the audit log who is acting and from where; logs refusals."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        token = audit.set_context(
            actor=request.user if request.user.is_authenticated else None,
            ip=audit.client_ip(request),
            path=request.path,
        )
        try:
            response = self.get_response(request)
            if response.status_code == 403:
                user = getattr(request, "user", None)
                audit.record(
                    AuditAction.DENIED,
                    actor=user if user is not None and user.is_authenticated else None,
                    message=f"{request.method} {request.path}"[:500],
                )
            return response
        finally:
            audit.reset_context(token)


class PortalLocaleMiddleware(LocaleMiddleware):
    """Chinese unless the user chose English (the language cookie set by
    /i18n/setlang/). A browser's Accept-Language is not a choice: many
    intranet machines ship with English browsers, and the portal's users
    expect Chinese. API clients, which ask explicitly, still get their
    Accept-Language."""

    def process_request(self, request):
        if request.path.startswith("/api/"):
            return super().process_request(request)
        code = request.COOKIES.get(settings.LANGUAGE_COOKIE_NAME)
        try:
            language = translation.get_supported_language_variant(code) if code else None
        except LookupError:
            language = None
        translation.activate(language or settings.LANGUAGE_CODE)
        request.LANGUAGE_CODE = translation.get_language()


class FriendlyNotFoundMiddleware:
    """An unknown address shows the portal's Chinese 404 page even under
    ``make run`` (DEBUG), where Django would show its English debug page;
    ``DJANGO_DEBUG_PAGES=1`` brings the debug page back for developers.
    The API keeps its JSON error body."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        if (
            response.status_code == 404
            and settings.DEBUG
            and not settings.DEBUG_PAGES
            and not request.path.startswith("/api/")
            and "text/html" in response.get("Content-Type", "")
            and b"DEBUG = True" in getattr(response, "content", b"")  # Django's debug page
        ):
            from django.shortcuts import render

            response = render(request, "404.html", status=404)
        return response


class SecurityHeadersMiddleware:
    """Content-Security-Policy and Permissions-Policy on every answer (pages,
    API, errors), in development as in production. The policy allows no inline
    script, handler or style: templates declare behaviour with data attributes
    that ``static/js/portal.js`` wires up (``tests/core/test_headers.py`` scans
    every template)."""

    def __init__(self, get_response):
        self.get_response = get_response
        self.headers = {
            "Content-Security-Policy": settings.CONTENT_SECURITY_POLICY,
            "Permissions-Policy": settings.PERMISSIONS_POLICY,
        }

    def __call__(self, request):
        response = self.get_response(request)
        for header, value in self.headers.items():
            if value and header not in response:
                response[header] = value
        return response
