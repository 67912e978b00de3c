from celery import shared_task

from . import services


@shared_task
def take_monthly_snapshot():
    """Beat, daily: this month's key figures (idempotent; closed months stay)."""
    return services.take_snapshot()
