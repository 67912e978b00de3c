"""Forms of the training pages; the rules they feed live in ``services``."""

from django import forms
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from centers.models import Teacher
from centers.services import ladder_step_choices
from core.forms import StyledForm, StyledModelForm

from .models import Project, SubProject


class SubProjectForm(StyledModelForm):
    """The sub-project's design; the center may be left empty for the
    mandates to propose it."""

    wants = ("user",)

    class Meta:
        model = SubProject
        fields = [
            "project",
            "code",
            "name",
            "target_group",
            "training_kind",
            "stage",
            "subject",
            "career_stage",
            "ladder_step",
            "district",
            "tier",
            "mode",
            "off_site",
            "location",
            "hours",
            "credit_category",
            "starts_on",
            "ends_on",
            "capacity",
            "budget",
            "center",
            "center_reason",
            "min_presence",
        ]
        widgets = {
            "starts_on": forms.DateInput(attrs={"type": "date"}),
            "ends_on": forms.DateInput(attrs={"type": "date"}),
        }

    def __init__(self, *args, user=None, **kwargs):
        super().__init__(*args, **kwargs)
        projects = Project.objects.restrict(user, "change")
        if self.instance.pk:  # a center edits its sub-project of the bureau's project
            projects = projects | Project.objects.restrict(user).filter(pk=self.instance.project_id)
        self.fields["project"].queryset = projects.select_related("plan")
        self.fields["center"].required = False
        self.fields["center"].help_text = _("Leave empty: the mandates propose the center.")
        self.fields["ladder_step"].widget = forms.Select(
            choices=[("", "---------"), *ladder_step_choices()],
            attrs=self.fields["ladder_step"].widget.attrs,
        )


class ReasonForm(StyledForm):
    reason = forms.CharField(label=_("Reason"), max_length=300, required=False)


class MoveForm(ReasonForm):
    move = forms.ChoiceField(
        choices=[
            ("submit", _("Submit")),
            ("approve", _("Approve")),
            ("return", _("Return for changes")),
            ("start", pgettext_lazy("training", "Start")),
            ("close", _("Close and post hours")),
            ("reopen", _("Reopen")),
        ]
    )


class NominateForm(StyledForm):
    teacher = forms.ModelChoiceField(label=_("Teacher"), queryset=Teacher.objects.none())

    def __init__(self, *args, user=None, **kwargs):
        super().__init__(*args, **kwargs)
        # The teachers the ``nominate`` rule gives: a school admin their
        # school's, district staff their district's (training/permissions.py).
        self.fields["teacher"].queryset = (
            Teacher.objects.restrict(user, "nominate").filter(is_active=True).order_by("name")
        )


class CommitmentForm(StyledForm):
    learning = forms.BooleanField(
        label=_("I have read and accept the learning commitment (学习承诺书)."), required=False
    )
    safety = forms.BooleanField(
        label=_("I have read and accept the safety commitment (安全学习承诺书)."), required=False
    )
    insurance = forms.CharField(
        label=_("Insurance policy (off-site classes)"), max_length=100, required=False
    )


class CheckinForm(StyledForm):
    code = forms.CharField(
        label=_("Check-in code"),
        max_length=12,
        widget=forms.TextInput(
            attrs={"inputmode": "numeric", "autocomplete": "one-time-code", "pattern": "[0-9 ]*"}
        ),
    )


class SessionForm(StyledForm):
    title = forms.CharField(label=_("Title"), max_length=200)
    teacher_name = forms.CharField(label=_("Instructor"), max_length=100, required=False)
    place = forms.CharField(label=_("Place"), max_length=200, required=False)
    starts_at = forms.DateTimeField(
        label=_("Starts at"), widget=forms.DateTimeInput(attrs={"type": "datetime-local"})
    )
    ends_at = forms.DateTimeField(
        label=_("Ends at"), widget=forms.DateTimeInput(attrs={"type": "datetime-local"})
    )


class ResultForm(StyledForm):
    assignment = forms.DecimalField(
        label=_("Assignments"), min_value=0, max_value=100, required=False
    )
    test = forms.DecimalField(label=_("Test"), min_value=0, max_value=100, required=False)
    case = forms.DecimalField(label=_("Case study"), min_value=0, max_value=100, required=False)
    reflection = forms.DecimalField(
        label=_("Reflection"), min_value=0, max_value=100, required=False
    )
    recommended = forms.BooleanField(label=_("Recommend"), required=False)


class CorrectionForm(StyledForm):
    enrollment = forms.IntegerField(widget=forms.HiddenInput)
    present = forms.TypedChoiceField(
        label=_("Present"),
        choices=[("1", _("Present")), ("0", _("Absent"))],
        coerce=lambda v: v == "1",
    )
    reason = forms.CharField(label=_("Reason"), max_length=300)


class NominationUploadForm(StyledForm):
    """The Excel nomination list (``training.imports``)."""

    subproject = forms.ModelChoiceField(
        label=_("Sub-project"),
        queryset=SubProject.objects.none(),
        required=False,
        help_text=_("For rows whose sub-project cell is empty."),
    )
    file = forms.FileField(
        label=_("Workbook (.xlsx)"),
        help_text=_("At most 2 MB and 1,000 rows; the first row holds the headers."),
    )

    def __init__(self, *args, user=None, **kwargs):
        from .services.nominations import OPEN_FOR_ENROLMENT

        super().__init__(*args, **kwargs)
        self.fields["subproject"].queryset = (
            SubProject.objects.restrict(user)
            .filter(status__in=OPEN_FOR_ENROLMENT)
            .order_by("starts_on", "id")
        )
