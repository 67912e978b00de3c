"""Forms of the supervision and performance pages (the rules are in services)."""

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from core.forms import StyledForm

from .models import Dimension, IntervieweeKind, RaterGroup, Severity

DATE = forms.DateInput(attrs={"type": "date"})
TRI = [("", _("Not checked")), ("yes", _("Followed")), ("no", _("Not followed"))]


class VisitForm(StyledForm):
    subproject = forms.ModelChoiceField(queryset=None, label=_("Sub-project"))
    visited_on = forms.DateField(label=_("Visited on"), widget=DATE, initial=timezone.localdate)
    course_table = forms.ChoiceField(label=_("Course table"), choices=TRI, required=False)
    course_table_notes = forms.CharField(
        label=_("Course-table check"), widget=forms.Textarea(attrs={"rows": 2}), required=False
    )
    summary = forms.CharField(
        label=_("Summary"), widget=forms.Textarea(attrs={"rows": 3}), required=False
    )

    def __init__(self, *args, subprojects, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["subproject"].queryset = subprojects

    def course_table_matches(self):
        return {"yes": True, "no": False}.get(self.cleaned_data.get("course_table"))


class ObservationForm(StyledForm):
    lesson = forms.CharField(label=pgettext_lazy("observed lesson", "Lesson"), max_length=200)
    instructor = forms.CharField(label=_("Instructor"), max_length=100, required=False)
    rating = forms.TypedChoiceField(
        label=_("Rating (1–5)"),
        choices=[("", "—")] + [(i, str(i)) for i in range(1, 6)],
        coerce=int,
        empty_value=None,
        required=False,
    )
    notes = forms.CharField(
        label=_("Notes"), widget=forms.Textarea(attrs={"rows": 2}), required=False
    )


class InterviewForm(StyledForm):
    kind = forms.ChoiceField(label=_("Interviewee"), choices=IntervieweeKind.choices)
    people = forms.IntegerField(label=_("People"), min_value=1, initial=1)
    notes = forms.CharField(label=_("Notes"), widget=forms.Textarea(attrs={"rows": 2}))


class FindingForm(StyledForm):
    text = forms.CharField(label=_("Finding"), widget=forms.Textarea(attrs={"rows": 2}))
    severity = forms.ChoiceField(label=_("Severity"), choices=Severity.choices)
    rectification = forms.CharField(
        label=_("Rectification requested"),
        widget=forms.Textarea(attrs={"rows": 2}),
        required=False,
    )
    due_on = forms.DateField(label=_("Rectify by"), widget=DATE, required=False)


class ReplyForm(StyledForm):
    text = forms.CharField(label=_("Reply"), widget=forms.Textarea(attrs={"rows": 2}))


class CheckForm(StyledForm):
    done = forms.BooleanField(label=_("Done"), required=False)
    evidence = forms.CharField(label=_("Evidence"), max_length=2000, required=False)


# --- Principals' end-of-term evaluation -------------------------------------------------


class CampaignForm(StyledForm):
    district = forms.ModelChoiceField(queryset=None, label=_("District"))
    term = forms.CharField(label=_("Term"), max_length=40, help_text=_("For example 2023—2026."))
    title = forms.CharField(
        label=_("Title"),
        max_length=200,
        required=False,
        help_text=_("Left empty, it is made from the district and the term."),
    )
    min_answers = forms.IntegerField(
        label=_("Minimum answers per rater group"), min_value=1, max_value=500, initial=5
    )

    def __init__(self, *args, districts, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["district"].queryset = districts
        if districts.count() == 1:
            self.fields["district"].initial = districts.first().pk


class PrincipalForm(StyledForm):
    teacher = forms.ModelChoiceField(queryset=None, label=_("Principal"))

    def __init__(self, *args, teachers, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["teacher"].queryset = teachers
        self.fields["teacher"].label_from_instance = lambda t: (
            f"{t.school.name} · {t.name} · {t.get_role_display()}"
        )


class LinksForm(StyledForm):
    """One principal's "issue links" form. ``key`` is the request's
    idempotency key, new at each render of the campaign page: the same form
    sent twice (a double click, the back button) issues once
    (``services.issue_links_once``, as the API)."""

    group = forms.ChoiceField(label=_("Rater group"), choices=RaterGroup.choices)
    count = forms.IntegerField(label=_("Links"), min_value=1, max_value=500, initial=30)
    key = forms.CharField(
        max_length=100,
        widget=forms.HiddenInput,
        error_messages={"required": _("This form is out of date: reload the page.")},
    )


class CampaignEditForm(StyledForm):
    """The questionnaire's 25 item texts and the four rater-group weights of
    a campaign being prepared; the rules (sum 100, texts required, frozen
    once opened) are ``services.edit_campaign``'s."""

    def __init__(self, *args, items, weights, **kwargs):
        super().__init__(*args, **kwargs)
        for group, label in RaterGroup.choices:
            self.fields[f"weight_{group}"] = forms.DecimalField(
                label=label,
                min_value=0,
                max_value=100,
                decimal_places=2,
                initial=weights.get(group),
                widget=forms.NumberInput(attrs={"step": "0.01", "inputmode": "decimal"}),
            )
        for item in items:
            self.fields[f"item_{item.pk}"] = forms.CharField(
                label=_("Item %(n)s") % {"n": item.order},
                max_length=300,
                initial=item.text,
            )
        for field in self.fields.values():
            field.widget.attrs.setdefault("class", "form-control")
        self.items = items

    def weight_fields(self):
        return [self[f"weight_{group}"] for group in RaterGroup.values]

    def dimensions(self):
        """``[(label, [(item, bound field)])]`` in the order of the dimensions."""
        out = []
        for value, label in Dimension.choices:
            rows = [(i, self[f"item_{i.pk}"]) for i in self.items if i.dimension == value]
            if rows:
                out.append((label, rows))
        return out

    def weights(self) -> dict:
        return {g: self.cleaned_data.get(f"weight_{g}") for g in RaterGroup.values}

    def texts(self) -> dict:
        return {i.pk: self.cleaned_data.get(f"item_{i.pk}") for i in self.items}
