"""Famous-teacher studios (名师名校长工作室): the studio, its host, members and
network learners, their selection (遴选), plans, tasks, activities, outputs,
mentoring pairs (师徒结对) and the annual and cycle evaluations.

DOMAIN.md §4 is the specification, with the charter's studio duties (seeds/001,
第七条) and the provincial rule that famous teachers and principals mentor at
least 3 ordinary teachers a year on a 5-year cycle (seeds/002). The rules over
several records live in ``services``; docs/studios.md describes them.
"""

from __future__ import annotations

import secrets
from datetime import date
from decimal import Decimal

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from centers.models import Center, SchoolStage, Teacher
from centers.validators import validate_ladder_step
from core.audit import AuditedModel
from core.permissions import RestrictedQuerySet

# Until the shared upload guard (issue 9) lands, studio files go through the
# credits evidence check: PDF, images and Office documents up to 10 MB, the
# content matching the extension.
from credits.validators import validate_evidence_file as validate_studio_file

HOURS = {"max_digits": 5, "decimal_places": 1}
CYCLE_YEARS = 5


class StudioKind(models.TextChoices):
    FAMOUS_TEACHER = "famous_teacher", _("Famous teacher studio")
    FAMOUS_PRINCIPAL = "famous_principal", _("Famous principal studio")
    FAMOUS_KG_DIRECTOR = "famous_kg_director", _("Famous kindergarten director studio")
    EXPERT = "expert", _("Education expert studio")


class StudioLevel(models.TextChoices):
    PROVINCIAL = "provincial", pgettext_lazy("studio level", "Provincial")
    MUNICIPAL = "municipal", pgettext_lazy("studio level", "Municipal")
    DISTRICT = "district", pgettext_lazy("studio level", "District")


def cycle_end_for(start: date) -> date:
    """The last day of a 5-year cycle starting on ``start``."""
    try:
        end = start.replace(year=start.year + CYCLE_YEARS)
    except ValueError:  # 29 February
        end = start.replace(year=start.year + CYCLE_YEARS, day=28)
    return date.fromordinal(end.toordinal() - 1)


class Studio(AuditedModel):
    """A studio (工作室) led by a famous teacher, principal, kindergarten
    director or education expert, at provincial, municipal or district level,
    for a subject and stage, over a 5-year cycle. It is managed by the
    municipal center whose mandate covers it (``services.route_studio``:
    kindergarten → 幼儿园 center, vocational → 中职 center, principals →
    中小学 center, teachers and experts → 研训 center)."""

    name = models.CharField(_("name"), max_length=100, unique=True)
    kind = models.CharField(_("kind"), max_length=20, choices=StudioKind.choices)
    level = models.CharField(_("level"), max_length=12, choices=StudioLevel.choices)
    subject = models.CharField(_("subject"), max_length=30, blank=True)
    stage = models.CharField(_("stage"), max_length=20, choices=SchoolStage.choices)
    cycle_start = models.DateField(_("cycle starts on"))
    cycle_end = models.DateField(
        _("cycle ends on"), blank=True, help_text=_("Five years from the start when left empty.")
    )
    managing_center = models.ForeignKey(
        Center,
        on_delete=models.PROTECT,
        related_name="managed_studios",
        verbose_name=_("managing center"),
        limit_choices_to={"kind": "municipal"},
        blank=True,
        help_text=_("Routed by the centers' mandates when left empty."),
    )
    description = models.TextField(_("description"), blank=True)
    is_active = models.BooleanField(_("active"), default=True)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True, db_index=True)

    objects = RestrictedQuerySet.as_manager()

    class Meta:
        verbose_name = _("studio")
        verbose_name_plural = _("studios")
        ordering = ["managing_center_id", "kind", "name"]
        constraints = [
            models.CheckConstraint(
                condition=Q(cycle_end__gt=models.F("cycle_start")),
                name="studio_cycle_ends_after_start",
                violation_error_message=_("The cycle must end after it starts."),
            ),
        ]

    def __str__(self):
        return self.name

    def get_absolute_url(self):
        return reverse("studios:detail", args=[self.pk])

    def save(self, *args, **kwargs):
        if not self.cycle_end and self.cycle_start:
            self.cycle_end = cycle_end_for(self.cycle_start)
        if not self.managing_center_id:
            from .services import route_studio

            self.managing_center = route_studio(kind=self.kind, stage=self.stage)
        super().save(*args, **kwargs)

    def cycle_years(self) -> list[int]:
        return list(range(self.cycle_start.year, self.cycle_end.year + 1))


class PersonRole(models.TextChoices):
    HOST = "host", _("Host")
    MEMBER = "member", pgettext_lazy("studio", "Member")
    LEARNER = "learner", _("Network learner")


class StudioPersonQuerySet(RestrictedQuerySet):
    def current(self, on=None):
        on = on or date.today()
        return self.filter(starts_on__lte=on).filter(Q(ends_on__isnull=True) | Q(ends_on__gte=on))


class StudioPerson(AuditedModel):
    """A teacher in a studio: its host (主持人), a member (成员) or a network
    learner (网络学员), from a date, until a date when they leave. People come
    in through a published selection round (or are entered by the managing
    center); the portal gives each the studio role of their place."""

    studio = models.ForeignKey(
        Studio, on_delete=models.CASCADE, related_name="people", verbose_name=_("studio")
    )
    teacher = models.ForeignKey(
        Teacher, on_delete=models.PROTECT, related_name="studio_places", verbose_name=_("teacher")
    )
    role = models.CharField(_("role in the studio"), max_length=10, choices=PersonRole.choices)
    starts_on = models.DateField(_("starts on"))
    ends_on = models.DateField(_("ends on"), null=True, blank=True)
    ladder_step = models.CharField(
        _("career ladder step"),
        max_length=40,
        blank=True,
        validators=[validate_ladder_step],
        help_text=_("The host's step of the centers' career ladders (e.g. 工作室主持人)."),
    )
    application = models.ForeignKey(
        "Application",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("selected through"),
        editable=False,
    )
    updated_at = models.DateTimeField(_("updated at"), auto_now=True, db_index=True)

    objects = StudioPersonQuerySet.as_manager()

    class Meta:
        verbose_name = _("studio person")
        verbose_name_plural = _("studio people")
        ordering = ["studio_id", "role", "starts_on", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["studio"],
                condition=Q(role="host", ends_on__isnull=True),
                name="studio_one_current_host",
                violation_error_message=_("The studio already has a host."),
            ),
            models.UniqueConstraint(
                fields=["studio", "teacher"],
                condition=Q(ends_on__isnull=True),
                name="studio_person_once",
                violation_error_message=_("This teacher is already in the studio."),
            ),
            models.CheckConstraint(
                condition=Q(ends_on__isnull=True) | Q(ends_on__gte=models.F("starts_on")),
                name="studio_person_ends_after_start",
                violation_error_message=_("A place cannot end before it starts."),
            ),
        ]

    def __str__(self):
        return f"{self.teacher} · {self.get_role_display()}"

    def clean(self):
        super().clean()
        if self.ladder_step and self.role != PersonRole.HOST:
            raise ValidationError(
                {"ladder_step": _("Only the studio's host records a career ladder step.")}
            )

    @property
    def ladder_step_name(self) -> str:
        """The Chinese name of ``ladder_step`` (centers' career ladders)."""
        from centers.services import ladder_step_name

        return ladder_step_name(self.ladder_step)

    def is_current(self, on=None) -> bool:
        on = on or date.today()
        return self.starts_on <= on and (self.ends_on is None or self.ends_on >= on)


# --- Selection (遴选) ---------------------------------------------------------


class RoundStatus(models.TextChoices):
    OPEN = "open", _("Open for applications")
    REVIEWING = "reviewing", _("Under review")
    PUBLISHED = "published", _("List published")


class SelectionRound(AuditedModel):
    """A selection (遴选) of a studio's host, members or network learners:
    teachers apply with documents, the managing center reviews, the bureau
    decides and the list of those selected is published."""

    studio = models.ForeignKey(
        Studio, on_delete=models.CASCADE, related_name="rounds", verbose_name=_("studio")
    )
    role = models.CharField(_("selection of"), max_length=10, choices=PersonRole.choices)
    title = models.CharField(_("title"), max_length=200)
    year = models.PositiveSmallIntegerField(_("year"))
    closes_on = models.DateField(_("applications close on"))
    places = models.PositiveSmallIntegerField(
        _("places"), default=1, validators=[MinValueValidator(1)]
    )
    status = models.CharField(
        _("status"),
        max_length=10,
        choices=RoundStatus.choices,
        default=RoundStatus.OPEN,
        editable=False,
    )
    published_on = models.DateField(_("published on"), null=True, blank=True, editable=False)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True, db_index=True)

    objects = RestrictedQuerySet.as_manager()

    class Meta:
        verbose_name = _("selection round")
        verbose_name_plural = _("selection rounds")
        ordering = ["-year", "studio_id", "role"]

    def __str__(self):
        return self.title

    def get_absolute_url(self):
        return reverse("studios:round-detail", args=[self.pk])


class ApplicationStatus(models.TextChoices):
    SUBMITTED = "submitted", _("Submitted")
    RECOMMENDED = "recommended", _("Recommended by the center")
    NOT_RECOMMENDED = "not_recommended", _("Not recommended by the center")
    APPROVED = "approved", _("Selected by the bureau")
    REJECTED = "rejected", _("Not selected")


class Application(AuditedModel):
    """A teacher's application to a selection round, with documents; the
    managing center's review and the bureau's decision."""

    round = models.ForeignKey(
        SelectionRound,
        on_delete=models.CASCADE,
        related_name="applications",
        verbose_name=_("selection round"),
    )
    teacher = models.ForeignKey(
        Teacher,
        on_delete=models.PROTECT,
        related_name="studio_applications",
        verbose_name=_("teacher"),
    )
    statement = models.TextField(_("statement"), blank=True)
    status = models.CharField(
        _("status"),
        max_length=20,
        choices=ApplicationStatus.choices,
        default=ApplicationStatus.SUBMITTED,
        editable=False,
    )
    review_note = models.CharField(_("center's review"), max_length=300, blank=True)
    reviewed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("reviewed by"),
        editable=False,
    )
    decision_note = models.CharField(_("bureau's decision"), max_length=300, blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("decided by"),
        editable=False,
    )
    created_at = models.DateTimeField(_("submitted at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True, db_index=True)

    objects = RestrictedQuerySet.as_manager()

    class Meta:
        verbose_name = _("application")
        verbose_name_plural = _("applications")
        ordering = ["round_id", "created_at", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["round", "teacher"],
                name="studio_application_once_per_round",
                violation_error_message=_("This teacher has already applied to this round."),
            ),
        ]

    def __str__(self):
        return f"{self.teacher} · {self.round}"


def document_path(instance, filename):
    return f"studios/{instance._meta.model_name}/{secrets.token_hex(6)}-{filename[-80:]}"


class ApplicationDocument(models.Model):
    """A document that supports an application (CV, results, certificates)."""

    application = models.ForeignKey(
        Application,
        on_delete=models.CASCADE,
        related_name="documents",
        verbose_name=_("application"),
    )
    name = models.CharField(_("name"), max_length=200)
    file = models.FileField(_("file"), upload_to=document_path, validators=[validate_studio_file])
    uploaded_at = models.DateTimeField(_("uploaded at"), auto_now_add=True)

    class Meta:
        verbose_name = _("application document")
        verbose_name_plural = _("application documents")
        ordering = ["application_id", "id"]

    def __str__(self):
        return self.name


# --- Plans ---------------------------------------------------------------------


class PlanKind(models.TextChoices):
    CYCLE = "cycle", _("Cycle plan")
    ANNUAL = "annual", _("Annual plan")
    DEVELOPMENT = "development", _("Member development plan")


class PlanStatus(models.TextChoices):
    DRAFT = "draft", _("Draft")
    SUBMITTED = "submitted", _("Submitted")
    APPROVED = "approved", _("Approved")


class Plan(AuditedModel):
    """A studio plan: the cycle plan (周期计划), an annual plan (年度计划) or
    a member's development plan (成员培养方案). The host drafts and submits
    it; the managing center approves it or sends it back to draft."""

    studio = models.ForeignKey(
        Studio, on_delete=models.CASCADE, related_name="plans", verbose_name=_("studio")
    )
    kind = models.CharField(_("kind"), max_length=12, choices=PlanKind.choices)
    year = models.PositiveSmallIntegerField(_("year"), null=True, blank=True)
    person = models.ForeignKey(
        StudioPerson,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="plans",
        verbose_name=pgettext_lazy("studio", "member"),
    )
    title = models.CharField(_("title"), max_length=200)
    body = models.TextField(_("text"))
    status = models.CharField(
        _("status"),
        max_length=10,
        choices=PlanStatus.choices,
        default=PlanStatus.DRAFT,
        editable=False,
    )
    return_note = models.CharField(
        _("returned because"), max_length=300, blank=True, editable=False
    )
    approved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("approved by"),
        editable=False,
    )
    approved_at = models.DateTimeField(_("approved at"), null=True, blank=True, editable=False)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True, db_index=True)

    objects = RestrictedQuerySet.as_manager()

    class Meta:
        verbose_name = _("studio plan")
        verbose_name_plural = _("studio plans")
        ordering = ["studio_id", "kind", "year", "id"]
        constraints = [
            models.CheckConstraint(
                condition=~Q(kind="annual") | Q(year__isnull=False),
                name="studio_annual_plan_has_year",
                violation_error_message=_("An annual plan needs its year."),
            ),
            models.CheckConstraint(
                condition=~Q(kind="development") | Q(person__isnull=False),
                name="studio_development_plan_has_member",
                violation_error_message=_("A development plan names its member."),
            ),
            models.UniqueConstraint(
                fields=["studio"],
                condition=Q(kind="cycle"),
                name="studio_one_cycle_plan",
                violation_error_message=_("The studio already has a cycle plan."),
            ),
            models.UniqueConstraint(
                fields=["studio", "year"],
                condition=Q(kind="annual"),
                name="studio_one_annual_plan_per_year",
                violation_error_message=_("The studio already has a plan for that year."),
            ),
            models.UniqueConstraint(
                fields=["person"],
                condition=Q(kind="development"),
                name="studio_one_development_plan_per_member",
                violation_error_message=_("This member already has a development plan."),
            ),
        ]

    def __str__(self):
        if self.kind == PlanKind.ANNUAL:
            return f"{self.studio} · {self.year} {self.get_kind_display()}"
        if self.kind == PlanKind.DEVELOPMENT and self.person_id:
            return f"{self.studio} · {self.person.teacher} {self.get_kind_display()}"
        return f"{self.studio} · {self.get_kind_display()}"

    def clean(self):
        if self.person_id and self.person.studio_id != self.studio_id:
            raise ValidationError({"person": _("The member belongs to another studio.")})

    @property
    def is_editable(self) -> bool:
        return self.status == PlanStatus.DRAFT


# --- Work: tasks, activities, outputs ------------------------------------------


class TaskKind(models.TextChoices):
    RESEARCH = "research", _("Research topic")
    TRAINING = "training", _("Training task")


class StudioTask(AuditedModel):
    """A task the studio must carry (承担的培训研修任务): a research topic or
    a training task, usually given by the managing center."""

    studio = models.ForeignKey(
        Studio, on_delete=models.CASCADE, related_name="tasks", verbose_name=_("studio")
    )
    kind = models.CharField(_("kind"), max_length=10, choices=TaskKind.choices)
    title = models.CharField(_("title"), max_length=200)
    description = models.TextField(_("description"), blank=True)
    year = models.PositiveSmallIntegerField(_("year"))
    due_on = models.DateField(_("due on"), null=True, blank=True)
    done_on = models.DateField(_("done on"), null=True, blank=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True, db_index=True)

    objects = RestrictedQuerySet.as_manager()

    class Meta:
        verbose_name = _("studio task")
        verbose_name_plural = _("studio tasks")
        ordering = ["studio_id", "-year", "due_on", "id"]

    def __str__(self):
        return self.title


class ActivityKind(models.TextChoices):
    SEMINAR = "seminar", _("Seminar")
    DEMO_LESSON = "demo_lesson", _("Demonstration lesson")
    OUTREACH = "outreach", _("Teaching outreach to rural schools")
    LECTURE = "lecture", _("Lecture")


class Activity(AuditedModel):
    """A studio activity (研讨, 示范课, 送教下乡, 讲座) on a date at a place,
    with its attendance. Each teacher who attended earns ``hours`` once
    (``services.record_attendance`` posts them with the key
    ``studios.activity:<id>``)."""

    studio = models.ForeignKey(
        Studio, on_delete=models.CASCADE, related_name="activities", verbose_name=_("studio")
    )
    kind = models.CharField(_("kind"), max_length=12, choices=ActivityKind.choices)
    title = models.CharField(_("title"), max_length=200)
    held_on = models.DateField(_("held on"))
    place = models.CharField(_("place"), max_length=200)
    hours = models.DecimalField(
        _("hours"),
        validators=[MinValueValidator(Decimal("0.5")), MaxValueValidator(Decimal("40"))],
        **HOURS,
    )
    description = models.TextField(_("description"), blank=True)
    other_participants = models.PositiveIntegerField(
        _("other participants"),
        default=0,
        help_text=_(
            "Participants who are not in the studio (e.g. teachers of the schools visited)."
        ),
    )
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("recorded by"),
        editable=False,
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True, db_index=True)

    objects = RestrictedQuerySet.as_manager()

    class Meta:
        verbose_name = _("studio activity")
        verbose_name_plural = _("studio activities")
        ordering = ["-held_on", "-id"]
        indexes = [models.Index(fields=["studio", "held_on"], name="studio_activity_date")]

    def __str__(self):
        return f"{self.held_on:%Y-%m-%d} {self.title}"

    def get_absolute_url(self):
        return reverse("studios:activity-detail", args=[self.pk])

    @property
    def activity_key(self) -> str:
        return f"studios.activity:{self.pk}"


class Attendance(models.Model):
    """Whether a teacher attended an activity (one row per participant)."""

    activity = models.ForeignKey(
        Activity, on_delete=models.CASCADE, related_name="attendance", verbose_name=_("activity")
    )
    teacher = models.ForeignKey(
        Teacher,
        on_delete=models.PROTECT,
        related_name="studio_attendance",
        verbose_name=_("teacher"),
    )
    attended = models.BooleanField(_("attended"), default=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    class Meta:
        verbose_name = _("attendance")
        verbose_name_plural = _("attendance")
        ordering = ["activity_id", "teacher_id"]
        constraints = [
            models.UniqueConstraint(fields=["activity", "teacher"], name="studio_attendance_once")
        ]

    def __str__(self):
        return f"{self.teacher_id}@{self.activity_id}"


class OutputKind(models.TextChoices):
    PAPER = "paper", _("Paper")
    LESSON = "lesson", _("Lesson")
    COURSE = "course", _("Course")
    REPORT = "report", _("Report")


class Output(AuditedModel):
    """A result of the studio's work (成果): a paper, a recorded lesson, a
    course or a report, with its file."""

    studio = models.ForeignKey(
        Studio, on_delete=models.CASCADE, related_name="outputs", verbose_name=_("studio")
    )
    kind = models.CharField(_("kind"), max_length=10, choices=OutputKind.choices)
    title = models.CharField(_("title"), max_length=200)
    authors = models.CharField(_("authors"), max_length=200, blank=True)
    year = models.PositiveSmallIntegerField(_("year"))
    published_in = models.CharField(_("published in"), max_length=200, blank=True)
    file = models.FileField(
        _("file"), upload_to=document_path, validators=[validate_studio_file], blank=True
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True, db_index=True)

    objects = RestrictedQuerySet.as_manager()

    class Meta:
        verbose_name = _("studio output")
        verbose_name_plural = _("studio outputs")
        ordering = ["studio_id", "-year", "id"]

    def __str__(self):
        return self.title


# --- Mentoring (师徒结对) --------------------------------------------------------


class MentoringRule(AuditedModel):
    """How many ordinary teachers a studio's famous teacher must mentor each
    year (002: 每年至少结对带动3名普通教师), and the hours a pair earns.
    A rule for a kind of studio overrides the general one (blank kind)."""

    kind = models.CharField(
        _("studio kind"), max_length=20, choices=StudioKind.choices, blank=True, unique=True
    )
    min_mentees = models.PositiveSmallIntegerField(_("mentees a year, at least"), default=3)
    mentee_hours = models.DecimalField(_("hours for the mentee"), default=Decimal("20"), **HOURS)
    mentor_hours = models.DecimalField(_("hours for the mentor"), default=Decimal("10"), **HOURS)
    source = models.CharField(_("source"), max_length=200, blank=True)

    objects = RestrictedQuerySet.as_manager()

    class Meta:
        verbose_name = _("mentoring rule")
        verbose_name_plural = _("mentoring rules")
        ordering = ["kind"]

    def __str__(self):
        what = self.get_kind_display() if self.kind else _("All studios")
        return f"{what}: ≥ {self.min_mentees}"


class MentoringPair(AuditedModel):
    """A mentoring pair (师徒结对) for a year: a famous teacher or principal of
    the studio (the mentor) and an ordinary teacher (the mentee). When the
    year's mentoring is completed both earn hours once, with the key
    ``studios.mentoring:<pair>:<year>``."""

    studio = models.ForeignKey(
        Studio, on_delete=models.CASCADE, related_name="pairs", verbose_name=_("studio")
    )
    year = models.PositiveSmallIntegerField(_("year"))
    mentor = models.ForeignKey(
        Teacher, on_delete=models.PROTECT, related_name="studio_mentees", verbose_name=_("mentor")
    )
    mentee = models.ForeignKey(
        Teacher, on_delete=models.PROTECT, related_name="studio_mentors", verbose_name=_("mentee")
    )
    goals = models.TextField(_("goals"), blank=True)
    completed_on = models.DateField(_("completed on"), null=True, blank=True, editable=False)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True, db_index=True)

    objects = RestrictedQuerySet.as_manager()

    class Meta:
        verbose_name = _("mentoring pair")
        verbose_name_plural = _("mentoring pairs")
        ordering = ["studio_id", "-year", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["year", "mentor", "mentee"],
                name="studio_pair_once_a_year",
                violation_error_message=_("This pair already exists for that year."),
            ),
            models.CheckConstraint(
                condition=~Q(mentor=models.F("mentee")),
                name="studio_pair_two_people",
                violation_error_message=_("A teacher cannot mentor themselves."),
            ),
        ]

    def __str__(self):
        return f"{self.year} {self.mentor} → {self.mentee}"

    @property
    def activity_key(self) -> str:
        return f"studios.mentoring:{self.pk}:{self.year}"


# --- Evaluation ---------------------------------------------------------------


class EvaluationKind(models.TextChoices):
    ANNUAL = "annual", _("Annual evaluation")
    CYCLE = "cycle", _("Cycle evaluation")


class Result(models.TextChoices):
    # A context of their own: "Pass" is also a standard's check elsewhere (达标).
    EXCELLENT = "excellent", pgettext_lazy("evaluation result", "Excellent")
    PASS = "pass", pgettext_lazy("evaluation result", "Pass")
    FAIL = "fail", pgettext_lazy("evaluation result", "Fail")


class EvaluationScheme(AuditedModel):
    """The criteria, weights and result bands of an evaluation kind: the
    annual one (by the managing center) or the cycle one (by the bureau).
    A total of at least ``excellent_from`` is 优秀, of at least
    ``pass_from`` 合格, below that 不合格."""

    kind = models.CharField(_("kind"), max_length=10, choices=EvaluationKind.choices)
    name = models.CharField(_("name"), max_length=100)
    excellent_from = models.DecimalField(
        _("excellent from"), max_digits=5, decimal_places=1, default=Decimal("90")
    )
    pass_from = models.DecimalField(
        _("pass from"), max_digits=5, decimal_places=1, default=Decimal("60")
    )
    is_active = models.BooleanField(_("in use"), default=True)

    objects = RestrictedQuerySet.as_manager()

    class Meta:
        verbose_name = _("evaluation scheme")
        verbose_name_plural = _("evaluation schemes")
        ordering = ["kind", "-is_active", "name"]
        constraints = [
            models.UniqueConstraint(
                fields=["kind"],
                condition=Q(is_active=True),
                name="studio_one_scheme_in_use_per_kind",
                violation_error_message=_("Another scheme of this kind is in use."),
            ),
            models.CheckConstraint(
                condition=Q(excellent_from__gt=models.F("pass_from")),
                name="studio_scheme_bands_ordered",
                violation_error_message=_("“Excellent from” must be above “pass from”."),
            ),
        ]

    def __str__(self):
        return self.name


class Criterion(AuditedModel):
    """One criterion of a scheme, with its weight; scores run 0–100."""

    scheme = models.ForeignKey(
        EvaluationScheme,
        on_delete=models.CASCADE,
        related_name="criteria",
        verbose_name=_("scheme"),
    )
    name = models.CharField(_("name"), max_length=100)
    weight = models.DecimalField(
        _("weight"), max_digits=5, decimal_places=2, validators=[MinValueValidator(Decimal("0.01"))]
    )
    order = models.PositiveSmallIntegerField(_("order"), default=0)

    objects = RestrictedQuerySet.as_manager()

    class Meta:
        verbose_name = _("criterion")
        verbose_name_plural = _("criteria")
        ordering = ["scheme_id", "order", "id"]
        constraints = [
            models.UniqueConstraint(fields=["scheme", "name"], name="studio_criterion_once"),
        ]

    def __str__(self):
        return f"{self.name} ({self.weight})"


class EvaluationStatus(models.TextChoices):
    DRAFT = "draft", pgettext_lazy("studio", "In progress")
    COMPLETED = "completed", pgettext_lazy("studio", "Completed")


class Evaluation(AuditedModel):
    """An evaluation of a studio: annual (年度评价, by the managing center) for
    a year, or of its cycle (周期评价, by the bureau). Scores per criterion
    give the weighted total and the result (优秀 / 合格 / 不合格). A failing
    cycle result is recorded against the host (``host``)."""

    studio = models.ForeignKey(
        Studio, on_delete=models.CASCADE, related_name="evaluations", verbose_name=_("studio")
    )
    kind = models.CharField(_("kind"), max_length=10, choices=EvaluationKind.choices)
    year = models.PositiveSmallIntegerField(_("year"))
    scheme = models.ForeignKey(
        EvaluationScheme, on_delete=models.PROTECT, related_name="+", verbose_name=_("scheme")
    )
    status = models.CharField(
        _("status"),
        max_length=10,
        choices=EvaluationStatus.choices,
        default=EvaluationStatus.DRAFT,
        editable=False,
    )
    total = models.DecimalField(
        _("total score"), max_digits=5, decimal_places=1, null=True, blank=True, editable=False
    )
    result = models.CharField(
        _("result"), max_length=10, choices=Result.choices, blank=True, editable=False
    )
    comments = models.TextField(pgettext_lazy("studio", "comments"), blank=True)
    document = models.FileField(
        _("document"), upload_to=document_path, validators=[validate_studio_file], blank=True
    )
    host = models.ForeignKey(
        Teacher,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="studio_evaluations",
        verbose_name=_("host at the time"),
        editable=False,
    )
    completed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("completed by"),
        editable=False,
    )
    completed_at = models.DateTimeField(_("completed at"), null=True, blank=True, editable=False)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True, db_index=True)

    objects = RestrictedQuerySet.as_manager()

    class Meta:
        verbose_name = _("studio evaluation")
        verbose_name_plural = _("studio evaluations")
        ordering = ["-year", "studio_id", "kind"]
        constraints = [
            models.UniqueConstraint(
                fields=["studio", "kind", "year"],
                name="studio_evaluation_once",
                violation_error_message=_("This evaluation already exists."),
            ),
            models.CheckConstraint(
                condition=~Q(status="completed") | (Q(total__isnull=False) & ~Q(result="")),
                name="studio_evaluation_completed_has_result",
            ),
        ]

    def __str__(self):
        return f"{self.studio} · {self.year} {self.get_kind_display()}"

    def get_absolute_url(self):
        return reverse("studios:evaluation-detail", args=[self.pk])

    @property
    def is_completed(self) -> bool:
        return self.status == EvaluationStatus.COMPLETED


class Score(models.Model):
    """The score (0–100) an evaluation gives one criterion."""

    evaluation = models.ForeignKey(
        Evaluation, on_delete=models.CASCADE, related_name="scores", verbose_name=_("evaluation")
    )
    criterion = models.ForeignKey(
        Criterion, on_delete=models.PROTECT, related_name="+", verbose_name=_("criterion")
    )
    score = models.DecimalField(
        _("score"),
        max_digits=5,
        decimal_places=1,
        validators=[MinValueValidator(0), MaxValueValidator(100)],
    )
    note = models.CharField(_("note"), max_length=300, blank=True)

    class Meta:
        verbose_name = _("score")
        verbose_name_plural = _("scores")
        ordering = ["evaluation_id", "criterion__order", "criterion_id"]
        constraints = [
            models.UniqueConstraint(fields=["evaluation", "criterion"], name="studio_score_once"),
            models.CheckConstraint(
                condition=Q(score__gte=0, score__lte=100), name="studio_score_in_range"
            ),
        ]

    def __str__(self):
        return f"{self.criterion_id}: {self.score}"
