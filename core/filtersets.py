import django_filters
from django import forms
from django.utils.translation import gettext_lazy as _

ALL = _("All")


class YesNoAllSelect(forms.Select):
    """A yes/no filter reads 全部 / 是 / 否 (not Django's 未知 / 是 / 否); the API
    keeps accepting ``true``/``false`` (and ``True``/``1``...)."""

    def __init__(self, attrs=None):
        super().__init__(attrs, choices=[("", ALL), ("true", _("Yes")), ("false", _("No"))])

    def format_value(self, value):
        if value in (True, "True", "true", "1"):
            return ["true"]
        if value in (False, "False", "false", "0"):
            return ["false"]
        return [""]


BIGINT_RANGE = (-(2**63), 2**63 - 1)
YEAR_RANGE = (1, 9999)


class PortalFilterSet(django_filters.FilterSet):
    """Base of every app's filter sets: styled form fields for the pages, and
    ``updated_since`` for district systems reading changes.

    Labels and choices are built for each request, in its language: the filter
    objects of the class are shared by every request (and the API schema builds
    their form fields once, in whatever language it was asked in), so the form
    field a filter may have cached is dropped and rebuilt here."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for filter_ in self.filters.values():
            filter_.__dict__.pop("_field", None)
            if isinstance(filter_, django_filters.ChoiceFilter):
                filter_.extra["empty_label"] = ALL  # not ---------
            if isinstance(filter_, django_filters.BooleanFilter):
                filter_.extra["widget"] = YesNoAllSelect
            if isinstance(filter_, django_filters.NumberFilter):
                # a number the database cannot hold is a 400, not an overflow (500)
                low, high = YEAR_RANGE if filter_.lookup_expr == "year" else BIGINT_RANGE
                filter_.extra.setdefault("min_value", low)
                filter_.extra.setdefault("max_value", high)
        for name, field in self.form.fields.items():
            if self._is_id_filter(self.filters[name]):
                field.widget = forms.HiddenInput()
                continue
            is_select = isinstance(field.widget, forms.Select | forms.SelectMultiple)
            field.widget.attrs["class"] = (
                "form-select form-select-sm" if is_select else "form-control form-control-sm"
            )

    @staticmethod
    def _is_id_filter(filter_):
        """``school=12``: district systems filter by id; people pick from lists."""
        return isinstance(filter_, django_filters.NumberFilter) and str(
            filter_.field_name
        ).endswith("_id")


class LocalDateTimeInput(forms.DateTimeInput):
    """The browser's date-time picker (``2026-12-01T08:00``, local time)."""

    input_type = "datetime-local"

    def __init__(self, attrs=None):
        super().__init__(attrs, format="%Y-%m-%dT%H:%M")


def updated_since_filter():
    return django_filters.IsoDateTimeFilter(
        field_name="updated_at",
        lookup_expr="gte",
        label=_("Updated since"),
        widget=LocalDateTimeInput,
    )
