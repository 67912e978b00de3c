"""Closing a sub-project sends its satisfaction survey (worker path, in
process); one-time anonymous answers; results computed twice are the same."""

import pytest
from django.core.exceptions import ValidationError

from evaluation import services
from evaluation.models import Response, Survey, SurveyKind

from .conftest import answers_for as _answers


def test_closing_sends_one_anonymous_survey(world, closed, django_capture_on_commit_callbacks):
    sub, enrollment = closed
    survey = Survey.objects.get(subproject=sub, kind=SurveyKind.SATISFACTION)
    assert survey.invitations.count() == 2 and survey.deadline
    user = world.user("teacher_a")
    assert not services.results_unlocked(user, sub)
    token = survey.invitations.get(user=user).token
    with django_capture_on_commit_callbacks(execute=True):
        services.answer(token=token, answers=_answers(survey), by=user)
    response = Response.objects.get(survey=survey)
    assert response.respondent_id is None  # anonymous: no person
    assert services.results_unlocked(user, sub)
    with pytest.raises(ValidationError):
        services.answer(token=token, answers=_answers(survey), by=user)
    survey.refresh_from_db()
    assert survey.results["responses"] == 1
    assert survey.results["satisfaction"] == "100.00"
    first = survey.results
    services.store_results(survey.pk)
    survey.refresh_from_db()
    assert survey.results == first  # idempotent
    # A resend changes nothing.
    services.open_satisfaction_survey(subproject=sub)
    assert Survey.objects.filter(subproject=sub).count() == 1


def test_required_questions_and_bad_scale_refused(world, closed):
    sub, _ = closed
    survey = Survey.objects.get(subproject=sub)
    user = world.user("teacher_a")
    token = survey.invitations.get(user=user).token
    bad = _answers(survey)
    first_scale = survey.questions.filter(kind="scale").first()
    bad[first_scale.pk] = 9
    with pytest.raises(ValidationError):
        services.answer(token=token, answers=bad, by=user)
    assert not Response.objects.exists()


def test_pages_as_roles(world, closed, login):
    sub, _ = closed
    survey = Survey.objects.get(subproject=sub)
    center = login(world.user("center_a"))
    assert center.get("/evaluation/").status_code == 200
    assert center.get(f"/evaluation/surveys/{survey.pk}/").status_code == 200
    assert login(world.user("center_b")).get(f"/evaluation/surveys/{survey.pk}/").status_code == 404
    teacher = login(world.user("teacher_a"))
    page = teacher.get("/evaluation/mine/")
    assert page.status_code == 200 and b"data-answer" in page.content
    token = survey.invitations.get(user=world.user("teacher_a")).token
    assert teacher.get(f"/evaluation/answer/{token}/").status_code == 200
    assert login(world.user("outsider")).get(f"/evaluation/answer/{token}/").status_code == 404


def test_api_answer_once(world, closed, login):
    sub, _ = closed
    survey = Survey.objects.get(subproject=sub)
    client = login(world.user("teacher_a"))
    token = survey.invitations.get(user=world.user("teacher_a")).token
    url = f"/api/v1/evaluation/answer/{token}/"
    body = {"answers": {str(k): v for k, v in _answers(survey, 4).items()}}
    assert client.post(url, body, content_type="application/json").status_code == 201
    again = client.post(url, body, content_type="application/json")
    assert again.status_code == 400
    listed = login(world.user("center_a")).get("/api/v1/evaluation/surveys/")
    assert listed.status_code == 200
