"""Evaluation work done by workers: tasks take ids, are sent after commit and
are idempotent (running one twice leaves the same state)."""

from celery import shared_task

from . import services


@shared_task
def send_close_surveys(subproject_id: int):
    """Open and send the satisfaction survey of a closed sub-project."""
    from training.models import SubProject, SubProjectStatus

    sub = SubProject.objects.filter(pk=subproject_id, status=SubProjectStatus.CLOSED).first()
    if sub is None:
        return None
    survey = services.open_satisfaction_survey(subproject=sub)
    services.store_results(survey.pk)
    return survey.pk


@shared_task
def compute_survey_results(survey_id: int):
    """Per-question results of one survey, stored on it."""
    return services.store_results(survey_id).get("responses")


@shared_task
def remind_and_close_surveys():
    """Periodic: the one reminder before the deadline; close past it."""
    return services.remind_due()


@shared_task
def compute_project_score(subproject_id: int):
    """A sub-project's project score, stored (idempotent)."""
    stored = services.store_project_score(subproject_id)
    return str(stored.score) if stored is not None and stored.score is not None else None


@shared_task
def compute_campaign(campaign_id: int):
    """Every principal's scores of a campaign (progress on its page)."""
    return services.compute_campaign(campaign_id)
