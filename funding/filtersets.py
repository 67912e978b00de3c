"""One filter set per model, shared by the list pages and the API."""

import django_filters
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy
from drf_spectacular.utils import extend_schema_field

from core.filtersets import PortalFilterSet, updated_since_filter

from .models import (
    Allocation,
    BudgetFigure,
    BudgetLine,
    Disbursement,
    DisbursementKind,
    FigureKind,
    FundingSource,
    HolderKind,
    Purpose,
)


def choice_filter(choices, label):
    """A choice filter documented inline in the API schema (shared enum
    components of recurring names would collide)."""

    @extend_schema_field({"type": "string", "enum": [value for value, _label in choices]})
    class InlineChoiceFilter(django_filters.ChoiceFilter):
        pass

    return InlineChoiceFilter(choices=choices, label=label)


class BudgetLineFilterSet(PortalFilterSet):
    q = django_filters.CharFilter(method="search", label=_("Search"))
    year = django_filters.NumberFilter(label=_("Year"))
    holder_kind = choice_filter(HolderKind.choices, _("Held by"))
    source = choice_filter(FundingSource.choices, pgettext_lazy("funding", "Source"))
    purpose = choice_filter(Purpose.choices, _("Purpose"))
    center = django_filters.NumberFilter(field_name="center_id", label=_("Center id"))
    school = django_filters.NumberFilter(field_name="school_id", label=_("School id"))
    updated_since = updated_since_filter()

    class Meta:
        model = BudgetLine
        fields = ["district"]

    def search(self, queryset, name, value):
        return queryset.filter(
            Q(name__icontains=value)
            | Q(school__name__icontains=value)
            | Q(center__name__icontains=value)
            | Q(external_id=value)
        )


class AllocationFilterSet(PortalFilterSet):
    line = django_filters.NumberFilter(field_name="line_id", label=_("Line id"))
    year = django_filters.NumberFilter(field_name="line__year", label=_("Year"))
    subproject = django_filters.NumberFilter(field_name="subproject_id", label=_("Sub-project id"))

    class Meta:
        model = Allocation
        fields = []


class DisbursementFilterSet(PortalFilterSet):
    line = django_filters.NumberFilter(field_name="allocation__line_id", label=_("Line id"))
    allocation = django_filters.NumberFilter(field_name="allocation_id", label=_("Allocation id"))
    kind = choice_filter(DisbursementKind.choices, _("Kind"))
    contract = django_filters.NumberFilter(field_name="contract_id", label=_("Contract id"))
    paid_from = django_filters.DateFilter(
        field_name="paid_on", lookup_expr="gte", label=_("Paid from")
    )
    paid_to = django_filters.DateFilter(
        field_name="paid_on", lookup_expr="lte", label=_("Paid until")
    )

    class Meta:
        model = Disbursement
        fields = []


class BudgetFigureFilterSet(PortalFilterSet):
    year = django_filters.NumberFilter(label=_("Year"))
    kind = choice_filter(FigureKind.choices, pgettext_lazy("indicator", "Figure"))
    school = django_filters.NumberFilter(field_name="school_id", label=_("School id"))
    updated_since = updated_since_filter()

    class Meta:
        model = BudgetFigure
        fields = ["district"]
