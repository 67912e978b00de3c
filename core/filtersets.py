import django_filters
from django import forms
from django.utils.translation import gettext_lazy as _


class PortalFilterSet(django_filters.FilterSet):
    """Base of every app's filter sets: styled form fields for the pages, and
    ``updated_since`` for district systems reading changes."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for field in self.form.fields.values():
            is_select = isinstance(field.widget, forms.Select | forms.SelectMultiple)
            field.widget.attrs["class"] = (
                "form-select form-select-sm" if is_select else "form-control form-control-sm"
            )


def updated_since_filter():
    return django_filters.IsoDateTimeFilter(
        field_name="updated_at", lookup_expr="gte", label=_("Updated since")
    )
