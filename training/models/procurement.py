"""Procurement (政府采购) of sub-projects, the expert pool (专家库) and the
practice bases (实践基地).

A procurement buys one or more sub-projects from a vendor (承办机构):

    need filed → need approved → announced (tender by 公开招标 or 竞争性磋商
    through an agency) → under review (bids closed, experts drawn) → awarded
    → contracted; or failed (流标) when no valid bid came.

Experts are drawn at random from the pool, excluding those of a bidding
vendor (affiliation or a declared conflict); the draw keeps its seed and the
pool it drew from, so it can be reproduced. Each drawn expert scores each bid
per criterion; the award goes to the highest total (the mean of the experts'
sums). The contract (``Contract``) names the vendor, the sub-projects, the
amount and its payment steps (``PaymentStep``: prepayment against invoice,
final payment after acceptance) — the funding app ties disbursements to these,
so their names stay as they are.

Every move goes through ``training.services.procurement``.
"""

from __future__ import annotations

from decimal import Decimal

from django.conf import settings
from django.core.validators import MinValueValidator
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from centers.models import Center, District, School, SchoolStage, Vendor
from core.audit import AuditedModel
from core.permissions import RestrictedQuerySet

MONEY = {"max_digits": 14, "decimal_places": 2}
POINTS = {"max_digits": 5, "decimal_places": 1}


# --- Expert pool and practice bases --------------------------------------------------


class Expert(AuditedModel):
    """An expert of the pool (专家库): reviews bids, teaches, mentors. An
    expert affiliated with a vendor, or who declared a conflict with one, is
    never drawn to review that vendor's bid."""

    name = models.CharField(_("name"), max_length=100)
    organisation = models.CharField(_("organisation"), max_length=200, blank=True)
    title = models.CharField(_("professional title"), max_length=100, blank=True)
    stage = models.CharField(_("stage"), max_length=20, choices=SchoolStage.choices, blank=True)
    subjects = models.CharField(
        _("subjects"), max_length=200, blank=True, help_text=_("Separated by commas.")
    )
    vendor = models.ForeignKey(
        Vendor,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="experts",
        verbose_name=_("affiliated vendor"),
    )
    conflicts = models.ManyToManyField(
        Vendor,
        blank=True,
        related_name="conflicted_experts",
        verbose_name=_("declared conflicts of interest"),
    )
    available = models.BooleanField(_("available"), default=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    objects = RestrictedQuerySet.as_manager()

    class Meta:
        verbose_name = _("expert")
        verbose_name_plural = _("expert pool")
        ordering = ["name", "id"]

    def __str__(self):
        return self.name


class PracticeBase(AuditedModel):
    """A practice base (实践基地): a school where teachers shadow (跟岗实践)."""

    name = models.CharField(_("name"), max_length=200, unique=True)
    school = models.ForeignKey(
        School,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("school"),
    )
    district = models.ForeignKey(
        District,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("district"),
    )
    stage = models.CharField(_("stage"), max_length=20, choices=SchoolStage.choices)
    subjects = models.CharField(
        _("subjects"), max_length=200, blank=True, help_text=_("Separated by commas.")
    )
    capacity = models.PositiveIntegerField(_("trainees at a time"), default=10)
    available = models.BooleanField(_("available"), default=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    objects = RestrictedQuerySet.as_manager()

    class Meta:
        verbose_name = _("practice base")
        verbose_name_plural = _("practice bases")
        ordering = ["stage", "name"]

    def __str__(self):
        return self.name


# --- Procurement ----------------------------------------------------------------------


class ProcurementMethod(models.TextChoices):
    OPEN_TENDER = "open_tender", _("Open tender (公开招标)")
    NEGOTIATION = "negotiation", _("Competitive negotiation (竞争性磋商)")


class ProcurementStatus(models.TextChoices):
    NEED_FILED = "need_filed", _("Need filed")
    NEED_APPROVED = "need_approved", _("Need approved")
    ANNOUNCED = "announced", _("Announced")
    REVIEW = "review", _("Under expert review")
    AWARDED = "awarded", _("Awarded")
    CONTRACTED = "contracted", _("Contracted")
    FAILED = "failed", _("Failed (流标)")


class Procurement(AuditedModel):
    """The purchase of one or more sub-projects (采购项目)."""

    title = models.CharField(_("title"), max_length=200)
    center = models.ForeignKey(
        Center,
        on_delete=models.PROTECT,
        related_name="training_procurements",
        verbose_name=_("purchasing center"),
    )
    subprojects = models.ManyToManyField(
        "training.SubProject", related_name="procurements", verbose_name=_("sub-projects")
    )
    method = models.CharField(_("method"), max_length=20, choices=ProcurementMethod.choices)
    agency = models.CharField(_("procurement agency"), max_length=200, blank=True)
    budget = models.DecimalField(
        _("budget (yuan)"), validators=[MinValueValidator(Decimal("0.01"))], **MONEY
    )
    status = models.CharField(
        _("status"),
        max_length=20,
        choices=ProcurementStatus.choices,
        default=ProcurementStatus.NEED_FILED,
        db_index=True,
    )
    need_filed_at = models.DateTimeField(_("need filed at"), auto_now_add=True)
    need_approved_at = models.DateTimeField(_("need approved at"), null=True, blank=True)
    announced_on = models.DateField(_("announced on"), null=True, blank=True)
    bids_close_at = models.DateTimeField(_("bids close at"), null=True, blank=True)
    expert_count = models.PositiveSmallIntegerField(
        _("experts to draw"), default=5, validators=[MinValueValidator(3)]
    )
    draw_seed = models.CharField(_("draw seed"), max_length=64, blank=True, editable=False)
    draw_pool = models.JSONField(_("pool drawn from"), default=list, editable=False)
    draw_excluded = models.JSONField(_("experts excluded"), default=dict, editable=False)
    drawn_at = models.DateTimeField(_("experts drawn at"), null=True, blank=True)
    drawn_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("drawn by"),
    )
    awarded_bid = models.OneToOneField(
        "training.Bid",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("winning bid"),
    )
    awarded_at = models.DateTimeField(_("awarded at"), null=True, blank=True)
    award_notice_on = models.DateField(_("award notice (中标公告) on"), null=True, blank=True)
    reason = models.CharField(_("reason"), max_length=300, blank=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True, db_index=True)

    objects = RestrictedQuerySet.as_manager()

    class Meta:
        verbose_name = _("procurement")
        verbose_name_plural = _("procurements")
        ordering = ["-need_filed_at", "-id"]

    def __str__(self):
        return self.title

    def get_absolute_url(self):
        return reverse("training:procurement-detail", args=[self.pk])


class Criterion(models.Model):
    """A scoring criterion of a procurement (评分标准), e.g. 技术方案 40."""

    procurement = models.ForeignKey(
        Procurement,
        on_delete=models.CASCADE,
        related_name="criteria",
        verbose_name=_("procurement"),
    )
    name = models.CharField(_("criterion"), max_length=100)
    max_points = models.DecimalField(
        _("maximum points"), validators=[MinValueValidator(Decimal("0.1"))], **POINTS
    )
    position = models.PositiveSmallIntegerField(_("position"), default=0)

    class Meta:
        verbose_name = _("criterion")
        verbose_name_plural = _("criteria")
        ordering = ["procurement_id", "position", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["procurement", "name"], name="training_criterion_unique_name"
            )
        ]

    def __str__(self):
        return f"{self.name} ({self.max_points})"


class Bid(AuditedModel):
    """A vendor's bid (投标) on a procurement; one per vendor."""

    procurement = models.ForeignKey(
        Procurement, on_delete=models.CASCADE, related_name="bids", verbose_name=_("procurement")
    )
    vendor = models.ForeignKey(
        Vendor, on_delete=models.PROTECT, related_name="training_bids", verbose_name=_("vendor")
    )
    amount = models.DecimalField(
        _("bid amount (yuan)"), validators=[MinValueValidator(Decimal("0.01"))], **MONEY
    )
    submitted_at = models.DateTimeField(_("submitted at"), auto_now_add=True)
    total_score = models.DecimalField(
        _("total score"), null=True, blank=True, editable=False, max_digits=6, decimal_places=2
    )

    objects = RestrictedQuerySet.as_manager()

    class Meta:
        verbose_name = _("bid")
        verbose_name_plural = _("bids")
        ordering = ["procurement_id", "submitted_at", "id"]
        constraints = [
            models.UniqueConstraint(fields=["procurement", "vendor"], name="training_bid_once")
        ]

    def __str__(self):
        return f"{self.vendor} · {self.amount}"


class Panelist(models.Model):
    """An expert drawn for a procurement's review, in draw order."""

    procurement = models.ForeignKey(
        Procurement, on_delete=models.CASCADE, related_name="panel", verbose_name=_("procurement")
    )
    expert = models.ForeignKey(
        Expert, on_delete=models.PROTECT, related_name="panels", verbose_name=_("expert")
    )
    position = models.PositiveSmallIntegerField(_("draw order"))

    class Meta:
        verbose_name = _("drawn expert")
        verbose_name_plural = _("drawn experts")
        ordering = ["procurement_id", "position"]
        constraints = [
            models.UniqueConstraint(
                fields=["procurement", "expert"], name="training_panelist_once"
            ),
        ]

    def __str__(self):
        return str(self.expert)


class Score(AuditedModel):
    """One expert's points for one bid on one criterion (专家评分)."""

    bid = models.ForeignKey(Bid, on_delete=models.CASCADE, related_name="scores")
    expert = models.ForeignKey(Expert, on_delete=models.PROTECT, related_name="+")
    criterion = models.ForeignKey(Criterion, on_delete=models.CASCADE, related_name="+")
    points = models.DecimalField(_("points"), validators=[MinValueValidator(0)], **POINTS)

    class Meta:
        verbose_name = _("score")
        verbose_name_plural = _("scores")
        constraints = [
            models.UniqueConstraint(
                fields=["bid", "expert", "criterion"], name="training_score_once"
            )
        ]

    def __str__(self):
        return f"{self.expert} · {self.criterion}: {self.points}"


# --- Contract and payments ------------------------------------------------------------


class ContractStatus(models.TextChoices):
    ACTIVE = "active", _("In force")
    ACCEPTED = "accepted", _("Accepted (验收)")
    ENDED = "ended", _("Ended")


class Contract(AuditedModel):
    """The contract with the winning vendor (合同): its sub-projects, amount,
    performance bond (履约保证金) and payment steps. While it is in force the
    vendor's staff hold per-object grants on its sub-projects; ending it
    withdraws them. The funding app ties disbursements to contracts and their
    payment steps."""

    number = models.CharField(_("contract number"), max_length=60, unique=True)
    procurement = models.OneToOneField(
        Procurement,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="contract",
        verbose_name=_("procurement"),
    )
    center = models.ForeignKey(
        Center,
        on_delete=models.PROTECT,
        related_name="training_contracts",
        verbose_name=_("center"),
    )
    vendor = models.ForeignKey(
        Vendor,
        on_delete=models.PROTECT,
        related_name="training_contracts",
        verbose_name=_("vendor"),
    )
    subprojects = models.ManyToManyField(
        "training.SubProject", related_name="contracts", verbose_name=_("sub-projects")
    )
    amount = models.DecimalField(
        _("amount (yuan)"), validators=[MinValueValidator(Decimal("0.01"))], **MONEY
    )
    signed_on = models.DateField(_("signed on"))
    performance_bond = models.DecimalField(
        _("performance bond (履约保证金)"),
        default=Decimal("0"),
        validators=[MinValueValidator(0)],
        **MONEY,
    )
    bond_received_on = models.DateField(_("bond received on"), null=True, blank=True)
    status = models.CharField(
        _("status"), max_length=10, choices=ContractStatus.choices, default=ContractStatus.ACTIVE
    )
    accepted_on = models.DateField(_("accepted on"), null=True, blank=True)
    ended_on = models.DateField(_("ended on"), null=True, blank=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True, db_index=True)

    objects = RestrictedQuerySet.as_manager()

    class Meta:
        verbose_name = _("contract")
        verbose_name_plural = _("contracts")
        ordering = ["-signed_on", "-id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(performance_bond__lte=models.F("amount")),
                name="training_contract_bond_within_amount",
            ),
            models.CheckConstraint(
                condition=~Q(status="accepted") | Q(accepted_on__isnull=False),
                name="training_contract_accepted_has_date",
            ),
        ]

    def __str__(self):
        return f"{self.number} · {self.vendor}"


class PaymentKind(models.TextChoices):
    PREPAYMENT = "prepayment", _("Prepayment (预付款)")
    PROGRESS = "progress", _("Progress payment (进度款)")
    FINAL = "final", _("Final payment (尾款)")


class DueCondition(models.TextChoices):
    ON_SIGNING = "on_signing", _("On signing")
    AGAINST_INVOICE = "against_invoice", _("Against the vendor's invoice")
    AFTER_ACCEPTANCE = "after_acceptance", _("After acceptance (验收)")


class PaymentStepStatus(models.TextChoices):
    PENDING = "pending", _("Not yet due")
    DUE = "due", _("Due")
    PAID = "paid", pgettext_lazy("payment", "Paid")


class PaymentStep(AuditedModel):
    """One payment of a contract (付款节点): its kind, amount and the
    condition that makes it due. The steps never add up to more than the
    contract; a step is paid only once due (the funding app records the
    disbursement against it)."""

    contract = models.ForeignKey(
        Contract, on_delete=models.CASCADE, related_name="steps", verbose_name=_("contract")
    )
    position = models.PositiveSmallIntegerField(_("order"), default=0)
    kind = models.CharField(_("kind"), max_length=12, choices=PaymentKind.choices)
    amount = models.DecimalField(
        _("amount (yuan)"), validators=[MinValueValidator(Decimal("0.01"))], **MONEY
    )
    due_condition = models.CharField(_("due when"), max_length=20, choices=DueCondition.choices)
    status = models.CharField(
        _("status"),
        max_length=10,
        choices=PaymentStepStatus.choices,
        default=PaymentStepStatus.PENDING,
    )
    invoice_number = models.CharField(_("invoice number"), max_length=60, blank=True)
    invoiced_on = models.DateField(_("invoiced on"), null=True, blank=True)
    due_on = models.DateField(_("due since"), null=True, blank=True)
    paid_on = models.DateField(pgettext_lazy("payment", "paid on"), null=True, blank=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True, db_index=True)

    objects = RestrictedQuerySet.as_manager()

    class Meta:
        verbose_name = _("payment step")
        verbose_name_plural = _("payment steps")
        ordering = ["contract_id", "position", "id"]
        constraints = [
            models.CheckConstraint(
                condition=~Q(status="paid") | Q(paid_on__isnull=False),
                name="training_payment_paid_has_date",
            ),
        ]

    def __str__(self):
        return f"{self.contract.number} · {self.get_kind_display()} {self.amount}"
