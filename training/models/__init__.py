"""Training (培训): from the yearly plan to hours on the teacher's ledger.

A plan (培训计划) of one level (国培, 省培, 市培, 区培, 校本) for a year is
held by the bureau, a center or a district; it holds projects, and a project
holds sub-projects (子项目), the unit that is procured, taught and closed: its
target group, tier, mode, hours and credit category, dates, planned headcount
(the seats), budget and responsible center (proposed by the centers' mandate
routing, overridable with a reason). Quotas split the seats among districts
and schools. Teachers enrol (or are nominated), districts approve within
their quota, the database keeps the seats; sessions are checked in with a
rotating code; results are computed from a rule held as data; closing posts
the hours through ``credits.services.award_hours_bulk`` (DOMAIN.md §3).

Every state change goes through ``training.services``; the models only keep
the invariants the database can keep (one active enrolment per teacher,
seats taken never above the seats, weights summing to 100 %).
"""

from __future__ import annotations

import secrets
from decimal import Decimal

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import F, Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from centers.models import (
    CareerStage,
    Center,
    District,
    IdempotentBatch,
    ImportStatus,
    School,
    SchoolStage,
    TargetGroup,
    Teacher,
    TrainingKind,
    Vendor,
)
from centers.validators import validate_ladder_step
from core.audit import AuditedModel
from core.permissions import RestrictedQuerySet
from credits.models import HOURS, Category, CreditEntry

from .procurement import (  # noqa: F401  (the app's models, one namespace)
    Bid,
    Contract,
    ContractStatus,
    Criterion,
    DueCondition,
    Expert,
    Panelist,
    PaymentKind,
    PaymentStep,
    PaymentStepStatus,
    PracticeBase,
    Procurement,
    ProcurementMethod,
    ProcurementStatus,
    Score,
)

MONEY = {"max_digits": 14, "decimal_places": 2}
SCORE = {"max_digits": 5, "decimal_places": 1}
PERCENT = [MinValueValidator(0), MaxValueValidator(100)]


class Level(models.TextChoices):
    NATIONAL = "national", _("National plan (国培计划)")
    PROVINCIAL = "provincial", _("Provincial plan (省培计划)")
    MUNICIPAL = "municipal", _("Municipal (市培)")
    DISTRICT = "district", _("District (区培)")
    SCHOOL = "school", _("School-based (校本研修)")


class HolderKind(models.TextChoices):
    BUREAU = "bureau", _("Education bureau")
    CENTER = "center", _("Center")
    DISTRICT = "district", _("District")


class PlanStatus(models.TextChoices):
    DRAFT = "draft", _("Draft")
    SUBMITTED = "submitted", _("Submitted")
    APPROVED = "approved", _("Approved")


class Plan(AuditedModel):
    """A year's training plan (年度培训计划) of one level, held by the bureau,
    a center or a district (e.g. Hezhou's 2019 国培计划: ¥3.99779M, 835
    trainees)."""

    year = models.PositiveSmallIntegerField(
        _("year"), validators=[MinValueValidator(2000), MaxValueValidator(2100)]
    )
    level = models.CharField(_("level"), max_length=12, choices=Level.choices)
    name = models.CharField(_("name"), max_length=200)
    holder_kind = models.CharField(
        pgettext_lazy("plan", "held by"), max_length=10, choices=HolderKind.choices
    )
    center = models.ForeignKey(
        Center,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="training_plans",
        verbose_name=pgettext_lazy("plan", "holding center"),
    )
    district = models.ForeignKey(
        District,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="training_plans",
        verbose_name=pgettext_lazy("plan", "holding district"),
    )
    budget = models.DecimalField(
        _("budget (yuan)"), default=Decimal("0"), validators=[MinValueValidator(0)], **MONEY
    )
    planned_trainees = models.PositiveIntegerField(_("planned trainees"), default=0)
    description = models.TextField(_("description"), blank=True)
    status = models.CharField(
        _("status"), max_length=10, choices=PlanStatus.choices, default=PlanStatus.DRAFT
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True, db_index=True)

    objects = RestrictedQuerySet.as_manager()

    class Meta:
        verbose_name = _("training plan")
        verbose_name_plural = _("training plans")
        ordering = ["-year", "level", "name"]
        constraints = [
            models.CheckConstraint(
                condition=Q(holder_kind="bureau", center__isnull=True, district__isnull=True)
                | Q(holder_kind="center", center__isnull=False, district__isnull=True)
                | Q(holder_kind="district", center__isnull=True, district__isnull=False),
                name="training_plan_one_holder",
            ),
            models.UniqueConstraint(
                fields=["year", "level", "name"], name="training_plan_unique_name"
            ),
        ]

    def __str__(self):
        return f"{self.year} {self.name}"

    def get_absolute_url(self):
        return reverse("training:plan-detail", args=[self.pk])

    @property
    def holder(self):
        return self.center or self.district or HolderKind.BUREAU.label


class Project(AuditedModel):
    """A project (培训项目) of a plan, e.g. 2019 国培's 送教下乡 group."""

    plan = models.ForeignKey(
        Plan, on_delete=models.PROTECT, related_name="projects", verbose_name=_("plan")
    )
    name = models.CharField(_("name"), max_length=200)
    code = models.CharField(_("code"), max_length=40, blank=True)
    description = models.TextField(_("description"), blank=True)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True, db_index=True)

    objects = RestrictedQuerySet.as_manager()

    class Meta:
        verbose_name = _("training project")
        verbose_name_plural = _("training projects")
        ordering = ["plan_id", "code", "name"]
        constraints = [
            models.UniqueConstraint(fields=["plan", "name"], name="training_project_unique_name")
        ]

    def __str__(self):
        return self.name


class Tier(models.TextChoices):
    NEW_TEACHER = "new_teacher", _("New-teacher induction (新教师入职)")
    YOUNG_TEACHER = "young_teacher", _("Young-teacher support (青年教师助力)")
    KEY_TEACHER = "key_teacher", _("Key-teacher improvement (骨干教师提升)")
    TRAINER_TEAM = "trainer_team", _("Trainer-team study (培训者团队研修)")
    PRINCIPAL = "principal", _("Principal training (校长培训)")
    WHOLE_STAFF = "whole_staff", _("Whole-staff training")


class Mode(models.TextChoices):
    FACE_TO_FACE = "face_to_face", _("Face-to-face (集中面授)")
    ONLINE = "online", _("Online study (网络研修)")
    BLENDED = "blended", _("Blended (混合式)")
    SHADOWING = "shadowing", _("Shadowing at a practice base (跟岗实践)")
    SEND_TO_RURAL = "send_to_rural", _("Teaching sent to the countryside (送教下乡)")
    WORKSHOP = "workshop", _("Workshop (工作坊)")
    MENTOR = "mentor", _("Mentor-led (导师制)")


class SubProjectStatus(models.TextChoices):
    DRAFT = "draft", _("Draft")
    SUBMITTED = "submitted", _("Submitted")
    APPROVED = "approved", _("Approved")
    RUNNING = "running", pgettext_lazy("training", "Running")
    CLOSED = "closed", _("Closed")


class SubProject(AuditedModel):
    """A sub-project (子项目): one class of one target group, procured, taught
    and closed as a unit. ``capacity`` is the planned headcount and the
    seats; ``seats_taken`` counts enrolled trainees, kept by the enrolment
    service under a lock on this row and checked by the database."""

    project = models.ForeignKey(
        Project, on_delete=models.PROTECT, related_name="subprojects", verbose_name=_("project")
    )
    code = models.CharField(_("code"), max_length=40, blank=True)
    name = models.CharField(_("name"), max_length=200)
    # Target group (培训对象).
    target_group = models.CharField(
        _("target group"), max_length=20, choices=TargetGroup.choices, default=TargetGroup.TEACHERS
    )
    training_kind = models.CharField(
        _("training kind"),
        max_length=30,
        choices=TrainingKind.choices,
        default=TrainingKind.GENERAL,
    )
    stage = models.CharField(_("stage"), max_length=20, choices=SchoolStage.choices, blank=True)
    subject = models.CharField(_("subject"), max_length=30, blank=True)
    career_stage = models.CharField(
        _("career stage"), max_length=20, choices=CareerStage.choices, blank=True
    )
    ladder_step = models.CharField(
        _("career ladder step"),
        max_length=40,
        blank=True,
        validators=[validate_ladder_step],
        help_text=_("The step of the centers' career ladders the class trains for."),
    )
    district = models.ForeignKey(
        District,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("target district"),
        help_text=_("Leave empty when the whole city may take part."),
    )
    tier = models.CharField(_("tier"), max_length=20, choices=Tier.choices)
    mode = models.CharField(_("mode"), max_length=20, choices=Mode.choices)
    off_site = models.BooleanField(
        _("off-site"), default=False, help_text=_("Trainees travel: insurance is recorded.")
    )
    location = models.CharField(_("location"), max_length=200, blank=True)
    practice_base = models.ForeignKey(
        PracticeBase,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="subprojects",
        verbose_name=_("practice base"),
        help_text=_("Where trainees shadow, for 跟岗实践 sub-projects."),
    )
    hours = models.DecimalField(
        _("hours (学时)"), validators=[MinValueValidator(Decimal("0.5"))], **HOURS
    )
    credit_category = models.CharField(
        _("credit category"), max_length=20, choices=Category.choices, default=Category.SUBJECT
    )
    starts_on = models.DateField(_("starts on"))
    ends_on = models.DateField(_("ends on"))
    capacity = models.PositiveIntegerField(
        _("planned headcount"), validators=[MinValueValidator(1)]
    )
    seats_taken = models.PositiveIntegerField(_("seats taken"), default=0, editable=False)
    budget = models.DecimalField(
        _("budget (yuan)"), default=Decimal("0"), validators=[MinValueValidator(0)], **MONEY
    )
    proposed_center = models.ForeignKey(
        Center,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("center proposed by the mandates"),
        editable=False,
    )
    center = models.ForeignKey(
        Center,
        on_delete=models.PROTECT,
        related_name="training_subprojects",
        verbose_name=_("responsible center"),
    )
    center_reason = models.CharField(
        _("reason for another center"),
        max_length=300,
        blank=True,
        help_text=_("Required when the responsible center is not the one the mandates propose."),
    )
    # Set by procurement's award; vendor staff reach the sub-project through
    # per-object grants given then.
    vendor = models.ForeignKey(
        Vendor,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="training_subprojects",
        verbose_name=_("vendor"),
    )
    min_presence = models.PositiveSmallIntegerField(
        _("minimum presence (%)"),
        default=80,
        validators=PERCENT,
        help_text=_("Share of sessions a trainee must attend to pass."),
    )
    status = models.CharField(
        _("status"),
        max_length=10,
        choices=SubProjectStatus.choices,
        default=SubProjectStatus.DRAFT,
        db_index=True,
    )
    closed_at = models.DateTimeField(_("closed at"), null=True, blank=True)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True, db_index=True)

    objects = RestrictedQuerySet.as_manager()

    class Meta:
        verbose_name = _("sub-project")
        verbose_name_plural = _("sub-projects")
        ordering = ["-starts_on", "code", "id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(seats_taken__lte=F("capacity")), name="training_seats_within_capacity"
            ),
            models.CheckConstraint(
                condition=Q(ends_on__gte=F("starts_on")), name="training_subproject_ends_after"
            ),
        ]

    def __str__(self):
        return self.name

    def get_absolute_url(self):
        return reverse("training:subproject-detail", args=[self.pk])

    @property
    def activity_key(self) -> str:
        return f"training.subproject:{self.pk}"

    @property
    def ladder_step_name(self) -> str:
        """The Chinese name of ``ladder_step`` (centers' career ladders)."""
        from centers.services import ladder_step_name

        return ladder_step_name(self.ladder_step)

    @property
    def seats_free(self) -> int:
        return max(0, self.capacity - self.seats_taken)


class ResultRule(AuditedModel):
    """How a sub-project's result is computed (结业考核): weights of the
    components (summing to 100) and the thresholds of 优秀 and 合格. Data, not
    code: each sub-project may weigh differently."""

    subproject = models.OneToOneField(
        SubProject,
        on_delete=models.CASCADE,
        related_name="result_rule",
        verbose_name=_("sub-project"),
    )
    weight_attendance = models.PositiveSmallIntegerField(
        _("weight of attendance (%)"), default=20, validators=PERCENT
    )
    weight_assignment = models.PositiveSmallIntegerField(
        _("weight of assignments (%)"), default=20, validators=PERCENT
    )
    weight_test = models.PositiveSmallIntegerField(
        _("weight of the test (%)"), default=30, validators=PERCENT
    )
    weight_case = models.PositiveSmallIntegerField(
        _("weight of the case study (%)"), default=15, validators=PERCENT
    )
    weight_reflection = models.PositiveSmallIntegerField(
        _("weight of the reflection (%)"), default=15, validators=PERCENT
    )
    excellent_from = models.DecimalField(
        _("excellent from"), default=Decimal("90"), validators=PERCENT, **SCORE
    )
    pass_from = models.DecimalField(
        _("pass from"), default=Decimal("60"), validators=PERCENT, **SCORE
    )

    objects = RestrictedQuerySet.as_manager()

    class Meta:
        verbose_name = _("result rule")
        verbose_name_plural = _("result rules")
        constraints = [
            models.CheckConstraint(
                condition=Q(
                    weight_attendance=100
                    - F("weight_assignment")
                    - F("weight_test")
                    - F("weight_case")
                    - F("weight_reflection")
                ),
                name="training_rule_weights_sum_100",
            ),
            models.CheckConstraint(
                condition=Q(pass_from__lte=F("excellent_from")),
                name="training_rule_pass_below_excellent",
            ),
        ]

    def __str__(self):
        return str(self.subproject)

    WEIGHTS = ("attendance", "assignment", "test", "case", "reflection")

    @property
    def weights(self) -> dict[str, int]:
        return {name: getattr(self, f"weight_{name}") for name in self.WEIGHTS}


class Quota(AuditedModel):
    """Seats of a sub-project given to a district (名额分配), or to one school
    of it; the district approves nominations within it."""

    subproject = models.ForeignKey(
        SubProject, on_delete=models.CASCADE, related_name="quotas", verbose_name=_("sub-project")
    )
    district = models.ForeignKey(
        District, on_delete=models.PROTECT, related_name="+", verbose_name=_("district")
    )
    school = models.ForeignKey(
        School,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("school"),
        help_text=_("Leave empty for the whole district."),
    )
    seats = models.PositiveIntegerField(_("seats"), validators=[MinValueValidator(1)])
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    objects = RestrictedQuerySet.as_manager()

    class Meta:
        verbose_name = _("quota")
        verbose_name_plural = _("quotas")
        ordering = ["subproject_id", "district_id", "school_id"]
        constraints = [
            models.UniqueConstraint(
                fields=["subproject", "district"],
                condition=Q(school__isnull=True),
                name="training_quota_one_per_district",
            ),
            models.UniqueConstraint(
                fields=["subproject", "school"],
                condition=Q(school__isnull=False),
                name="training_quota_one_per_school",
            ),
        ]

    def __str__(self):
        return f"{self.school or self.district}: {self.seats}"


class EnrollmentStatus(models.TextChoices):
    PENDING = "pending", _("Waiting for the district")
    ENROLLED = "enrolled", _("Enrolled")
    WAITLISTED = "waitlisted", _("Waitlisted")
    REJECTED = "rejected", pgettext_lazy("enrolment", "Rejected")
    WITHDRAWN = "withdrawn", _("Withdrawn")


ACTIVE_ENROLLMENT = ("pending", "enrolled", "waitlisted")


class EnrollmentQuerySet(RestrictedQuerySet):
    def active(self):
        return self.filter(status__in=ACTIVE_ENROLLMENT)


class Enrollment(AuditedModel):
    """A teacher on a sub-project (报名): applied by the teacher or nominated
    by the school admin, approved by the district within its quota, then
    enrolled while seats last, else waitlisted in arrival order
    (``queued_at``, then id). The seat is confirmed once both commitments are
    acknowledged (and insurance recorded for off-site classes)."""

    subproject = models.ForeignKey(
        SubProject,
        on_delete=models.PROTECT,
        related_name="enrollments",
        verbose_name=_("sub-project"),
    )
    teacher = models.ForeignKey(
        Teacher,
        on_delete=models.PROTECT,
        related_name="training_enrollments",
        verbose_name=_("teacher"),
    )
    # The teacher's district and school when applying: quotas and scopes.
    district = models.ForeignKey(
        District, on_delete=models.PROTECT, related_name="+", verbose_name=_("district")
    )
    school = models.ForeignKey(
        School, on_delete=models.PROTECT, related_name="+", verbose_name=_("school")
    )
    status = models.CharField(
        _("status"),
        max_length=12,
        choices=EnrollmentStatus.choices,
        default=EnrollmentStatus.PENDING,
        db_index=True,
    )
    nominated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("nominated by"),
    )
    applied_at = models.DateTimeField(_("applied at"), default=timezone.now)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("decided by"),
    )
    decided_at = models.DateTimeField(_("decided at"), null=True, blank=True)
    reason = models.CharField(_("reason"), max_length=300, blank=True)
    queued_at = models.DateTimeField(_("in line since"), null=True, blank=True)
    learning_commitment_at = models.DateTimeField(
        _("learning commitment (学习承诺书) acknowledged"), null=True, blank=True
    )
    safety_commitment_at = models.DateTimeField(
        _("safety commitment (安全学习承诺书) acknowledged"), null=True, blank=True
    )
    insurance = models.CharField(
        _("insurance policy"),
        max_length=100,
        blank=True,
        help_text=_("Insurer and policy number, for off-site training."),
    )
    confirmed_at = models.DateTimeField(_("seat confirmed at"), null=True, blank=True)
    withdrawn_at = models.DateTimeField(_("withdrawn at"), null=True, blank=True)
    # The ledger entry the hours were posted as (None: not posted, or reversed).
    credit_entry = models.ForeignKey(
        CreditEntry,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("ledger entry"),
        editable=False,
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True, db_index=True)

    objects = EnrollmentQuerySet.as_manager()

    class Meta:
        verbose_name = _("enrolment")
        verbose_name_plural = _("enrolments")
        ordering = ["subproject_id", "queued_at", "id"]
        indexes = [
            models.Index(fields=["subproject", "status", "queued_at"], name="training_enrol_queue"),
            models.Index(fields=["district", "updated_at"], name="training_enrol_district_upd"),
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["subproject", "teacher"],
                condition=Q(status__in=ACTIVE_ENROLLMENT),
                name="training_one_active_enrollment",
            ),
            models.CheckConstraint(
                condition=~Q(status="enrolled") | Q(queued_at__isnull=False),
                name="training_enrolled_has_queue_time",
            ),
        ]

    def __str__(self):
        return f"{self.teacher} · {self.subproject}"

    def get_absolute_url(self):
        return reverse("training:subproject-detail", args=[self.subproject_id])

    @property
    def is_confirmed(self) -> bool:
        return self.confirmed_at is not None


def new_secret() -> str:
    return secrets.token_hex(16)


class Session(AuditedModel):
    """A session of the timetable (课程安排). Check-in is open from
    ``checkin_opens_at`` to ``checkin_closes_at``; the code shown in the room
    is derived from ``secret`` and the time (``services.checkin_code``)."""

    subproject = models.ForeignKey(
        SubProject, on_delete=models.CASCADE, related_name="sessions", verbose_name=_("sub-project")
    )
    title = models.CharField(_("title"), max_length=200)
    teacher_name = models.CharField(_("instructor"), max_length=100, blank=True)
    place = models.CharField(_("place"), max_length=200, blank=True)
    starts_at = models.DateTimeField(_("starts at"))
    ends_at = models.DateTimeField(_("ends at"))
    checkin_opens_at = models.DateTimeField(_("check-in opens at"))
    checkin_closes_at = models.DateTimeField(_("check-in closes at"))
    secret = models.CharField(max_length=64, default=new_secret, editable=False)
    signed_off_at = models.DateTimeField(_("attendance signed off at"), null=True, blank=True)
    signed_off_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("signed off by"),
    )
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    audit_exclude = ("secret",)
    objects = RestrictedQuerySet.as_manager()

    class Meta:
        verbose_name = pgettext_lazy("training", "session")
        verbose_name_plural = pgettext_lazy("training", "sessions")
        ordering = ["subproject_id", "starts_at", "id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(ends_at__gt=F("starts_at")), name="training_session_ends_after"
            ),
            models.CheckConstraint(
                condition=Q(checkin_closes_at__gt=F("checkin_opens_at")),
                name="training_checkin_window_order",
            ),
        ]

    def __str__(self):
        return f"{self.subproject} · {self.title}"


class AttendanceMethod(models.TextChoices):
    CODE = "code", _("Checked in with the code")
    VENDOR = "vendor", _("Recorded by the vendor")


class Attendance(AuditedModel):
    """A trainee's presence at a session (签到). One row per session and
    enrolment (the database refuses a second); a vendor's correction after
    the fact carries its reason and is audited."""

    session = models.ForeignKey(
        Session,
        on_delete=models.CASCADE,
        related_name="attendances",
        verbose_name=pgettext_lazy("training", "session"),
    )
    enrollment = models.ForeignKey(
        Enrollment, on_delete=models.CASCADE, related_name="attendances", verbose_name=_("trainee")
    )
    present = models.BooleanField(_("present"), default=True)
    method = models.CharField(
        pgettext_lazy("attendance", "recorded by"),
        max_length=10,
        choices=AttendanceMethod.choices,
        default=AttendanceMethod.CODE,
    )
    checked_in_at = models.DateTimeField(_("checked in at"), null=True, blank=True)
    reason = models.CharField(_("reason for the correction"), max_length=300, blank=True)
    corrected_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("corrected by"),
    )
    updated_at = models.DateTimeField(_("updated at"), auto_now=True, db_index=True)

    objects = RestrictedQuerySet.as_manager()

    class Meta:
        verbose_name = _("attendance")
        verbose_name_plural = _("attendance")
        ordering = ["session_id", "enrollment_id"]
        constraints = [
            models.UniqueConstraint(
                fields=["session", "enrollment"], name="training_attendance_once"
            ),
            models.CheckConstraint(
                condition=Q(method="code") | ~Q(reason=""),
                name="training_attendance_correction_has_reason",
            ),
        ]

    def __str__(self):
        return f"{self.enrollment} @ {self.session_id}"


class Grade(models.TextChoices):
    EXCELLENT = "excellent", _("Excellent (优秀)")
    PASS = "pass", _("Pass (合格)")
    FAIL = "fail", _("Fail (不合格)")


class Result(AuditedModel):
    """A trainee's scores (assignments, test, case study 培训案例, reflection
    心得体会; 0–100 each) and the result the sub-project's rule computes from
    them and the attendance. ``score`` and ``grade`` are written only by
    ``services.compute_result``, never typed."""

    enrollment = models.OneToOneField(
        Enrollment, on_delete=models.CASCADE, related_name="result", verbose_name=_("trainee")
    )
    assignment = models.DecimalField(
        _("assignments"), null=True, blank=True, validators=PERCENT, **SCORE
    )
    test = models.DecimalField(_("test"), null=True, blank=True, validators=PERCENT, **SCORE)
    case = models.DecimalField(
        _("case study (培训案例)"), null=True, blank=True, validators=PERCENT, **SCORE
    )
    reflection = models.DecimalField(
        _("reflection (心得体会)"), null=True, blank=True, validators=PERCENT, **SCORE
    )
    recommended = models.BooleanField(
        _("recommended for publication"),
        default=False,
        help_text=_("An excellent case or reflection recommended for publication."),
    )
    attendance_rate = models.DecimalField(
        _("attendance (%)"), default=Decimal("0"), editable=False, **SCORE
    )
    score = models.DecimalField(_("score"), default=Decimal("0"), editable=False, **SCORE)
    grade = models.CharField(
        _("result"), max_length=10, choices=Grade.choices, default=Grade.FAIL, editable=False
    )
    entered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("entered by"),
    )
    updated_at = models.DateTimeField(_("updated at"), auto_now=True, db_index=True)

    objects = RestrictedQuerySet.as_manager()

    class Meta:
        verbose_name = _("result")
        verbose_name_plural = _("results")
        ordering = ["enrollment_id"]

    def __str__(self):
        return f"{self.enrollment}: {self.get_grade_display()}"

    @property
    def passed(self) -> bool:
        return self.grade in (Grade.EXCELLENT, Grade.PASS)


class NoticeKind(models.TextChoices):
    PROMOTED = "promoted", _("A seat became free: you are enrolled")
    APPROVED = "approved", _("Your enrolment was approved")
    WAITLISTED = "waitlisted", _("You are on the waitlist")
    REJECTED = "rejected", _("Your enrolment was not approved")
    HOURS_POSTED = "hours_posted", _("Your training hours were posted")


class Notice(models.Model):
    """A message to a teacher about their training (promotion from the
    waitlist, approval, hours posted), shown on their home page."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="training_notices",
        verbose_name=_("user"),
    )
    kind = models.CharField(_("kind"), max_length=20, choices=NoticeKind.choices)
    enrollment = models.ForeignKey(
        Enrollment, on_delete=models.CASCADE, related_name="+", verbose_name=_("enrolment")
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    read_at = models.DateTimeField(_("read at"), null=True, blank=True)

    objects = RestrictedQuerySet.as_manager()

    class Meta:
        verbose_name = _("training notice")
        verbose_name_plural = _("training notices")
        ordering = ["-created_at", "-id"]

    def __str__(self):
        return self.get_kind_display()


class ParticipationSync(IdempotentBatch):
    """A district system's participation batch under an ``Idempotency-Key``
    (``services.sync.sync_participation``): the hash of its body and the
    answer it got, so a resend gets the same bytes back and writes nothing."""

    class Meta:
        verbose_name = _("participation batch")
        verbose_name_plural = _("participation batches")
        constraints = [
            models.UniqueConstraint(
                fields=["district", "key"], name="training_participation_key_per_district"
            )
        ]

    def __str__(self):
        return f"{self.district_id}: {self.key}"


class NominationImport(models.Model):
    """An uploaded nomination list (提名名单), parsed and checked, kept
    server-side between the preview and the confirmation
    (``training.imports``): nothing is written before the confirmation."""

    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="+",
        verbose_name=_("uploaded by"),
    )
    subproject = models.ForeignKey(
        SubProject,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("sub-project"),
        help_text=_("Rows with an empty sub-project cell nominate for this one."),
    )
    filename = models.CharField(_("file name"), max_length=200)
    sha256 = models.CharField(_("file checksum"), max_length=64)
    rows = models.JSONField(_("parsed rows"), default=list)
    errors = models.JSONField(_("errors by row"), default=dict)
    status = models.CharField(
        _("status"), max_length=10, choices=ImportStatus.choices, default=ImportStatus.PREVIEW
    )
    summary = models.JSONField(_("result"), default=dict, blank=True)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    committed_at = models.DateTimeField(_("committed at"), null=True, blank=True)

    class Meta:
        verbose_name = _("nomination import")
        verbose_name_plural = _("nomination imports")
        ordering = ["-created_at", "-id"]

    def __str__(self):
        return self.filename

    @property
    def has_errors(self):
        return bool(self.errors)
