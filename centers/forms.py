"""Page forms of the centers app. Choices of organisations are narrowed to
what the user may write into (the same reach as the rules)."""

from django import forms
from django.utils.translation import gettext_lazy as _

from core.forms import StyledForm, StyledModelForm

from .imports import IMPORT_TITLES
from .models import Campus, Center, District, Room, School, StaffMember, StaffYearRecord, Teacher
from .validators import normalise_id_number, validate_id_number

#: A semester has about 20 school weeks.
MAX_SEMESTER_DAYS = 110

DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


class DistrictForm(StyledModelForm):
    class Meta:
        model = District
        fields = ["name", "code", "order"]


class SchoolForm(StyledModelForm):
    wants = ("user",)

    class Meta:
        model = School
        fields = ["district", "name", "stage", "ownership", "address", "external_id", "is_active"]

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["district"].queryset = District.objects.restrict(user, "import_into")


class TeacherForm(StyledModelForm):
    """New teachers give the whole ID number; editing never shows it (the
    field is for a replacement and stays blank to keep the current one)."""

    wants = ("user",)

    class Meta:
        model = Teacher
        fields = [
            "school",
            "name",
            "id_number",
            "subject",
            "stage",
            "title",
            "role",
            "career_stage",
            "external_id",
            "is_active",
        ]

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        schools = School.objects.restrict(user, "import_into")
        self.fields["school"].queryset = schools.select_related("district")
        field = self.fields["id_number"]
        if self.instance.pk:
            field.required = False
            field.label = _("New ID number")
            field.help_text = _("Now %(masked)s. Leave blank to keep it.") % {
                "masked": self.instance.masked_id_number
            }
            self.initial["id_number"] = ""
        field.widget.attrs["autocomplete"] = "off"

    def clean_id_number(self):
        value = normalise_id_number(self.cleaned_data.get("id_number"))
        if not value and self.instance.pk:
            return Teacher.objects.get(pk=self.instance.pk).id_number
        validate_id_number(value)
        clash = Teacher.objects.with_id_number(value).exclude(pk=self.instance.pk)
        if clash.exists():
            raise forms.ValidationError(_("Another teacher already has this ID number."))
        return value


class CampusForm(StyledModelForm):
    wants = ("user",)

    class Meta:
        model = Campus
        fields = ["center", "name", "kind", "address", "floor_area"]

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["center"].queryset = Center.objects.restrict(user, "keep")


class RoomForm(StyledModelForm):
    wants = ("user",)

    class Meta:
        model = Room
        fields = ["campus", "function", "name", "seats", "bookable"]

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["campus"].queryset = Campus.objects.restrict(user, "add").select_related(
            "center"
        )


class StaffMemberForm(StyledModelForm):
    wants = ("user",)

    class Meta:
        model = StaffMember
        fields = [
            "center",
            "name",
            "external_id",
            "employment",
            "is_research_staff",
            "title",
            "honour",
            "degree",
            "subject",
            "years_teaching",
            "date_of_birth",
            "hired_on",
            "left_on",
            "is_active",
        ]
        widgets = {"date_of_birth": DATE, "hired_on": DATE, "left_on": DATE}

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["center"].queryset = Center.objects.restrict(user, "keep")

    def clean(self):
        data = super().clean()
        hired, left = data.get("hired_on"), data.get("left_on")
        if hired and left and left < hired:
            self.add_error("left_on", _("Left before being hired."))
        return data


class StaffYearRecordForm(StyledModelForm):
    wants = ("user",)

    class Meta:
        model = StaffYearRecord
        fields = [
            "staff",
            "year",
            "school_days_autumn",
            "school_days_spring",
            "lessons_observed",
            "taught_semester_in_school",
            "demo_lesson_autumn",
            "demo_lesson_spring",
            "took_part",
        ]

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["staff"].queryset = StaffMember.objects.restrict(user, "add").select_related(
            "center"
        )
        self.fields["year"].help_text = _("The year the school year starts (2025 for 2025–2026).")

    def clean(self):
        data = super().clean()
        for name in ("school_days_autumn", "school_days_spring"):
            if (data.get(name) or 0) > MAX_SEMESTER_DAYS:
                self.add_error(
                    name,
                    _("A semester has at most %(n)s school days.") % {"n": MAX_SEMESTER_DAYS},
                )
        year = data.get("year")
        if year is not None and not 2000 <= year <= 2100:
            self.add_error("year", _("Enter a school year such as 2025."))
        return data


class ImportUploadForm(StyledForm):
    kind = forms.ChoiceField(label=_("What to import"), choices=IMPORT_TITLES)
    file = forms.FileField(
        label=_("Workbook (.xlsx)"),
        help_text=_("At most 5 MB and 5,000 rows; the first row holds the headers."),
    )


class _TrainerChoice(forms.ModelChoiceField):
    def label_from_instance(self, obj):
        return f"{obj.name}（{obj.center.name}）"


class AppointmentForm(StyledForm):
    """互聘: the appointing center names a trainer of another member center,
    the role and the term (the rules: ``services.appoint``)."""

    staff = _TrainerChoice(label=_("Trainer"), queryset=StaffMember.objects.none())
    role = forms.CharField(label=_("Appointed as"), max_length=100)
    starts_on = forms.DateField(
        label=_("Starts on"), widget=forms.DateInput(attrs={"type": "date"})
    )
    ends_on = forms.DateField(label=_("Ends on"), widget=forms.DateInput(attrs={"type": "date"}))
    note = forms.CharField(label=_("Note"), max_length=300, required=False)

    def __init__(self, *args, user, center=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["staff"].queryset = (
            StaffMember.objects.restrict(user, "appoint")
            .filter(is_active=True)
            .exclude(center=center)
            .select_related("center")
            .order_by("center__name", "name")
        )
