import pytest

from tests.training.conftest import add_session, enrol, policy, sub  # noqa: F401
from training import services as training
from training.models import SubProjectStatus


@pytest.fixture
def closed(world, sub, enrol, django_capture_on_commit_callbacks):  # noqa: F811
    enrollment = enrol(sub, teacher=world.teacher_a, user=world.user("teacher_a"))
    enrol(sub)
    center = world.user("center_a")
    session = add_session(sub, center)
    training.move_subproject(subproject=sub, move="start", by=center)
    training.sign_off(session=session, by=center)
    with django_capture_on_commit_callbacks(execute=True):
        training.close_subproject(subproject=sub, by=center)
    sub.refresh_from_db()
    assert sub.status == SubProjectStatus.CLOSED
    return sub, enrollment


def opened(campaign, by):
    """The campaign opened (it starts being prepared): raters may answer."""
    from evaluation import services

    return services.set_campaign_status(campaign=campaign, status="open", by=by)


def item_answers(link, value):
    """Every item of the link's campaign answered ``value`` (a rater's form)."""
    return dict.fromkeys(link.appraisee.campaign.items.values_list("pk", flat=True), value)


def answers_for(survey, score=5):
    out = {}
    for q in survey.questions.all():
        if q.kind == "scale":
            out[q.pk] = score
        elif q.kind == "single":
            out[q.pk] = q.choices[0]
        elif q.kind == "multiple":
            out[q.pk] = q.choices[:2]
    return out


@pytest.fixture(autouse=True)
def _default_weights(db):
    """The project-score weights the data migration loads (idempotent): a
    test that flushed the tables before this module ran took them away."""
    from importlib import import_module

    from django.apps import apps

    import_module("evaluation.migrations.0003_default_weights").seed(apps, None)
