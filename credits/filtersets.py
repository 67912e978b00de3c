"""One filter set per model, shared by the list pages and the API."""

import django_filters
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import extend_schema_field

from centers.models import Teacher
from core.filtersets import PortalFilterSet, updated_since_filter

from .models import Category, ClaimStatus, CreditClaim, CreditEntry, Source


def choice_filter(choices, label):
    """A choice filter documented inline in the API schema: these names
    (status, category, source) recur across apps, and shared enum components
    would collide."""

    @extend_schema_field({"type": "string", "enum": [value for value, _label in choices]})
    class InlineChoiceFilter(django_filters.ChoiceFilter):
        pass

    return InlineChoiceFilter(choices=choices, label=label)


class CreditEntryFilterSet(PortalFilterSet):
    q = django_filters.CharFilter(method="search", label=_("Search"))
    teacher = django_filters.NumberFilter(field_name="teacher_id", label=_("Teacher id"))
    school = django_filters.NumberFilter(field_name="teacher__school_id", label=_("School id"))
    category = choice_filter(Category.choices, _("Category"))
    source = choice_filter(Source.choices, _("Source"))
    earned_from = django_filters.DateFilter(
        field_name="earned_on", lookup_expr="gte", label=_("Earned from")
    )
    earned_to = django_filters.DateFilter(
        field_name="earned_on", lookup_expr="lte", label=_("Earned until")
    )
    external_id = django_filters.CharFilter(label=_("District system id"))
    updated_since = updated_since_filter()

    class Meta:
        model = CreditEntry
        fields = ["district"]

    def search(self, queryset, name, value):
        return queryset.filter(
            Q(teacher__name__icontains=value)
            | Q(title__icontains=value)
            | Q(activity_key=value)
            | Q(external_id=value)
        )


class CreditClaimFilterSet(PortalFilterSet):
    q = django_filters.CharFilter(method="search", label=_("Search"))
    status = choice_filter(ClaimStatus.choices, _("Status"))
    category = choice_filter(Category.choices, _("Category"))
    school = django_filters.NumberFilter(field_name="school_id", label=_("School id"))
    updated_since = updated_since_filter()

    class Meta:
        model = CreditClaim
        fields = ["district"]

    def search(self, queryset, name, value):
        return queryset.filter(Q(teacher__name__icontains=value) | Q(title__icontains=value))


class AtRiskFilterSet(PortalFilterSet):
    """Filters the at-risk list (over ``centers.Teacher``)."""

    q = django_filters.CharFilter(method="search", label=_("Search"))
    school = django_filters.NumberFilter(field_name="school_id", label=_("School id"))

    class Meta:
        model = Teacher
        fields = ["district"]

    def search(self, queryset, name, value):
        return queryset.filter(Q(name__icontains=value) | Q(external_id=value))
