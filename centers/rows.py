"""Row schemas shared by the Excel import and the district-sync API: one
form per kind of row, whose fields accept the stored code, the English label
or the Chinese label of a choice (what people type into a workbook)."""

from __future__ import annotations

import functools

from django import forms
from django.utils import translation
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from .models import (
    CareerStage,
    Degree,
    Employment,
    Honour,
    Ownership,
    SchoolStage,
    TeacherRole,
    Title,
)
from .validators import normalise_id_number, validate_id_number

TRUE = {"1", "true", "yes", "y", "是", "√", "t"}
FALSE = {"0", "false", "no", "n", "否", "×", "f"}


@functools.cache
def _choice_lookup(choices_cls) -> dict[str, str]:
    mapping = {}
    for value, label in choices_cls.choices:
        mapping[str(value).lower()] = value
        for lang in ("en", "zh-hans"):
            with translation.override(lang):
                mapping[str(label).strip().lower()] = value
    return mapping


class FlexibleChoiceField(forms.CharField):
    """A choice typed as its code, its English or its Chinese label."""

    def __init__(self, choices, *, default="", **kwargs):
        self.choices_cls = choices
        self.default = default
        kwargs.setdefault("required", False)
        super().__init__(**kwargs)

    def lookup(self):
        return _choice_lookup(self.choices_cls)

    def clean(self, value):
        value = super().clean(value)
        text = (value or "").strip()
        if not text:
            if self.default == "" and self.required:
                raise forms.ValidationError(_("This field is required."), code="required")
            return self.default
        found = self.lookup().get(text.lower())
        if found is None:
            with translation.override(translation.get_language()):
                allowed = "、".join(str(label) for _v, label in self.choices_cls.choices)
            raise forms.ValidationError(
                _("“%(value)s” is not one of: %(allowed)s.") % {"value": text, "allowed": allowed},
                code="invalid_choice",
            )
        return found


class FlexibleBooleanField(forms.Field):
    def __init__(self, *, default=True, **kwargs):
        self.default = default
        kwargs.setdefault("required", False)
        super().__init__(**kwargs)

    def clean(self, value):
        if isinstance(value, bool):
            return value
        text = str(value if value is not None else "").strip().lower()
        if not text:
            return self.default
        if text in TRUE:
            return True
        if text in FALSE:
            return False
        raise forms.ValidationError(_("Write 是 or 否."), code="invalid_bool")


class TextField(forms.CharField):
    """Numbers typed into Excel text cells arrive as ints or floats."""

    def to_python(self, value):
        if isinstance(value, float) and value.is_integer():
            value = int(value)
        return super().to_python("" if value is None else str(value))


class SchoolRow(forms.Form):
    external_id = TextField(label=_("district system id"), max_length=64)
    name = TextField(label=_("name"), max_length=100)
    district = TextField(label=_("district"), required=False)
    stage = FlexibleChoiceField(SchoolStage, label=_("stage"), required=True)
    ownership = FlexibleChoiceField(Ownership, label=_("ownership"), default=Ownership.PUBLIC)
    address = TextField(label=_("address"), max_length=200, required=False)
    is_active = FlexibleBooleanField(label=_("active"))


class TeacherRow(forms.Form):
    external_id = TextField(label=_("district system id"), max_length=64)
    name = TextField(label=_("name"), max_length=50)
    id_number = TextField(label=_("ID number"), max_length=18, min_length=18)
    school = TextField(label=_("school"), help_text=_("The school's district system id or name."))
    district = TextField(label=_("district"), required=False)
    subject = TextField(label=_("subject"), max_length=30, required=False)
    stage = FlexibleChoiceField(SchoolStage, label=_("stage"))
    title = FlexibleChoiceField(Title, label=_("professional title"), default=Title.NONE)
    role = FlexibleChoiceField(
        TeacherRole, label=pgettext_lazy("teacher", "role"), default=TeacherRole.TEACHER
    )
    career_stage = FlexibleChoiceField(
        CareerStage, label=_("career stage"), default=CareerStage.QUALIFIED
    )
    is_active = FlexibleBooleanField(label=_("active"))

    def clean_id_number(self):
        value = normalise_id_number(self.cleaned_data["id_number"])
        validate_id_number(value)
        return value


class StaffRow(forms.Form):
    external_id = TextField(label=_("staff number"), max_length=64)
    name = TextField(label=_("name"), max_length=50)
    center = TextField(label=_("center"), required=False)
    employment = FlexibleChoiceField(
        Employment, label=_("employment"), default=Employment.FULL_TIME
    )
    is_research_staff = FlexibleBooleanField(label=_("research staff"), default=False)
    title = FlexibleChoiceField(Title, label=_("professional title"), default=Title.NONE)
    honour = FlexibleChoiceField(Honour, label=_("honour"), default=Honour.NONE)
    degree = FlexibleChoiceField(Degree, label=_("degree"), default=Degree.BACHELOR)
    subject = TextField(label=_("subject"), max_length=30, required=False)
    years_teaching = forms.IntegerField(
        label=_("years teaching"), min_value=0, max_value=60, required=False
    )
    date_of_birth = forms.DateField(label=_("date of birth"), required=False)
    hired_on = forms.DateField(label=_("hired on"), required=False)
    left_on = forms.DateField(label=_("left on"), required=False)
    is_active = FlexibleBooleanField(label=_("active"))

    def clean_years_teaching(self):
        return self.cleaned_data.get("years_teaching") or 0


ROW_FORMS = {"schools": SchoolRow, "teachers": TeacherRow, "staff": StaffRow}


def headers_for(kind) -> list[tuple[str, str]]:
    """(field name, label) of a kind's columns, in order."""
    form = ROW_FORMS[kind]()
    return [(name, str(field.label)) for name, field in form.fields.items()]


def error_messages(form) -> dict[str, list[str]]:
    return {field: [str(m) for m in errors] for field, errors in form.errors.items()}
