"""Health checks the containers run (``python -m config.health web|worker|beat``).

Exit status 0 means healthy. ``web`` asks the running app's ``/healthz/``
(which checks the database); ``worker`` pings this host's Celery worker;
``beat`` checks the broker answers and beat's schedule file exists. The
checks take no part in serving requests.
"""

from __future__ import annotations

import os
import socket
import sys
import urllib.request
from pathlib import Path

WEB_URL = "http://127.0.0.1:8000/healthz/"
BEAT_SCHEDULE = "/tmp/celerybeat-schedule"


def check_web(url: str = WEB_URL) -> bool:
    # Behind the proxy the app sees https; say so, so SECURE_SSL_REDIRECT stays quiet.
    request = urllib.request.Request(
        url, headers={"Host": "localhost", "X-Forwarded-Proto": "https"}
    )
    with urllib.request.urlopen(request, timeout=5) as response:  # noqa: S310 (fixed URL)
        return response.status == 200


def _celery_app():
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    import django

    django.setup()
    from .celery import app

    return app


def check_worker() -> bool:
    app = _celery_app()
    replies = app.control.ping(destination=[f"celery@{socket.gethostname()}"], timeout=5)
    return bool(replies)


def check_beat(schedule: str = BEAT_SCHEDULE) -> bool:
    app = _celery_app()
    with app.connection_for_write() as conn:
        conn.ensure_connection(max_retries=1)
    return any(Path(schedule).parent.glob(Path(schedule).name + "*"))


CHECKS = {"web": check_web, "worker": check_worker, "beat": check_beat}


def main(argv=None) -> int:
    argv = sys.argv[1:] if argv is None else argv
    if len(argv) != 1 or argv[0] not in CHECKS:
        print(f"usage: python -m config.health {{{'|'.join(CHECKS)}}}", file=sys.stderr)
        return 2
    try:
        healthy = CHECKS[argv[0]]()
    except Exception as exc:  # any failure is "unhealthy", with the reason
        print(f"{argv[0]} unhealthy: {exc}", file=sys.stderr)
        return 1
    return 0 if healthy else 1


if __name__ == "__main__":
    sys.exit(main())
