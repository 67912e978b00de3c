"""Surveys as data: a survey is sections and questions (single and multiple
choice, 1–5 scales, text), named or anonymous, sent to an audience through
one-time invitations. Results per question are computed by a worker
(``tasks.compute_survey_results``) and stored on the survey.

Anonymity: a ``Response`` of an anonymous survey has no ``respondent`` and
only the day it came in; the ``Invitation`` that was used keeps who was asked
and that they answered (for the reminder and the results gate), never which
response is theirs. Neither model is audited (an audit entry would name the
actor)."""

from __future__ import annotations

import secrets

from django.conf import settings
from django.db import models
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from core.audit import AuditedModel
from core.permissions import RestrictedQuerySet


def new_token() -> str:
    return secrets.token_urlsafe(24)


class SurveyKind(models.TextChoices):
    NEEDS = "needs", _("Needs survey before training")
    SATISFACTION = "satisfaction", _("Satisfaction at close")
    VENDOR = "vendor", _("Vendor evaluation")
    INSTRUCTOR = "instructor", _("Instructor rating")


class Audience(models.TextChoices):
    ENROLLED = "enrolled", _("Enrolled trainees")
    CENTER = "center", _("Center staff")
    TEACHERS = "teachers", _("Teachers of the districts")


class SurveyStatus(models.TextChoices):
    DRAFT = "draft", _("Draft")
    OPEN = "open", _("Open")
    CLOSED = "closed", _("Closed")


class Survey(AuditedModel):
    kind = models.CharField(_("kind"), max_length=20, choices=SurveyKind.choices)
    title = models.CharField(_("title"), max_length=200)
    description = models.TextField(_("description"), blank=True)
    subproject = models.ForeignKey(
        "training.SubProject",
        on_delete=models.PROTECT,
        related_name="surveys",
        verbose_name=_("sub-project"),
        null=True,
        blank=True,
    )
    center = models.ForeignKey(
        "centers.Center",
        on_delete=models.PROTECT,
        related_name="surveys",
        verbose_name=_("center"),
    )
    anonymous = models.BooleanField(_("anonymous"), default=True)
    audience = models.CharField(
        _("audience"), max_length=20, choices=Audience.choices, default=Audience.ENROLLED
    )
    gates_results = models.BooleanField(
        _("results shown only after answering"),
        default=False,
        help_text=_("A trainee sees their result and hours only after answering this survey."),
    )
    status = models.CharField(
        _("status"), max_length=10, choices=SurveyStatus.choices, default=SurveyStatus.DRAFT
    )
    opens_at = models.DateTimeField(_("opens at"), null=True, blank=True)
    deadline = models.DateTimeField(_("deadline"), null=True, blank=True)
    reminded_at = models.DateTimeField(_("reminder sent at"), null=True, blank=True)
    # Stored by the worker: {"responses": n, "satisfaction": "87.00", "questions": [...]}.
    results = models.JSONField(_("results"), default=dict, blank=True, editable=False)
    results_at = models.DateTimeField(_("results computed at"), null=True, blank=True)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True, db_index=True)

    objects = RestrictedQuerySet.as_manager()
    audit_exclude = ("results", "results_at")

    class Meta:
        verbose_name = _("survey")
        verbose_name_plural = _("surveys")
        ordering = ["-created_at", "-id"]
        constraints = [
            # The survey sent when a sub-project closes is sent once.
            models.UniqueConstraint(
                fields=["subproject", "kind"],
                condition=models.Q(kind="satisfaction"),
                name="evaluation_one_satisfaction_per_subproject",
                violation_error_message=_("This sub-project already has a satisfaction survey."),
            )
        ]

    def __str__(self):
        return self.title

    def get_absolute_url(self):
        return reverse("evaluation:survey-detail", args=[self.pk])


class Section(models.Model):
    survey = models.ForeignKey(Survey, on_delete=models.CASCADE, related_name="sections")
    title = models.CharField(_("title"), max_length=200)
    order = models.PositiveSmallIntegerField(_("order"), default=0)

    class Meta:
        verbose_name = _("section")
        verbose_name_plural = _("sections")
        ordering = ["order", "id"]

    def __str__(self):
        return self.title


class QuestionKind(models.TextChoices):
    SINGLE = "single", _("Single choice")
    MULTIPLE = "multiple", _("Multiple choice")
    SCALE = "scale", _("Scale 1–5")
    TEXT = "text", _("Text")


class Question(models.Model):
    survey = models.ForeignKey(Survey, on_delete=models.CASCADE, related_name="questions")
    section = models.ForeignKey(
        Section, on_delete=models.CASCADE, related_name="questions", null=True, blank=True
    )
    order = models.PositiveSmallIntegerField(_("order"), default=0)
    text = models.CharField(_("question"), max_length=300)
    kind = models.CharField(_("kind"), max_length=10, choices=QuestionKind.choices)
    choices = models.JSONField(_("choices"), default=list, blank=True)
    required = models.BooleanField(_("required"), default=True)
    # A scale question that measures satisfaction: 4 and 5 count as satisfied.
    satisfaction = models.BooleanField(_("counts towards satisfaction"), default=False)

    class Meta:
        verbose_name = _("question")
        verbose_name_plural = _("questions")
        ordering = ["order", "id"]

    def __str__(self):
        return self.text


class Invitation(models.Model):
    """Who was asked to answer, with a one-time token. ``used_at`` says they
    answered; for an anonymous survey nothing says which response is theirs."""

    survey = models.ForeignKey(Survey, on_delete=models.CASCADE, related_name="invitations")
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="survey_invitations",
        null=True,
        blank=True,
    )
    token = models.CharField(max_length=64, unique=True, default=new_token, editable=False)
    created_at = models.DateTimeField(auto_now_add=True)
    reminded_at = models.DateTimeField(null=True, blank=True)
    used_at = models.DateTimeField(null=True, blank=True)

    objects = RestrictedQuerySet.as_manager()

    class Meta:
        verbose_name = _("invitation")
        verbose_name_plural = _("invitations")
        constraints = [
            models.UniqueConstraint(
                fields=["survey", "user"],
                name="evaluation_one_invitation_per_person",
                violation_error_message=_("This person is already invited."),
            )
        ]

    def __str__(self):
        return f"{self.survey_id}:{self.pk}"


class Response(models.Model):
    survey = models.ForeignKey(Survey, on_delete=models.CASCADE, related_name="responses")
    # Empty for an anonymous survey, always.
    respondent = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        related_name="survey_responses",
        null=True,
        blank=True,
    )
    submitted_on = models.DateField(_("submitted on"))

    class Meta:
        verbose_name = _("response")
        verbose_name_plural = _("responses")
        constraints = [
            models.UniqueConstraint(
                fields=["survey", "respondent"],
                name="evaluation_one_named_response",
                violation_error_message=_("You have already answered this survey."),
            ),
        ]

    def __str__(self):
        return f"{self.survey_id}:{self.pk}"


class Answer(models.Model):
    response = models.ForeignKey(Response, on_delete=models.CASCADE, related_name="answers")
    question = models.ForeignKey(Question, on_delete=models.CASCADE, related_name="answers")
    # single: "choice"; multiple: ["a", "b"]; scale: 1..5; text: "..."
    value = models.JSONField()

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["response", "question"], name="evaluation_one_answer")
        ]

    def __str__(self):
        return f"{self.response_id}:{self.question_id}"
