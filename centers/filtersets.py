"""One filter set per model, shared by the list pages and the API."""

import django_filters
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from core.filtersets import PortalFilterSet, updated_since_filter

from .models import (
    Campus,
    Center,
    District,
    Mandate,
    Room,
    School,
    StaffMember,
    StaffYearRecord,
    Teacher,
)


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


class DistrictFilterSet(PortalFilterSet):
    q = django_filters.CharFilter(method="search", label=_("Search"))

    class Meta:
        model = District
        fields = []

    def search(self, queryset, name, value):
        return queryset.filter(Q(name__icontains=value) | Q(code__icontains=value))


class CampusFilterSet(PortalFilterSet):
    q = django_filters.CharFilter(method="search", label=_("Search"))
    updated_since = updated_since_filter()

    class Meta:
        model = Campus
        fields = ["center", "kind"]

    def search(self, queryset, name, value):
        return queryset.filter(Q(name__icontains=value) | Q(address__icontains=value))


class RoomFilterSet(PortalFilterSet):
    q = django_filters.CharFilter(method="search", label=_("Search"))
    center = django_filters.NumberFilter(field_name="campus__center", label=_("Center id"))
    min_seats = django_filters.NumberFilter(
        field_name="seats", lookup_expr="gte", label=_("At least seats")
    )
    updated_since = updated_since_filter()

    class Meta:
        model = Room
        fields = ["campus", "function", "bookable"]

    def search(self, queryset, name, value):
        return queryset.filter(name__icontains=value)


class StaffMemberFilterSet(PortalFilterSet):
    q = django_filters.CharFilter(method="search", label=_("Search"))
    updated_since = updated_since_filter()

    class Meta:
        model = StaffMember
        fields = [
            "center",
            "employment",
            "is_research_staff",
            "title",
            "honour",
            "degree",
            "is_active",
        ]

    def search(self, queryset, name, value):
        return queryset.filter(
            Q(name__icontains=value) | Q(subject__icontains=value) | Q(external_id=value)
        )


class StaffYearRecordFilterSet(PortalFilterSet):
    center = django_filters.NumberFilter(field_name="staff__center", label=_("Center id"))
    updated_since = updated_since_filter()

    class Meta:
        model = StaffYearRecord
        fields = ["staff", "year", "taught_semester_in_school", "took_part"]


class MandateFilterSet(PortalFilterSet):
    class Meta:
        model = Mandate
        fields = ["center", "training_kind", "target_group", "stage", "ownership"]


class StandardCenterFilterSet(PortalFilterSet):
    """Filters the centers of the standards matrix (page and API)."""

    q = django_filters.CharFilter(method="search", label=_("Search"))

    class Meta:
        model = Center
        fields = ["kind", "district"]

    def search(self, queryset, name, value):
        return queryset.filter(Q(name__icontains=value) | Q(short_name__icontains=value))
