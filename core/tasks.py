from celery import shared_task
from django.conf import settings
from django.utils import timezone

from .exports import TRANSIENT_ERRORS, delete_expired, run_export, sweep_stalled
from .models import AuditEntry, ExportJob


@shared_task(
    autoretry_for=TRANSIENT_ERRORS,
    retry_backoff=True,
    retry_backoff_max=300,
    max_retries=5,
)
def run_export_job(job_id: int):
    """Render one export job. Running it twice leaves the same state."""
    job = ExportJob.objects.filter(pk=job_id).first()  # run_export reads its owner
    if job is not None and not job.is_finished:
        run_export(job)


@shared_task
def sweep_stalled_exports():
    """Queue again (or fail) exports whose worker died: see exports.sweep_stalled."""
    return sweep_stalled()


@shared_task
def delete_expired_exports():
    return delete_expired()


@shared_task
def purge_old_audit_entries():
    """Delete audit entries older than the retention period (≥ 180 days)."""
    cutoff = timezone.now() - timezone.timedelta(days=settings.AUDIT_RETENTION_DAYS)
    return AuditEntry.objects.purge_before(cutoff)
