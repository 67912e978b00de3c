"""One filter set per model, shared by the evaluation pages and the API."""

import django_filters
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from core.filtersets import PortalFilterSet, updated_since_filter
from credits.filtersets import choice_filter

from .models import Survey, SurveyKind, SurveyStatus


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
