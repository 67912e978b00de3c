from celery import shared_task

from . import services


@shared_task
def purge_figure_batches():
    """Daily: forget the figure batches' idempotency keys older than 90 days."""
    return services.purge_figure_batches()
