from celery import shared_task

from . import services


@shared_task
def remind_at_risk_teachers():
    """Monthly: remind at-risk teachers and their school admins on their home
    page. Idempotent: one reminder per person, kind and month."""
    return services.remind_at_risk()


@shared_task
def purge_sync_requests():
    """Daily: forget district sync idempotency keys older than 90 days."""
    return services.purge_sync_requests()


@shared_task
def refresh_completion_standings(district_ids=None, school_ids=None):
    """After a commit that invalidated them, and daily by beat (at risk
    depends on the date): recompute the completion standings of these
    districts (None: the city) and of these schools (a batch's).
    Idempotent."""
    return services.run_refresh(district_ids, school_ids)
