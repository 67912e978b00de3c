"""Page forms for moving money: allocate from a line, pay against an
allocation (optionally a contract's payment step), reverse an allocation or
a payment. They only gather the fields; ``funding.services`` checks the
rules (the amounts left, the purpose, the contract) and its refusals are
shown as the form's errors."""

from django import forms
from django.utils.translation import gettext_lazy as _

from centers.models import Center, CenterKind
from core import formats
from core.forms import StyledForm

from .models import REVERSING_KINDS, DisbursementKind, Purpose

AMOUNT = {"max_digits": 14, "decimal_places": 2, "min_value": 0.01}
DATE = forms.DateInput(format="%Y-%m-%d", attrs={"type": "date"})


class AllocateForm(StyledForm):
    """Part of a line on one target: a plan, project or sub-project of the
    line's year (training money), or a center."""

    amount = forms.DecimalField(label=_("Amount (yuan)"), **AMOUNT)
    plan = forms.ModelChoiceField(label=_("Training plan"), queryset=None, required=False)
    project = forms.ModelChoiceField(label=_("Project"), queryset=None, required=False)
    subproject = forms.ModelChoiceField(label=_("Sub-project"), queryset=None, required=False)
    center = forms.ModelChoiceField(label=_("Center"), queryset=None, required=False)
    made_on = forms.DateField(label=_("Date"), widget=DATE, required=False)
    reason = forms.CharField(label=_("Note"), max_length=300, required=False)

    TARGETS = ("plan", "project", "subproject", "center")

    def __init__(self, *args, user, line, **kwargs):
        from training.models import Plan, Project, SubProject

        super().__init__(*args, **kwargs)
        centers = Center.objects.restrict(user).order_by("-kind", "code")
        if line.purpose == Purpose.TRAINING:
            centers = centers.filter(kind=CenterKind.DISTRICT, district_id=line.district_id)
            self.fields["plan"].queryset = Plan.objects.restrict(user).filter(year=line.year)
            self.fields["project"].queryset = Project.objects.restrict(user).filter(
                plan__year=line.year
            )
            self.fields["subproject"].queryset = SubProject.objects.restrict(user).filter(
                project__plan__year=line.year
            )
            self.fields["center"].help_text = _("Only the district's own training school.")
        else:
            for name in ("plan", "project", "subproject"):
                del self.fields[name]
        self.fields["center"].queryset = centers

    def clean(self):
        data = super().clean()
        chosen = [n for n in self.TARGETS if n in self.fields and data.get(n)]
        if len(chosen) != 1:
            raise forms.ValidationError(_("Choose one plan, project, sub-project or center."))
        return data

    def targets(self):
        return {n: self.cleaned_data[n] for n in self.TARGETS if self.cleaned_data.get(n)}


class DisburseForm(StyledForm):
    """A payment out of an allocation, against a contract covering what the
    allocation pays for and, where there is one, its due payment step."""

    amount = forms.DecimalField(label=_("Amount (yuan)"), **AMOUNT)
    kind = forms.ChoiceField(
        label=_("Kind of payment"),
        choices=[c for c in DisbursementKind.choices if c[0] not in REVERSING_KINDS],
    )
    contract = forms.ModelChoiceField(label=_("Contract"), queryset=None, required=False)
    payment_step = forms.ModelChoiceField(label=_("Payment step"), queryset=None, required=False)
    paid_on = forms.DateField(label=_("Paid on"), widget=DATE, required=False)
    payee = forms.CharField(label=_("Payee"), max_length=200, required=False)
    reference = forms.CharField(label=_("Voucher number"), max_length=60, required=False)

    def __init__(self, *args, allocation, **kwargs):
        from . import services

        super().__init__(*args, **kwargs)
        contracts, steps = services.payable_contracts(allocation)
        if contracts is None:
            del self.fields["contract"]
            del self.fields["payment_step"]
            return
        self.fields["contract"].queryset = contracts
        self.fields["payment_step"].queryset = steps
        self.fields["payment_step"].label_from_instance = lambda s: (
            f"{s.contract.number} · {s.get_kind_display()} · {formats.format_money(s.amount)}"
        )
        self.fields["payment_step"].help_text = _("Only due steps; choose its contract too.")

    def clean(self):
        data = super().clean()
        step = data.get("payment_step")
        if step is not None and not data.get("contract"):
            data["contract"] = step.contract
        return data


class ReverseAllocationForm(StyledForm):
    amount = forms.DecimalField(
        label=_("Amount (yuan)"),
        required=False,
        help_text=_("Leave empty to give back everything not yet paid."),
        **AMOUNT,
    )
    reason = forms.CharField(label=_("Reason"), max_length=300)


class ReverseDisbursementForm(StyledForm):
    amount = forms.DecimalField(
        label=_("Amount (yuan)"),
        required=False,
        help_text=_("Leave empty to reverse what is left of the payment."),
        **AMOUNT,
    )
    kind = forms.ChoiceField(
        label=_("Kind"),
        choices=[c for c in DisbursementKind.choices if c[0] in REVERSING_KINDS],
    )
    reason = forms.CharField(label=_("Reason"), max_length=300)
