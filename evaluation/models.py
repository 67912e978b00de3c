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
from django.utils.translation import pgettext_lazy

from centers.models import IdempotentBatch
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
    OPEN = "open", pgettext_lazy("evaluation status", "Open")
    CLOSED = "closed", pgettext_lazy("evaluation status", "Closed")


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
        pgettext_lazy("survey", "audience"),
        max_length=20,
        choices=Audience.choices,
        default=Audience.ENROLLED,
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
    results = models.JSONField(
        pgettext_lazy("survey", "results"), default=dict, blank=True, editable=False
    )
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
    TEXT = "text", pgettext_lazy("question kind", "Text")


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
        verbose_name = pgettext_lazy("survey", "response")
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


# --- Supervision visits (督导) --------------------------------------------------------


class VisitStatus(models.TextChoices):
    OPEN = "open", _("Being recorded")
    REPORTED = "reported", _("Reported to the vendor")
    CLOSED = "closed", pgettext_lazy("evaluation status", "Closed")


class SupervisionVisit(AuditedModel):
    """An on-site visit to a running sub-project: the course-table check,
    lesson observations, interviews, and findings with rectification requests."""

    subproject = models.ForeignKey(
        "training.SubProject",
        on_delete=models.PROTECT,
        related_name="supervision_visits",
        verbose_name=_("sub-project"),
    )
    visited_on = models.DateField(_("visited on"))
    supervisor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("supervisor"),
    )
    course_table_matches = models.BooleanField(
        _("course table followed"),
        null=True,
        blank=True,
        help_text=_("Whether the lessons held match the approved course table."),
    )
    course_table_notes = models.TextField(_("course-table check"), blank=True)
    summary = models.TextField(_("summary"), blank=True)
    status = models.CharField(
        _("status"), max_length=10, choices=VisitStatus.choices, default=VisitStatus.OPEN
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True, db_index=True)

    objects = RestrictedQuerySet.as_manager()

    class Meta:
        verbose_name = _("supervision visit")
        verbose_name_plural = _("supervision visits")
        ordering = ["-visited_on", "-id"]

    def __str__(self):
        return f"{self.subproject} · {self.visited_on:%Y-%m-%d}"

    def get_absolute_url(self):
        return reverse("evaluation:visit-detail", args=[self.pk])


class Observation(models.Model):
    """A lesson observed during a visit (听课), with notes and a 1–5 rating."""

    visit = models.ForeignKey(
        SupervisionVisit, on_delete=models.CASCADE, related_name="observations"
    )
    lesson = models.CharField(_("lesson"), max_length=200)
    instructor = models.CharField(_("instructor"), max_length=100, blank=True)
    rating = models.PositiveSmallIntegerField(_("rating (1–5)"), null=True, blank=True)
    notes = models.TextField(_("notes"), blank=True)

    class Meta:
        verbose_name = _("lesson observation")
        verbose_name_plural = _("lesson observations")
        ordering = ["id"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(rating__isnull=True) | models.Q(rating__gte=1, rating__lte=5),
                name="evaluation_observation_rating_1_5",
                violation_error_message=_("A rating is 1 to 5."),
            )
        ]

    def __str__(self):
        return self.lesson


class IntervieweeKind(models.TextChoices):
    TRAINEE = "trainee", _("Trainee")
    CLASS_TEACHER = "class_teacher", _("Class teacher (班主任)")


class Interview(models.Model):
    visit = models.ForeignKey(SupervisionVisit, on_delete=models.CASCADE, related_name="interviews")
    kind = models.CharField(_("interviewee"), max_length=20, choices=IntervieweeKind.choices)
    # No name of a trainee is needed: the count and the notes are the record.
    people = models.PositiveSmallIntegerField(_("people"), default=1)
    notes = models.TextField(_("notes"))

    class Meta:
        verbose_name = _("interview")
        verbose_name_plural = _("interviews")
        ordering = ["id"]

    def __str__(self):
        return self.get_kind_display()


class Severity(models.TextChoices):
    MINOR = "minor", _("Minor")
    MAJOR = "major", _("Major")


class FindingStatus(models.TextChoices):
    OPEN = "open", _("Awaiting the vendor's reply")
    REPLIED = "replied", _("Replied")
    RESOLVED = "resolved", _("Resolved")


class Finding(AuditedModel):
    """A finding of a visit; with a due date it is a rectification request
    (整改通知) the vendor answers."""

    visit = models.ForeignKey(SupervisionVisit, on_delete=models.CASCADE, related_name="findings")
    text = models.TextField(_("finding"))
    severity = models.CharField(
        _("severity"), max_length=10, choices=Severity.choices, default=Severity.MINOR
    )
    rectification = models.TextField(_("rectification requested"), blank=True)
    due_on = models.DateField(_("rectify by"), null=True, blank=True)
    status = models.CharField(
        _("status"), max_length=10, choices=FindingStatus.choices, default=FindingStatus.OPEN
    )
    reply = models.TextField(_("vendor's reply"), blank=True)
    replied_at = models.DateTimeField(_("replied at"), null=True, blank=True)
    replied_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("replied by"),
    )
    resolved_at = models.DateTimeField(_("resolved at"), null=True, blank=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True, db_index=True)

    objects = RestrictedQuerySet.as_manager()

    class Meta:
        verbose_name = _("finding")
        verbose_name_plural = _("findings")
        ordering = ["visit_id", "id"]

    def __str__(self):
        return self.text[:40]


# --- Project performance (立项前 / 实施中 / 结项后) ------------------------------------


class Stage(models.TextChoices):
    BEFORE = "before", _("Before approval (立项前)")
    DURING = "during", _("During delivery (实施中)")
    AFTER = "after", _("After closing (结项后)")


class StageCheck(AuditedModel):
    """One item of a sub-project's stage checklist, with its evidence."""

    subproject = models.ForeignKey(
        "training.SubProject",
        on_delete=models.CASCADE,
        related_name="stage_checks",
        verbose_name=_("sub-project"),
    )
    stage = models.CharField(
        pgettext_lazy("stage check", "stage"), max_length=10, choices=Stage.choices
    )
    item = models.CharField(_("item"), max_length=200)
    done = models.BooleanField(_("done"), default=False)
    evidence = models.TextField(_("evidence"), blank=True)
    checked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("checked by"),
    )
    checked_at = models.DateTimeField(_("checked at"), null=True, blank=True)
    order = models.PositiveSmallIntegerField(_("order"), default=0)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True, db_index=True)

    objects = RestrictedQuerySet.as_manager()

    class Meta:
        verbose_name = _("stage check")
        verbose_name_plural = _("stage checks")
        ordering = ["subproject_id", "stage", "order", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["subproject", "stage", "item"],
                name="evaluation_one_check_per_item",
                violation_error_message=_("This item is already on the checklist."),
            )
        ]

    def __str__(self):
        return self.item


class ScoreComponent(models.TextChoices):
    SATISFACTION = "satisfaction", _("Satisfaction")
    ATTENDANCE = "attendance", _("Attendance")
    RESULTS = "results", _("Results")
    SUPERVISION = "supervision", _("Supervision findings")
    CHECKLIST = "checklist", _("Stage checklists")


class ScoreWeight(models.Model):
    """The weight of a component in the project score (data, not code); the
    score divides by the sum of the weights of the components present."""

    component = models.CharField(
        _("component"), max_length=20, choices=ScoreComponent.choices, unique=True
    )
    weight = models.DecimalField(_("weight"), max_digits=5, decimal_places=2)

    class Meta:
        verbose_name = _("score weight")
        verbose_name_plural = _("score weights")
        ordering = ["component"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(weight__gte=0),
                name="evaluation_weight_not_negative",
                violation_error_message=_("A weight may not be negative."),
            )
        ]

    def __str__(self):
        return f"{self.get_component_display()}: {self.weight}"


class ProjectScore(models.Model):
    """A sub-project's stored score (computed by a worker, idempotent)."""

    subproject = models.OneToOneField(
        "training.SubProject",
        on_delete=models.CASCADE,
        related_name="project_score",
        verbose_name=_("sub-project"),
    )
    vendor = models.ForeignKey(
        "centers.Vendor",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="project_scores",
        verbose_name=_("vendor"),
    )
    # Each component 0–100 (None: nothing to measure yet).
    components = models.JSONField(_("components"), default=dict)
    score = models.DecimalField(_("score"), max_digits=5, decimal_places=2, null=True)
    computed_at = models.DateTimeField(_("computed at"))

    objects = RestrictedQuerySet.as_manager()

    class Meta:
        verbose_name = _("project score")
        verbose_name_plural = _("project scores")
        ordering = ["-computed_at", "-id"]

    def __str__(self):
        return f"{self.subproject}: {self.score}"


# --- Principals' end-of-term evaluation (校长任期届满考核) --------------------------------


class Dimension(models.TextChoices):
    ETHICS = "ethics", _("Professional ethics (师德表现)")
    LEARNING = "learning", _("Learning outcomes (学习成果)")
    SCHOOL = "school", _("School development (学校发展)")
    TEACHERS = "teachers", _("Teacher development (教师发展)")
    STUDENTS = "students", _("Student development (学生发展)")


class RaterGroup(models.TextChoices):
    STUDENTS = "students", _("Students")
    PARENTS = "parents", _("Parents")
    TEACHERS = "teachers", _("Teachers")
    MANAGERS = "managers", _("Middle managers")


class CampaignStatus(models.TextChoices):
    # Being prepared: principals added, links printed, the questionnaire's
    # items and the rater-group weights still editable (frozen once opened).
    DRAFT = "draft", pgettext_lazy("evaluation status", "Being prepared")
    OPEN = "open", pgettext_lazy("evaluation status", "Open")
    CLOSED = "closed", pgettext_lazy("evaluation status", "Closed")


class Campaign(AuditedModel):
    """A district's end-of-term evaluation of its principals, for one term."""

    district = models.ForeignKey(
        "centers.District",
        on_delete=models.PROTECT,
        related_name="principal_campaigns",
        verbose_name=_("district"),
    )
    term = models.CharField(_("term"), max_length=40)
    title = models.CharField(_("title"), max_length=200)
    min_answers = models.PositiveSmallIntegerField(
        _("minimum answers per rater group"),
        default=5,
        help_text=_("A rater group's score shows only from this many answers (anonymity)."),
    )
    status = models.CharField(
        _("status"), max_length=10, choices=CampaignStatus.choices, default=CampaignStatus.DRAFT
    )
    progress = models.PositiveSmallIntegerField(_("computed (%)"), default=0, editable=False)
    computed_at = models.DateTimeField(_("computed at"), null=True, blank=True, editable=False)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True, db_index=True)

    objects = RestrictedQuerySet.as_manager()
    audit_exclude = ("progress", "computed_at")

    class Meta:
        verbose_name = _("principal evaluation campaign")
        verbose_name_plural = _("principal evaluation campaigns")
        ordering = ["-created_at", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["district", "term"],
                name="evaluation_one_campaign_per_district_term",
                violation_error_message=_("This district already has a campaign for this term."),
            )
        ]

    def __str__(self):
        return self.title

    def get_absolute_url(self):
        return reverse("evaluation:campaign-detail", args=[self.pk])

    @property
    def editable(self) -> bool:
        """Whether its questionnaire and weights may still change (the rule
        is ``services.check_editable``)."""
        return self.status == CampaignStatus.DRAFT


class GroupWeight(models.Model):
    """The weight of a rater group in a campaign's scores (data, not code)."""

    campaign = models.ForeignKey(Campaign, on_delete=models.CASCADE, related_name="weights")
    group = models.CharField(_("rater group"), max_length=20, choices=RaterGroup.choices)
    weight = models.DecimalField(_("weight"), max_digits=5, decimal_places=2)

    class Meta:
        verbose_name = _("rater group weight")
        verbose_name_plural = _("rater group weights")
        constraints = [
            models.UniqueConstraint(fields=["campaign", "group"], name="evaluation_one_weight"),
            models.CheckConstraint(
                condition=models.Q(weight__gte=0),
                name="evaluation_group_weight_not_negative",
                violation_error_message=_("A weight may not be negative."),
            ),
        ]

    def __str__(self):
        return f"{self.get_group_display()}: {self.weight}"


class Appraisee(models.Model):
    """A principal rated in a campaign, with their stored scores."""

    campaign = models.ForeignKey(Campaign, on_delete=models.CASCADE, related_name="appraisees")
    school = models.ForeignKey(
        "centers.School", on_delete=models.PROTECT, related_name="+", verbose_name=_("school")
    )
    name = models.CharField(_("principal"), max_length=100)
    # Stored by the worker: {"groups": {group: {"n": 7, "shown": true, "dims": {...}}},
    # "dims": {dimension: "4.21"}, "score": "4.18"}.
    scores = models.JSONField(_("scores"), default=dict, blank=True, editable=False)
    score = models.DecimalField(_("score"), max_digits=4, decimal_places=2, null=True, blank=True)

    objects = RestrictedQuerySet.as_manager()

    class Meta:
        verbose_name = _("principal")
        verbose_name_plural = _("principals")
        ordering = ["school__name", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["campaign", "school"],
                name="evaluation_one_principal_per_school",
                violation_error_message=_("This school's principal is already in the campaign."),
            )
        ]

    def __str__(self):
        return self.name

    def get_absolute_url(self):
        return reverse("evaluation:appraisee-detail", args=[self.pk])


class Item(models.Model):
    """One item of a campaign's questionnaire, under one of the five
    dimensions; a rater answers each 1–5. The rows without a campaign are the
    default questionnaire (seeded by a data migration) that a new campaign
    copies, so a campaign keeps its own wording once started."""

    campaign = models.ForeignKey(
        Campaign, on_delete=models.CASCADE, related_name="items", null=True, blank=True
    )
    dimension = models.CharField(_("dimension"), max_length=20, choices=Dimension.choices)
    order = models.PositiveSmallIntegerField(_("order"), default=0)
    text = models.CharField(_("item text"), max_length=300)

    class Meta:
        verbose_name = _("questionnaire item")
        verbose_name_plural = _("questionnaire items")
        ordering = ["order", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["campaign", "order"],
                name="evaluation_one_item_per_place",
                violation_error_message=_("This place of the questionnaire is taken."),
            ),
            models.UniqueConstraint(
                fields=["order"],
                condition=models.Q(campaign__isnull=True),
                name="evaluation_one_default_item_per_place",
            ),
        ]

    def __str__(self):
        return self.text


class RaterToken(models.Model):
    """A one-time anonymous link for one rater of a group (printed as a QR
    code). Nothing links it to the rating it was used for."""

    appraisee = models.ForeignKey(Appraisee, on_delete=models.CASCADE, related_name="tokens")
    group = models.CharField(_("rater group"), max_length=20, choices=RaterGroup.choices)
    token = models.CharField(max_length=64, unique=True, default=new_token, editable=False)
    used_at = models.DateTimeField(null=True, blank=True)

    objects = RestrictedQuerySet.as_manager()

    class Meta:
        verbose_name = _("rater link")
        verbose_name_plural = _("rater links")

    def __str__(self):
        return f"{self.appraisee_id}:{self.group}"


class Rating(models.Model):
    """One rater's anonymous answer: the group and the day; its 1–5 answers
    to the campaign's items are ``RatingAnswer`` rows."""

    appraisee = models.ForeignKey(Appraisee, on_delete=models.CASCADE, related_name="ratings")
    group = models.CharField(_("rater group"), max_length=20, choices=RaterGroup.choices)
    submitted_on = models.DateField(_("submitted on"))

    class Meta:
        verbose_name = _("rating")
        verbose_name_plural = _("ratings")

    def __str__(self):
        return f"{self.appraisee_id}:{self.group}"


class RatingAnswer(models.Model):
    """A rater's 1–5 answer to one item (25 per rating)."""

    rating = models.ForeignKey(Rating, on_delete=models.CASCADE, related_name="answers")
    item = models.ForeignKey(Item, on_delete=models.CASCADE, related_name="+")
    value = models.PositiveSmallIntegerField(_("answer (1–5)"))

    class Meta:
        verbose_name = _("rating answer")
        verbose_name_plural = _("rating answers")
        constraints = [
            models.UniqueConstraint(fields=["rating", "item"], name="evaluation_one_item_answer"),
            models.CheckConstraint(
                condition=models.Q(value__gte=1, value__lte=5),
                name="evaluation_item_answer_1_5",
                violation_error_message=_("A rating is 1 to 5."),
            ),
        ]

    def __str__(self):
        return f"{self.rating_id}:{self.item_id}"


class LinkIssue(IdempotentBatch):
    """Rater links issued through the API under an ``Idempotency-Key``
    (``services.issue_links_once``): a resend gets the same links back and
    issues none."""

    class Meta:
        verbose_name = _("rater link issue")
        verbose_name_plural = _("rater link issues")
        constraints = [
            models.UniqueConstraint(
                fields=["district", "key"], name="evaluation_link_issue_key_per_district"
            )
        ]

    def __str__(self):
        return f"{self.district_id}: {self.key}"
