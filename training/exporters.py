"""Excel exports: a sub-project's roster, and its trainees' results; the
procurements (stage, amounts, award, vendor, contract and payments) and a
contract's payment schedule. Rows come through ``restrict``."""

from decimal import Decimal

from django import forms
from django.db.models import Count, DecimalField, OuterRef, Subquery, Sum, Value
from django.db.models.functions import Coalesce
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from core.exports import OptionsForm, QuerysetExporter, registry, yes_no

from .models import (
    Contract,
    Enrollment,
    EnrollmentStatus,
    PaymentStep,
    PaymentStepStatus,
    Procurement,
    ProcurementStatus,
)


class SubProjectOption(forms.Form):
    subproject = forms.IntegerField(
        label=_("Sub-project id"), required=False, help_text=_("Empty: every one in your reach.")
    )


class _EnrollmentExporter(QuerysetExporter):
    permission = "training.view_enrollment"
    options_form = SubProjectOption
    statuses = ()

    def queryset(self):
        qs = (
            Enrollment.objects.restrict(self.user)
            .select_related("subproject", "teacher", "school", "district")
            .order_by("subproject_id", "school__name", "teacher__name", "id")
        )
        if self.statuses:
            qs = qs.filter(status__in=self.statuses)
        if self.options.get("subproject"):
            qs = qs.filter(subproject_id=self.options["subproject"])
        return qs


@registry.register
class RosterExporter(_EnrollmentExporter):
    identifier = "training-roster"
    name = _("Training rosters")
    description = _("Enrolments of the sub-projects in your reach, with their status.")

    def headers(self):
        return [
            _("Sub-project"),
            _("District"),
            _("School"),
            _("Teacher"),
            _("Status"),
            _("In line since"),
            _("Seat confirmed"),
            _("Insurance policy"),
        ]

    def row(self, e):
        return [
            e.subproject.name,
            e.district.name,
            e.school.name,
            e.teacher.name,
            e.get_status_display(),
            e.queued_at,
            yes_no(e.confirmed_at),
            e.insurance,
        ]


@registry.register
class ResultExporter(_EnrollmentExporter):
    identifier = "training-results"
    name = _("Training results")
    description = _("Enrolled trainees' scores, attendance, result and posted hours.")
    statuses = (EnrollmentStatus.ENROLLED,)

    def queryset(self):
        return super().queryset().select_related("result", "credit_entry")

    def headers(self):
        return [
            _("Sub-project"),
            _("School"),
            _("Teacher"),
            _("Attendance (%)"),
            _("Assignments"),
            _("Test"),
            _("Case study"),
            _("Reflection"),
            _("Score"),
            _("Result"),
            _("Recommended"),
            _("Hours posted"),
        ]

    def row(self, e):
        r = getattr(e, "result", None)
        return [
            e.subproject.name,
            e.school.name,
            e.teacher.name,
            r.attendance_rate if r else None,
            r.assignment if r else None,
            r.test if r else None,
            r.case if r else None,
            r.reflection if r else None,
            r.score if r else None,
            r.get_grade_display() if r else "",
            yes_no(r.recommended) if r else "",
            e.credit_entry.hours if e.credit_entry else None,
        ]


class ProcurementOptions(OptionsForm):
    status = forms.ChoiceField(
        label=_("Status"),
        choices=[("", _("Every status")), *ProcurementStatus.choices],
        required=False,
    )


def _paid(user, outer="contract"):
    """The paid total of a contract's payment steps (those ``user`` sees), as
    a subquery."""
    return Coalesce(
        Subquery(
            PaymentStep.objects.restrict(user)
            .filter(contract=OuterRef(outer), status=PaymentStepStatus.PAID)
            .order_by()
            .values("contract")
            .annotate(total=Sum("amount"))
            .values("total"),
            output_field=DecimalField(max_digits=14, decimal_places=2),
        ),
        Value(Decimal("0")),
        output_field=DecimalField(max_digits=14, decimal_places=2),
    )


@registry.register
class ProcurementExporter(QuerysetExporter):
    identifier = "training-procurements"
    name = _("Training procurements")
    description = _(
        "Procurements in your reach: stage, budget, bids, award, vendor, contract and payments."
    )
    permission = "training.view_procurement"
    options_form = ProcurementOptions

    def queryset(self):
        qs = (
            Procurement.objects.restrict(self.user)
            .select_related("center", "awarded_bid__vendor", "contract")
            .annotate(n_bids=Count("bids", distinct=True), paid=_paid(self.user))
            .order_by("-need_filed_at", "-id")
        )
        if self.options.get("status"):
            qs = qs.filter(status=self.options["status"])
        return qs

    def headers(self):
        return [
            _("Procurement id"),
            _("Procurement"),
            _("Purchasing center"),
            _("Method"),
            _("Procurement agency"),
            _("Status"),
            _("Need filed at"),
            _("Budget (yuan)"),
            _("Bids"),
            _("Winner"),
            _("Winning bid (yuan)"),
            _("Winning score"),
            _("Award notice on"),
            _("Contract number"),
            _("Contract amount (yuan)"),
            _("Paid (yuan)"),
            _("Outstanding (yuan)"),
        ]

    def row(self, p):
        bid = p.awarded_bid
        contract = getattr(p, "contract", None)
        return [
            p.pk,
            p.title,
            p.center.name,
            p.get_method_display(),
            p.agency,
            p.get_status_display(),
            p.need_filed_at,
            p.budget,
            p.n_bids,
            bid.vendor.name if bid else "",
            bid.amount if bid else None,
            bid.total_score if bid else None,
            p.award_notice_on,
            contract.number if contract else "",
            contract.amount if contract else None,
            p.paid if contract else None,
            contract.amount - p.paid if contract else None,
        ]


class ContractOption(OptionsForm):
    contract = forms.ModelChoiceField(
        label=_("Contract"),
        queryset=Contract.objects.none(),
        required=False,
        help_text=_("Empty: every contract in your reach."),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["contract"].queryset = Contract.objects.restrict(self.user).order_by("number")


@registry.register
class PaymentScheduleExporter(QuerysetExporter):
    identifier = "training-payment-schedule"
    name = _("Contract payment schedule")
    description = _(
        "The payment steps of a contract (or of every contract in your reach): kind, amount, "
        "when due, invoice and payment."
    )
    permission = "training.view_paymentstep"
    options_form = ContractOption

    def queryset(self):
        qs = (
            PaymentStep.objects.restrict(self.user)
            .select_related("contract__vendor", "contract__center")
            .order_by("contract__number", "id")
        )
        if self.options.get("contract"):
            qs = qs.filter(contract_id=self.options["contract"])
        return qs

    def headers(self):
        return [
            _("Contract number"),
            _("Purchasing center"),
            _("Vendor"),
            _("Contract amount (yuan)"),
            _("Payment"),
            _("Amount (yuan)"),
            _("Due when"),
            _("Status"),
            _("Invoice number"),
            _("Invoiced on"),
            _("Due since"),
            # funding's "Paid on" (拨付日期) is a disbursement; this is a payment.
            pgettext_lazy("training payment step", "Paid on"),
        ]

    def row(self, step):
        contract = step.contract
        return [
            contract.number,
            contract.center.name,
            contract.vendor.name,
            contract.amount,
            step.get_kind_display(),
            step.amount,
            step.get_due_condition_display(),
            step.get_status_display(),
            step.invoice_number,
            step.invoiced_on,
            step.due_on,
            step.paid_on,
        ]
