"""DRF throttles on the shared limiter (core.ratelimit): 429 with
``Retry-After`` and the API's error body (code ``throttled``)."""

from rest_framework.throttling import BaseThrottle

from ..audit import client_ip
from ..ratelimit import hit


class PortalThrottle(BaseThrottle):
    """Signed-in callers (tokens, sessions) by user, others by address."""

    scope = "api"

    def allow_request(self, request, view):
        user = request.user
        if user is not None and user.is_authenticated:
            self._wait = hit(f"{self.scope}_user", f"user:{user.pk}")
        else:
            self._wait = hit(f"{self.scope}_anon", f"ip:{client_ip(request._request) or '-'}")
        return not self._wait

    def wait(self):
        return self._wait


class TokenThrottle(PortalThrottle):
    """The token endpoint (username and password): by address."""

    scope = "token"

    def allow_request(self, request, view):
        self._wait = hit("token", f"ip:{client_ip(request._request) or '-'}")
        return not self._wait
