"""One filter set per model, shared by the list pages and the API."""

import django_filters
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from core.filtersets import PortalFilterSet, updated_since_filter

from .models import Center, School, Teacher


class CenterFilterSet(PortalFilterSet):
    q = django_filters.CharFilter(method="search", label=_("Search"))
    updated_since = updated_since_filter()

    class Meta:
        model = Center
        fields = ["kind", "district"]

    def search(self, queryset, name, value):
        return queryset.filter(
            Q(name__icontains=value)
            | Q(short_name__icontains=value)
            | Q(host_institution__icontains=value)
        )


class SchoolFilterSet(PortalFilterSet):
    q = django_filters.CharFilter(method="search", label=_("Search"))
    updated_since = updated_since_filter()

    class Meta:
        model = School
        fields = ["district", "stage", "ownership"]

    def search(self, queryset, name, value):
        return queryset.filter(Q(name__icontains=value) | Q(external_id=value))


class TeacherFilterSet(PortalFilterSet):
    q = django_filters.CharFilter(method="search", label=_("Search"))
    school = django_filters.NumberFilter(field_name="school_id", label=_("School id"))
    updated_since = updated_since_filter()

    class Meta:
        model = Teacher
        fields = ["district", "stage", "title", "role", "career_stage"]

    def search(self, queryset, name, value):
        return queryset.filter(
            Q(name__icontains=value) | Q(external_id=value) | Q(subject__icontains=value)
        )
