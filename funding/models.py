"""Funding (经费): budget lines, allocations and payments (DOMAIN.md §6).

A **budget line** (预算科目) is money of one source (国培中央专项, 省级, 市级,
区级财政, 学校公用经费, 按工资总额提取) for one year, held by the bureau, a
center, a district or a school, for one purpose: its money goes only to that
purpose (专款专用). An **allocation** (安排) puts part of a line on a training
plan, project or sub-project (or, for a district's training funds, on the
district training school; for center-building money, on a center). A
**disbursement** (拨付) pays part of an allocation — a prepayment or a final
payment, tied to training's procurement contract and its payment step where
there is one.

Entries are never edited: a refund or a correction is a new entry with a
negative amount that ``reverses`` the original. The running totals on the
line (``allocated``, ``disbursed``) and on the allocation (``reversed``,
``disbursed``) are kept by ``funding.services`` under a row lock on the line,
and CHECK constraints hold them inside the money they come from, so no
sequence of concurrent writes can over-allocate a line or over-pay an
allocation.

**Budget figures** are the denominators of the policy rules (a school's
annual public-fund budget, a district's teachers' payroll); **policy rules**
hold the rules themselves as data (threshold, and a district's own share).
"""

from __future__ import annotations

from decimal import Decimal

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import F, Q
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from centers.models import Center, District, IdempotentBatch, School
from core.audit import AuditedModel
from core.permissions import RestrictedQuerySet

MONEY = {"max_digits": 14, "decimal_places": 2}
ZERO = Decimal("0.00")
YEAR = [MinValueValidator(2000), MaxValueValidator(2100)]


class FundingSource(models.TextChoices):
    CENTRAL = "central", _("Central special funds (国培中央专项)")
    PROVINCIAL = "provincial", _("Provincial funds (省级)")
    MUNICIPAL = "municipal", _("Municipal funds (市级)")
    DISTRICT = "district", _("District budget (区级财政)")
    SCHOOL_PUBLIC = "school_public", _("School public funds (学校公用经费)")
    PAYROLL = "payroll", _("Payroll-based training funds (按工资总额提取)")


#: The values alone (the API schema's enum, config/settings.py ENUM_NAME_OVERRIDES).
FUNDING_SOURCE_VALUES = [value for value, _label in FundingSource.choices]


class HolderKind(models.TextChoices):
    BUREAU = "bureau", _("Education bureau")
    CENTER = "center", _("Center")
    DISTRICT = "district", _("District")
    SCHOOL = "school", _("School")


class Purpose(models.TextChoices):
    """What a line's money may be spent on (专款专用)."""

    TRAINING = "training", _("Teacher training")
    CENTER_BUILDING = "center_building", _("Center building (hardware and software)")


class BudgetLine(AuditedModel):
    """A year's money of one source held by one holder for one purpose."""

    year = models.PositiveSmallIntegerField(_("year"), validators=YEAR)
    holder_kind = models.CharField(_("held by"), max_length=10, choices=HolderKind.choices)
    center = models.ForeignKey(
        Center,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="budget_lines",
        verbose_name=_("holding center"),
    )
    district = models.ForeignKey(
        District,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="budget_lines",
        verbose_name=_("holding district"),
    )
    school = models.ForeignKey(
        School,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="budget_lines",
        verbose_name=_("holding school"),
    )
    source = models.CharField(
        pgettext_lazy("funding", "source"), max_length=15, choices=FundingSource.choices
    )
    purpose = models.CharField(
        _("purpose"), max_length=20, choices=Purpose.choices, default=Purpose.TRAINING
    )
    name = models.CharField(_("name"), max_length=200)
    amount = models.DecimalField(
        _("amount (yuan)"), validators=[MinValueValidator(Decimal("0.01"))], **MONEY
    )
    allocated = models.DecimalField(_("allocated (yuan)"), default=ZERO, editable=False, **MONEY)
    disbursed = models.DecimalField(_("disbursed (yuan)"), default=ZERO, editable=False, **MONEY)
    external_id = models.CharField(_("district system id"), max_length=64, blank=True)
    note = models.CharField(_("note"), max_length=300, blank=True)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True, db_index=True)

    objects = RestrictedQuerySet.as_manager()

    class Meta:
        verbose_name = _("budget line")
        verbose_name_plural = _("budget lines")
        ordering = ["-year", "holder_kind", "id"]
        indexes = [models.Index(fields=["year", "holder_kind"])]
        constraints = [
            models.CheckConstraint(
                condition=Q(
                    holder_kind="bureau",
                    center__isnull=True,
                    district__isnull=True,
                    school__isnull=True,
                )
                | Q(
                    holder_kind="center",
                    center__isnull=False,
                    district__isnull=True,
                    school__isnull=True,
                )
                | Q(holder_kind="district", center__isnull=True, district__isnull=False)
                & Q(school__isnull=True)
                | Q(holder_kind="school", center__isnull=True, school__isnull=False),
                name="funding_line_one_holder",
            ),
            models.CheckConstraint(condition=Q(amount__gt=0), name="funding_line_amount_positive"),
            models.CheckConstraint(
                condition=Q(allocated__gte=0) & Q(allocated__lte=F("amount")),
                name="funding_line_allocated_within_amount",
            ),
            models.CheckConstraint(
                condition=Q(disbursed__gte=0) & Q(disbursed__lte=F("allocated")),
                name="funding_line_disbursed_within_allocated",
            ),
            models.UniqueConstraint(
                fields=["district", "external_id"],
                condition=~Q(external_id=""),
                name="funding_line_external_id_per_district",
            ),
        ]

    def __str__(self):
        return f"{self.year} {self.name}"

    def get_absolute_url(self):
        return reverse("funding:line-detail", args=[self.pk])

    @property
    def holder(self):
        return self.school or self.center or self.district or HolderKind.BUREAU.label

    @property
    def available(self) -> Decimal:
        return self.amount - self.allocated

    @property
    def rate(self):
        """Disbursement rate (拨付率) of the line, percent with one place."""
        if not self.amount:
            return None
        return (self.disbursed * 100 / self.amount).quantize(Decimal("0.1"))


class Allocation(AuditedModel):
    """Part of a line put on a plan, project, sub-project or organisation
    (exactly one). A negative amount is a reversal of ``reverses``."""

    line = models.ForeignKey(
        BudgetLine, on_delete=models.PROTECT, related_name="allocations", verbose_name=_("line")
    )
    plan = models.ForeignKey(
        "training.Plan",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="allocations",
        verbose_name=_("training plan"),
    )
    project = models.ForeignKey(
        "training.Project",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="allocations",
        verbose_name=_("project"),
    )
    subproject = models.ForeignKey(
        "training.SubProject",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="allocations",
        verbose_name=_("sub-project"),
    )
    center = models.ForeignKey(
        Center,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="allocations",
        verbose_name=_("center"),
        help_text=_("A district's training school, or a center being built."),
    )
    amount = models.DecimalField(_("amount (yuan)"), **MONEY)
    reverses = models.ForeignKey(
        "self",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="reversals",
        verbose_name=_("reverses"),
    )
    reversed = models.DecimalField(_("reversed (yuan)"), default=ZERO, editable=False, **MONEY)
    disbursed = models.DecimalField(_("disbursed (yuan)"), default=ZERO, editable=False, **MONEY)
    reason = models.CharField(_("reason"), max_length=300, blank=True)
    made_on = models.DateField(_("date"))
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("recorded by"),
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    objects = RestrictedQuerySet.as_manager()

    class Meta:
        verbose_name = _("allocation")
        verbose_name_plural = _("allocations")
        ordering = ["line_id", "made_on", "id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(reverses__isnull=True, amount__gt=0)
                & (
                    Q(plan__isnull=False, project__isnull=True, subproject__isnull=True)
                    & Q(center__isnull=True)
                    | Q(plan__isnull=True, project__isnull=False, subproject__isnull=True)
                    & Q(center__isnull=True)
                    | Q(plan__isnull=True, project__isnull=True, subproject__isnull=False)
                    & Q(center__isnull=True)
                    | Q(plan__isnull=True, project__isnull=True, subproject__isnull=True)
                    & Q(center__isnull=False)
                )
                | Q(reverses__isnull=False, amount__lt=0),
                name="funding_allocation_one_target_or_reversal",
            ),
            models.CheckConstraint(
                condition=Q(amount__lt=0, reversed=0, disbursed=0)
                | Q(reversed__gte=0)
                & Q(disbursed__gte=0)
                & Q(reversed__lte=F("amount") - F("disbursed")),
                name="funding_allocation_disbursed_within_amount",
            ),
        ]

    def __str__(self):
        return f"{self.target} · {self.amount}"

    @property
    def target(self):
        return self.subproject or self.project or self.plan or self.center or self.reverses

    @property
    def net(self) -> Decimal:
        return self.amount - self.reversed

    @property
    def available(self) -> Decimal:
        return self.amount - self.reversed - self.disbursed


class DisbursementKind(models.TextChoices):
    PREPAYMENT = "prepayment", _("Prepayment (预付款)")
    PROGRESS = "progress", _("Progress payment (进度款)")
    FINAL = "final", _("Final payment (尾款)")
    OTHER = "other", _("Other payment")
    REFUND = "refund", _("Refund (退款)")
    CORRECTION = "correction", _("Correction (冲正)")


REVERSING_KINDS = (DisbursementKind.REFUND, DisbursementKind.CORRECTION)


class Disbursement(AuditedModel):
    """A payment out of an allocation (拨付), against a training contract's
    payment step where there is one. A refund or correction is a negative
    entry reversing an earlier payment."""

    allocation = models.ForeignKey(
        Allocation,
        on_delete=models.PROTECT,
        related_name="disbursements",
        verbose_name=_("allocation"),
    )
    kind = models.CharField(_("kind"), max_length=12, choices=DisbursementKind.choices)
    amount = models.DecimalField(_("amount (yuan)"), **MONEY)
    contract = models.ForeignKey(
        "training.Contract",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="disbursements",
        verbose_name=_("contract"),
    )
    payment_step = models.ForeignKey(
        "training.PaymentStep",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="disbursements",
        verbose_name=_("payment step"),
    )
    reverses = models.ForeignKey(
        "self",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="reversals",
        verbose_name=_("reverses"),
    )
    refunded = models.DecimalField(_("refunded (yuan)"), default=ZERO, editable=False, **MONEY)
    payee = models.CharField(_("payee"), max_length=200, blank=True)
    paid_on = models.DateField(_("paid on"))
    reference = models.CharField(_("voucher number"), max_length=60, blank=True)
    reason = models.CharField(_("reason"), max_length=300, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("recorded by"),
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    objects = RestrictedQuerySet.as_manager()

    class Meta:
        verbose_name = _("disbursement")
        verbose_name_plural = _("disbursements")
        ordering = ["allocation_id", "paid_on", "id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(reverses__isnull=True, amount__gt=0)
                & ~Q(kind__in=("refund", "correction"))
                | Q(reverses__isnull=False, amount__lt=0, kind__in=("refund", "correction")),
                name="funding_disbursement_sign_matches_kind",
            ),
            models.CheckConstraint(
                condition=Q(amount__lt=0, refunded=0)
                | Q(refunded__gte=0) & Q(refunded__lte=F("amount")),
                name="funding_disbursement_refunded_within_amount",
            ),
            models.CheckConstraint(
                condition=Q(payment_step__isnull=True) | Q(contract__isnull=False),
                name="funding_disbursement_step_has_contract",
            ),
        ]

    def __str__(self):
        return f"{self.get_kind_display()} {self.amount}"


class FigureKind(models.TextChoices):
    PUBLIC_FUND_BUDGET = "public_fund_budget", _("Annual public-fund budget (公用经费预算总额)")
    TEACHER_PAYROLL = "teacher_payroll", _("Teachers' payroll (教职工工资总额)")


class BudgetFigure(AuditedModel):
    """A holder's yearly figure a policy rule is measured against: a school's
    public-fund budget, a district's teachers' payroll. District systems post
    them in batches."""

    year = models.PositiveSmallIntegerField(_("year"), validators=YEAR)
    kind = models.CharField(_("figure"), max_length=20, choices=FigureKind.choices)
    district = models.ForeignKey(
        District,
        on_delete=models.PROTECT,
        related_name="budget_figures",
        verbose_name=_("district"),
    )
    school = models.ForeignKey(
        School,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="budget_figures",
        verbose_name=_("school"),
    )
    amount = models.DecimalField(_("amount (yuan)"), validators=[MinValueValidator(0)], **MONEY)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True, db_index=True)

    objects = RestrictedQuerySet.as_manager()

    class Meta:
        verbose_name = _("budget figure")
        verbose_name_plural = _("budget figures")
        ordering = ["-year", "district_id", "school_id", "kind"]
        constraints = [
            models.UniqueConstraint(
                fields=["year", "kind", "district"],
                condition=Q(school__isnull=True),
                name="funding_figure_once_per_district",
            ),
            models.UniqueConstraint(
                fields=["year", "kind", "school"],
                condition=Q(school__isnull=False),
                name="funding_figure_once_per_school",
            ),
            models.CheckConstraint(condition=Q(amount__gte=0), name="funding_figure_not_negative"),
        ]

    def __str__(self):
        return f"{self.year} {self.get_kind_display()}"


class PolicyMetric(models.TextChoices):
    """The figures ``services.evaluate_policies`` knows how to compute (percent)."""

    SCHOOL_TRAINING_SHARE = (
        "school_training_share",
        _("Training funds as a share of the school's public-fund budget (%)"),
    )
    DISTRICT_PAYROLL_SHARE = (
        "district_payroll_share",
        _("District training funds as a share of teachers' payroll (%)"),
    )
    TRAINING_SCHOOL_SHARE = (
        "training_school_share",
        _("Share of district training funds to the district training school (%)"),
    )


METRIC_HOLDER = {
    PolicyMetric.SCHOOL_TRAINING_SHARE: HolderKind.SCHOOL,
    PolicyMetric.DISTRICT_PAYROLL_SHARE: HolderKind.DISTRICT,
    PolicyMetric.TRAINING_SCHOOL_SHARE: HolderKind.DISTRICT,
}


class PolicyRule(AuditedModel):
    """A funding rule as data: a metric must reach a threshold (percent).
    A rule with a district is that district's own share and replaces the
    general one there (Hezhou: 2 % of payroll instead of 2.5 %)."""

    code = models.SlugField(_("code"), max_length=40)
    description = models.CharField(_("description"), max_length=300)
    metric = models.CharField(_("metric"), max_length=30, choices=PolicyMetric.choices)
    threshold = models.DecimalField(
        _("threshold (%)"),
        max_digits=6,
        decimal_places=2,
        validators=[MinValueValidator(0), MaxValueValidator(100)],
    )
    district = models.ForeignKey(
        District,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="funding_rules",
        verbose_name=_("district's own share"),
    )
    source = models.CharField(_("source"), max_length=300, blank=True)
    order = models.PositiveSmallIntegerField(_("order"), default=0)
    is_active = models.BooleanField(_("in force"), default=True)

    objects = RestrictedQuerySet.as_manager()

    class Meta:
        verbose_name = _("funding rule")
        verbose_name_plural = _("funding rules")
        ordering = ["order", "code"]
        constraints = [
            models.UniqueConstraint(
                fields=["metric"],
                condition=Q(district__isnull=True),
                name="funding_rule_general_once",
            ),
            models.UniqueConstraint(
                fields=["metric", "district"],
                condition=Q(district__isnull=False),
                name="funding_rule_district_once",
            ),
        ]

    def __str__(self):
        return self.description

    def holds(self, value) -> bool:
        return value is not None and value >= self.threshold


class FigureBatchRequest(IdempotentBatch):
    """A district system's budget-figure batch sent under an
    ``Idempotency-Key``: the hash of its rows and the answer it got, so a
    resend with the same key gets the same answer and writes nothing (like
    the credits' ``SyncRequest``). Kept 90 days."""

    class Meta:
        verbose_name = _("figure batch request")
        verbose_name_plural = _("figure batch requests")
        constraints = [
            models.UniqueConstraint(
                fields=["district", "key"], name="funding_figure_batch_key_per_district"
            )
        ]

    def __str__(self):
        return f"{self.district_id}:{self.key}"
