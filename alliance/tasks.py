from datetime import date

from celery import shared_task
from django.db import OperationalError

from . import services


@shared_task(autoretry_for=(OperationalError,), retry_backoff=True, max_retries=5)
def sync_secretariat(day: str | None = None):
    """Move the secretariat rights to the chair of the day (``day``: an ISO
    date, today when omitted). Idempotent: run it as often as you like."""
    result = services.sync_secretariat(date.fromisoformat(day) if day else None)
    return {
        "day": result.day.isoformat(),
        "chair": result.term.center_id if result.term else None,
        "ended": result.ended,
        "granted": result.granted,
    }
