"""Small typed readers of environment variables.

Every setting the deployment may change is read here, so a missing or
malformed value fails loudly at start-up instead of half-way through a request.
"""

import os
from urllib.parse import urlsplit, urlunsplit

from django.core.exceptions import ImproperlyConfigured

_TRUE = {"1", "true", "yes", "on"}
_FALSE = {"0", "false", "no", "off", ""}


def env_str(name: str, default: str | None = None) -> str | None:
    value = os.environ.get(name)
    return default if value is None else value


def env_required(name: str) -> str:
    value = os.environ.get(name, "").strip()
    if not value:
        raise ImproperlyConfigured(f"The environment variable {name} must be set in production.")
    return value


def env_bool(name: str, default: bool) -> bool:
    value = os.environ.get(name)
    if value is None:
        return default
    lowered = value.strip().lower()
    if lowered in _TRUE:
        return True
    if lowered in _FALSE:
        return False
    raise ImproperlyConfigured(f"{name} must be a boolean (1/0, true/false), not {value!r}.")


def env_int(name: str, default: int) -> int:
    value = os.environ.get(name)
    if value is None or not value.strip():
        return default
    try:
        return int(value)
    except ValueError as exc:
        raise ImproperlyConfigured(f"{name} must be an integer, not {value!r}.") from exc


def env_list(name: str, default: list[str] | None = None) -> list[str]:
    value = os.environ.get(name)
    if value is None:
        return list(default or [])
    return [item.strip() for item in value.split(",") if item.strip()]


def next_redis_db(url: str, step: int = 1) -> str:
    """``redis://host:6379/0`` → ``redis://host:6379/1``: the database ``step``
    after the URL's."""
    parts = urlsplit(url)
    db = parts.path.strip("/") or "0"
    if not db.isdigit():
        raise ImproperlyConfigured(f"REDIS_URL must end with a database number, not {url!r}.")
    return urlunsplit(parts._replace(path=f"/{int(db) + step}"))
