"""The rules that matter: one answer per token, anonymous rows carry no
person, results stored idempotently, one reminder, required questions refused
through the API in Chinese, constant queries on the lists, and the results gate
on training's teacher pages (through core's registry, training never imports
evaluation)."""

import datetime

import pytest
from django.urls import reverse
from django.utils import timezone

from core.registry import registry
from evaluation import services
from evaluation.models import Answer, Invitation, Response, Survey, SurveyKind, SurveyStatus
from tests.contracts import assert_constant_queries
from training import services as training

from .conftest import answers_for as _answers

pytestmark = pytest.mark.django_db


def _survey(sub):
    return Survey.objects.get(subproject=sub, kind=SurveyKind.SATISFACTION)


def _token(survey, user):
    return survey.invitations.get(user=user).token


def test_second_answer_through_the_same_token_refused_page_and_api(world, closed, login):
    sub, _ = closed
    survey = _survey(sub)
    user = world.user("teacher_a")
    client = login(user)
    token = _token(survey, user)
    body = {"answers": {str(k): v for k, v in _answers(survey, 5).items()}}
    url = f"/api/v1/evaluation/answer/{token}/"
    assert client.post(url, body, content_type="application/json").status_code == 201
    again = client.post(url, body, content_type="application/json")
    assert again.status_code == 400
    assert "已" in str(again.json())  # 此问卷已作答 (Chinese)
    # The page shows "already answered" and a POST records nothing more.
    page = client.post(reverse("evaluation:answer", args=[token]), {})
    assert page.status_code == 200
    assert Response.objects.filter(survey=survey).count() == 1
    assert Invitation.objects.get(token=token).used_at is not None


def test_anonymous_response_row_has_no_person(world, closed):
    sub, _ = closed
    survey = _survey(sub)
    assert survey.anonymous
    user = world.user("teacher_a")
    services.answer(token=_token(survey, user), answers=_answers(survey), by=user)
    rows = list(Response.objects.filter(survey=survey).values())
    assert len(rows) == 1
    row = rows[0]
    assert row["respondent_id"] is None
    # Only the day, no time of day that could be matched with the invitation.
    assert isinstance(row["submitted_on"], datetime.date)
    assert not isinstance(row["submitted_on"], datetime.datetime)
    assert set(row) == {"id", "survey_id", "respondent_id", "submitted_on"}
    # No answer value names the person either.
    assert not Answer.objects.filter(value=user.username).exists()


def test_named_survey_keeps_the_person(world, closed):
    sub, _ = closed
    survey = _survey(sub)
    Survey.objects.filter(pk=survey.pk).update(anonymous=False)
    user = world.user("teacher_a")
    response = services.answer(token=_token(survey, user), answers=_answers(survey), by=user)
    assert response.respondent_id == user.pk


def test_results_task_twice_stores_the_same(world, closed, django_capture_on_commit_callbacks):
    from evaluation.tasks import compute_survey_results

    sub, _ = closed
    survey = _survey(sub)
    for score, inv in zip((5, 3), survey.invitations.order_by("pk"), strict=True):
        services.answer(token=inv.token, answers=_answers(survey, score), by=inv.user)
    assert compute_survey_results(survey.pk) == 2
    survey.refresh_from_db()
    first = survey.results
    assert first["satisfaction"] == "50.00"
    overall = next(q for q in first["questions"] if q["kind"] == "scale")
    assert overall["mean"] == "4.00" and overall["count"] == 2
    assert compute_survey_results(survey.pk) == 2
    survey.refresh_from_db()
    assert survey.results == first
    assert Response.objects.filter(survey=survey).count() == 2


def test_deadline_reminder_sent_once(world, closed):
    sub, _ = closed
    survey = _survey(sub)
    user = world.user("teacher_a")
    services.answer(token=_token(survey, user), answers=_answers(survey), by=user)
    near = survey.deadline - datetime.timedelta(hours=24)
    assert services.remind_due(now=near - datetime.timedelta(days=3)) == 0  # too early
    assert services.remind_due(now=near) == 1  # the one unanswered invitation
    assert services.remind_due(now=near + datetime.timedelta(hours=1)) == 0  # once
    survey.refresh_from_db()
    assert survey.reminded_at == near
    assert survey.invitations.filter(reminded_at__isnull=False).count() == 1
    assert survey.invitations.get(user=user).reminded_at is None  # answered: not reminded
    services.remind_due(now=survey.deadline + datetime.timedelta(minutes=1))
    survey.refresh_from_db()
    assert survey.status == SurveyStatus.CLOSED


def test_required_question_refused_through_api_in_chinese(world, closed, login):
    sub, _ = closed
    survey = _survey(sub)
    user = world.user("teacher_a")
    client = login(user)
    answers = _answers(survey)
    required = survey.questions.filter(required=True).first()
    answers.pop(required.pk)
    response = client.post(
        f"/api/v1/evaluation/answer/{_token(survey, user)}/",
        {"answers": {str(k): v for k, v in answers.items()}},
        content_type="application/json",
        HTTP_ACCEPT_LANGUAGE="zh-hans",
    )
    assert response.status_code == 400
    text = str(response.json())
    assert "请作答" in text and required.text in text
    assert not Response.objects.filter(survey=survey).exists()
    assert Invitation.objects.get(token=_token(survey, user)).used_at is None


def _more_surveys(world, n):
    from tests.training.factories import SubProjectFactory

    for _i in range(n):
        other = SubProjectFactory(center=world.center_a, vendor=world.vendor)
        services.open_satisfaction_survey(subproject=other)


def test_survey_list_page_and_api_constant_queries(world, closed, login):
    client = login(world.user("center_a"))
    assert_constant_queries(
        client, reverse("evaluation:survey-list"), lambda n: _more_surveys(world, n)
    )
    assert_constant_queries(
        client, "/api/v1/evaluation/surveys/", lambda n: _more_surveys(world, n)
    )


def test_survey_detail_constant_queries(world, closed, login):
    sub, _ = closed
    survey = _survey(sub)
    client = login(world.user("center_a"))
    invs = list(survey.invitations.order_by("pk"))
    services.answer(token=invs[0].token, answers=_answers(survey), by=invs[0].user)
    services.store_results(survey.pk)

    def add(n):
        from tests.training.conftest import teacher_user

        for _i in range(n):
            _t, u = teacher_user(world.school_a)
            inv = Invitation.objects.create(survey=survey, user=u)
            services.answer(token=inv.token, answers=_answers(survey, 4), by=u)
        services.store_results(survey.pk)

    assert_constant_queries(client, survey.get_absolute_url(), add)


# --- The results gate --------------------------------------------------------------


def test_gate_registered_in_core_registry(world, closed):
    sub, _ = closed
    assert any(key == "evaluation-survey" for key, _g in registry.result_gates)
    user = world.user("teacher_a")
    assert registry.locked_results(user, [sub.pk]) == {sub.pk}
    survey = _survey(sub)
    services.answer(token=_token(survey, user), answers=_answers(survey), by=user)
    assert registry.locked_results(user, [sub.pk]) == set()
    assert services.results_unlocked(user, sub)


def test_teacher_sees_result_and_hours_only_after_answering(world, closed, login):
    sub, enrollment = closed
    training.enter_result(enrollment=enrollment, by=world.user("vendor"), test=90)
    user = world.user("teacher_a")
    client = login(user)
    page = client.get(reverse("training:mine"))
    assert page.status_code == 200
    assert b"data-result-locked" in page.content and b"data-grade" not in page.content
    assert b"data-hours" not in page.content
    assert client.get("/api/v1/training/results/").json()["count"] == 0
    # The center still sees the trainee's result.
    center_results = login(world.user("center_a")).get("/api/v1/training/results/").json()
    assert center_results["count"] >= 1
    survey = _survey(sub)
    services.answer(token=_token(survey, user), answers=_answers(survey), by=user)
    client = login(user)
    page = client.get(reverse("training:mine"))
    assert b"data-result-locked" not in page.content and b"data-grade" in page.content
    assert client.get("/api/v1/training/results/").json()["count"] == 1


def test_no_gate_where_the_subproject_does_not_say_so(world, closed, login):
    sub, enrollment = closed
    training.enter_result(enrollment=enrollment, by=world.user("vendor"), test=90)
    survey = _survey(sub)
    services.set_gate(survey=survey, by=world.user("center_a"), gates=False)
    user = world.user("teacher_a")
    assert services.results_unlocked(user, sub)
    page = login(user).get(reverse("training:mine"))
    assert b"data-result-locked" not in page.content and b"data-grade" in page.content
    assert timezone.now()


def test_satisfaction_reads_as_a_plain_percentage(world, closed, login):
    from django.urls import reverse

    from evaluation.tasks import compute_survey_results

    sub, _ = closed
    survey = _survey(sub)
    for score, inv in zip((5, 3), survey.invitations.order_by("pk"), strict=True):
        services.answer(token=inv.token, answers=_answers(survey, score), by=inv.user)
    compute_survey_results(survey.pk)
    client = login(world.user("bureau"))
    for url in (
        reverse("evaluation:survey-detail", args=[survey.pk]),
        reverse("evaluation:survey-list"),
    ):
        html = client.get(url).content.decode()
        assert "50%" in html and "50.00 %" not in html, url
