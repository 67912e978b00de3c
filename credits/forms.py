from django import forms
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from centers.models import Center
from core.forms import StyledForm, StyledModelForm

from .models import Category, CategoryMinimum, CreditClaim, CreditPolicy, Source
from .validators import EVIDENCE_EXTENSIONS


class MultipleFileInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class MultipleFileField(forms.FileField):
    widget = MultipleFileInput

    def clean(self, data, initial=None):
        if isinstance(data, list | tuple):
            return [super(MultipleFileField, self).clean(d, initial) for d in data if d]
        return [super().clean(data, initial)] if data else []


class ClaimForm(StyledForm):
    """A claim for hours with its evidence; the service checks the rules."""

    teacher = forms.ModelChoiceField(label=_("Teacher"), queryset=None, required=False)
    title = forms.CharField(label=pgettext_lazy("credit activity", "Activity"), max_length=200)
    category = forms.ChoiceField(label=_("Category"), choices=Category.choices)
    source = forms.ChoiceField(
        label=_("Source"),
        choices=[
            (Source.CLAIM, _("Other learning, with a certificate")),
            (Source.ONLINE, Source.ONLINE.label),
            (Source.EXTERNAL, Source.EXTERNAL.label),
        ],
        required=False,
    )
    hours = forms.DecimalField(label=_("Hours"), max_digits=7, decimal_places=1, min_value=0.5)
    earned_on = forms.DateField(
        label=_("Earned on"), widget=forms.DateInput(format="%Y-%m-%d", attrs={"type": "date"})
    )
    description = forms.CharField(
        label=_("Description"), widget=forms.Textarea(attrs={"rows": 3}), required=False
    )
    responsible_center = forms.ModelChoiceField(
        label=_("Responsible center"),
        queryset=Center.objects.none(),
        required=False,
        help_text=_("Leave empty when the district approves."),
    )
    files = MultipleFileField(
        label=_("Evidence files"),
        required=False,
        help_text=_("PDF, JPG, PNG, DOC(X) or XLS(X), at most 10 MB each."),
    )

    def __init__(self, *args, user, teachers=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["responsible_center"].queryset = Center.objects.restrict(user).order_by(
            "kind", "code"
        )
        self.fields["files"].widget.attrs["accept"] = ",".join(EVIDENCE_EXTENSIONS)
        if teachers is None:
            del self.fields["teacher"]
        else:
            self.fields["teacher"].queryset = teachers
            self.fields["teacher"].required = True
            del self.fields["source"]


class ReasonForm(StyledForm):
    reason = forms.CharField(label=_("Reason"), max_length=300)


class AwardForm(StyledForm):
    """District staff register hours directly (e.g. an offline course)."""

    teacher = forms.ModelChoiceField(label=_("Teacher"), queryset=None)
    title = forms.CharField(label=pgettext_lazy("credit activity", "Activity"), max_length=200)
    category = forms.ChoiceField(label=_("Category"), choices=Category.choices)
    source = forms.ChoiceField(
        label=_("Source"),
        choices=[(s.value, s.label) for s in Source if s != Source.CLAIM],
        initial=Source.MANUAL,
    )
    hours = forms.DecimalField(label=_("Hours"), max_digits=7, decimal_places=1, min_value=0.1)
    earned_on = forms.DateField(
        label=_("Earned on"), widget=forms.DateInput(format="%Y-%m-%d", attrs={"type": "date"})
    )
    evidence = forms.CharField(label=_("Evidence"), max_length=300, required=False)
    activity_key = forms.CharField(
        label=_("Activity key"),
        max_length=100,
        required=False,
        help_text=_('Only for an activity the portal knows, e.g. "training.subproject:123".'),
    )

    def __init__(self, *args, teachers, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["teacher"].queryset = teachers


class PolicyForm(StyledModelForm):
    class Meta:
        model = CreditPolicy
        fields = ["name", "district", "cycle_start", "cycle_end", "total_hours", "is_active"]
        widgets = {
            "cycle_start": forms.DateInput(format="%Y-%m-%d", attrs={"type": "date"}),
            "cycle_end": forms.DateInput(format="%Y-%m-%d", attrs={"type": "date"}),
        }


class MinimumForm(StyledModelForm):
    class Meta:
        model = CategoryMinimum
        fields = ["category", "hours"]


class VerifyForm(StyledForm):
    code = forms.CharField(label=_("Verification code"), max_length=24)


__all__ = ["ClaimForm", "CreditClaim"]
