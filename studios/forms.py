"""Forms of the studio pages. They hold no rules: each view hands the
cleaned data to ``services`` and puts its ValidationError back on the form."""

from django import forms
from django.utils.translation import gettext_lazy as _

from core.forms import StyledForm, StyledModelForm

from . import services
from .models import (
    Activity,
    MentoringPair,
    Output,
    PersonRole,
    Plan,
    PlanKind,
    SelectionRound,
    Studio,
    StudioTask,
)

DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


class TeacherField(forms.CharField):
    """A teacher named by ID number (身份证号) or the district system's id:
    the city has tens of thousands, so no drop-down."""

    def __init__(self, **kwargs):
        kwargs.setdefault("max_length", 64)
        kwargs.setdefault("help_text", _("The teacher's ID number."))
        super().__init__(**kwargs)

    def clean(self, value):
        value = super().clean(value)
        if not value:
            return None
        teacher = services.find_teacher(value)
        if teacher is None:
            raise forms.ValidationError(_("No teacher has this ID number."))
        return teacher


class StudioForm(StyledModelForm):
    class Meta:
        model = Studio
        fields = [
            "name",
            "kind",
            "level",
            "subject",
            "stage",
            "cycle_start",
            "cycle_end",
            "managing_center",
            "description",
            "is_active",
        ]
        widgets = {"cycle_start": DATE, "cycle_end": DATE}


class PersonForm(StyledForm):
    teacher = TeacherField(label=_("Teacher"))
    role = forms.ChoiceField(label=_("Role in the studio"), choices=PersonRole.choices)
    starts_on = forms.DateField(label=_("Starts on"), widget=DATE)


class ActivityForm(StyledModelForm):
    """An activity with its attendance: one box per person of the studio."""

    attended = forms.TypedMultipleChoiceField(
        label=_("Attended"),
        coerce=int,
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )

    class Meta:
        model = Activity
        fields = ["kind", "title", "held_on", "place", "hours", "other_participants", "description"]
        widgets = {"held_on": DATE, "description": forms.Textarea(attrs={"rows": 3})}

    def __init__(self, *args, people=(), **kwargs):
        super().__init__(*args, **kwargs)
        field = self.fields["attended"]
        field.choices = [
            (p.teacher_id, f"{p.teacher.name}（{p.get_role_display()}）") for p in people
        ]
        field.widget.attrs["class"] = "form-check-input"
        if self.instance.pk:
            field.initial = list(
                self.instance.attendance.filter(attended=True).values_list("teacher_id", flat=True)
            )

    def activity_fields(self):
        return {name: self.cleaned_data[name] for name in self._meta.fields}


class PairForm(StyledModelForm):
    mentor = forms.TypedChoiceField(label=_("Mentor"), coerce=int)
    mentee = TeacherField(label=_("Mentee"))

    class Meta:
        model = MentoringPair
        fields = ["year", "goals"]
        widgets = {"goals": forms.Textarea(attrs={"rows": 2})}

    def __init__(self, *args, mentors=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.mentors = {t.pk: t for t in mentors}
        self.fields["mentor"].choices = [(t.pk, t.name) for t in mentors]
        self.order_fields(["year", "mentor", "mentee", "goals"])

    def clean_mentor(self):
        return self.mentors[self.cleaned_data["mentor"]]


class OutputForm(StyledModelForm):
    class Meta:
        model = Output
        fields = ["kind", "title", "authors", "year", "published_in", "file"]


class TaskForm(StyledModelForm):
    class Meta:
        model = StudioTask
        fields = ["kind", "title", "year", "due_on", "done_on", "description"]
        widgets = {
            "due_on": DATE,
            "done_on": DATE,
            "description": forms.Textarea(attrs={"rows": 3}),
        }


class PlanForm(StyledModelForm):
    class Meta:
        model = Plan
        fields = ["kind", "year", "person", "title", "body"]
        widgets = {"body": forms.Textarea(attrs={"rows": 8})}

    def __init__(self, *args, studio=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.instance.studio = studio or self.instance.studio
        people = self.instance.studio.people.filter(
            role__in=[PersonRole.MEMBER], ends_on__isnull=True
        ).select_related("teacher")
        self.fields["person"].queryset = people
        self.fields["person"].required = False
        self.fields["person"].help_text = _("Only for a member's development plan.")
        self.fields["kind"].choices = PlanKind.choices


class RoundForm(StyledModelForm):
    class Meta:
        model = SelectionRound
        fields = ["role", "title", "year", "closes_on", "places"]
        widgets = {"closes_on": DATE}


class ApplicationForm(StyledForm):
    teacher = TeacherField(label=_("Teacher"), required=False)
    statement = forms.CharField(
        label=_("Statement"), widget=forms.Textarea(attrs={"rows": 4}), required=False
    )
    document = forms.FileField(label=_("Document"), required=False)
    document_name = forms.CharField(label=_("Document name"), max_length=200, required=False)


class NoteForm(StyledForm):
    note = forms.CharField(label=_("Note"), max_length=300, required=False)


class EvaluationStartForm(StyledForm):
    year = forms.IntegerField(label=_("Year"), min_value=2000, max_value=2100, required=False)


class ScoreForm(StyledForm):
    """One score field (0–100) per criterion of the evaluation's scheme."""

    def __init__(self, *args, criteria=(), scores=None, **kwargs):
        super().__init__(*args, **kwargs)
        scores = scores or {}
        for criterion in criteria:
            self.fields[f"c{criterion.pk}"] = forms.DecimalField(
                label=f"{criterion.name}（{criterion.weight}）",
                min_value=0,
                max_value=100,
                decimal_places=1,
                required=False,
                initial=scores.get(criterion.pk),
            )
        for field in self.fields.values():
            field.widget.attrs.setdefault("class", "form-control")

    def scores(self):
        return {
            int(name[1:]): value for name, value in self.cleaned_data.items() if value is not None
        }
