"""Rate limits by user and by address, for pages and the API alike.

A fixed window per (scope, who) in the default cache (Redis in production,
so every gunicorn worker counts together). ``hit`` answers 0 while a request
is allowed, else the seconds until the window ends (the ``Retry-After``).
Rates are settings (``RATE_LIMITS``, "count/period" with period s, min, h or
day) so an operator can change them without code."""

from __future__ import annotations

import functools
import math
import time

from django.conf import settings
from django.core.cache import cache
from django.shortcuts import render

from .audit import client_ip

_PERIODS = {"s": 1, "sec": 1, "m": 60, "min": 60, "h": 3600, "hour": 3600, "d": 86400, "day": 86400}


def parse_rate(rate: str) -> tuple[int, int]:
    count, _slash, period = rate.partition("/")
    return int(count), _PERIODS[period.strip().lower()]


def rate_for(scope: str) -> str | None:
    return getattr(settings, "RATE_LIMITS", {}).get(scope)


def hit(scope: str, who: str, rate: str | None = None) -> int:
    """Count one request of ``who`` in ``scope``; 0 if allowed, else the
    seconds to wait."""
    rate = rate or rate_for(scope)
    if not rate:
        return 0
    count, seconds = parse_rate(rate)
    now = time.time()
    window = int(now // seconds)
    key = f"ratelimit:{scope}:{who}:{window}"
    cache.add(key, 0, seconds + 5)
    try:
        n = cache.incr(key)
    except ValueError:  # evicted between add and incr
        cache.set(key, 1, seconds + 5)
        n = 1
    if n <= count:
        return 0
    return max(1, math.ceil((window + 1) * seconds - now))


def hit_request(request, scope: str) -> int:
    """Count the request by its address and, when signed in, by its user;
    the longer wait wins."""
    waits = [hit(scope, f"ip:{client_ip(request) or '-'}")]
    user = getattr(request, "user", None)
    if user is not None and user.is_authenticated:
        waits.append(hit(scope, f"user:{user.pk}"))
    return max(waits)


def too_many(request, wait: int):
    response = render(request, "429.html", {"retry_after": wait}, status=429)
    response["Retry-After"] = str(wait)
    return response


def rate_limited(scope: str, methods=("GET", "POST")):
    """Decorate a page view: past the scope's rate, 429 with Retry-After."""

    def decorator(view):
        @functools.wraps(view)
        def wrapper(request, *args, **kwargs):
            if request.method in methods:
                wait = hit_request(request, scope)
                if wait:
                    return too_many(request, wait)
            return view(request, *args, **kwargs)

        return wrapper

    return decorator
