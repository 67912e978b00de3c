"""One filter set per model, shared by the evaluation pages and the API."""

import django_filters
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from core.filtersets import PortalFilterSet, updated_since_filter
from credits.filtersets import choice_filter

from .models import (
    Finding,
    FindingStatus,
    RaterGroup,
    RaterToken,
    SupervisionVisit,
    Survey,
    SurveyKind,
    SurveyStatus,
    VisitStatus,
)


class SurveyFilterSet(PortalFilterSet):
    q = django_filters.CharFilter(method="search", label=_("Search"))
    kind = choice_filter(SurveyKind.choices, _("Kind"))
    status = choice_filter(SurveyStatus.choices, _("Status"))
    subproject = django_filters.NumberFilter(field_name="subproject_id", label=_("Sub-project id"))
    updated_since = updated_since_filter()

    class Meta:
        model = Survey
        fields = []

    def search(self, queryset, name, value):
        return queryset.filter(Q(title__icontains=value) | Q(subproject__name__icontains=value))


class VisitFilterSet(PortalFilterSet):
    q = django_filters.CharFilter(method="search", label=_("Search"))
    status = choice_filter(VisitStatus.choices, _("Status"))
    subproject = django_filters.NumberFilter(field_name="subproject_id", label=_("Sub-project id"))
    updated_since = updated_since_filter()

    class Meta:
        model = SupervisionVisit
        fields = []

    def search(self, queryset, name, value):
        return queryset.filter(
            Q(subproject__name__icontains=value) | Q(subproject__code__icontains=value)
        )


class FindingFilterSet(PortalFilterSet):
    status = choice_filter(FindingStatus.choices, _("Status"))
    visit = django_filters.NumberFilter(field_name="visit_id", label=_("Visit id"))
    updated_since = updated_since_filter()

    class Meta:
        model = Finding
        fields = []


class RaterLinkFilterSet(PortalFilterSet):
    principal = django_filters.NumberFilter(field_name="appraisee_id", label=_("Principal id"))
    campaign = django_filters.NumberFilter(
        field_name="appraisee__campaign_id", label=_("Campaign id")
    )
    group = choice_filter(RaterGroup.choices, _("Rater group"))
    used = django_filters.BooleanFilter(
        field_name="used_at",
        lookup_expr="isnull",
        exclude=True,
        label=pgettext_lazy("rater link", "Used"),
    )

    class Meta:
        model = RaterToken
        fields = []
