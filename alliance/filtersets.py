"""One filter set per model, shared by the list pages and the API."""

import django_filters
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema_field

from centers.models import Center, CenterKind, Room
from core.filtersets import PortalFilterSet, updated_since_filter

from .models import (
    Achievement,
    AssistanceActivity,
    AssistanceKind,
    AssistancePair,
    Booking,
    CenterPlan,
    CenterPlanKind,
    CenterPlanStatus,
    ChairTerm,
    CouncilMember,
    DigitalResource,
    FacultyEngagement,
    FollowUp,
    FollowUpStatus,
    GuidanceFollowUp,
    GuidanceKind,
    GuidanceVisit,
    JointProject,
    Meeting,
    MeetingKind,
    ProjectStatus,
    Proposal,
    ProposalAddressee,
    ProposalOrigin,
    ProposalStatus,
    Resolution,
    SharedFaculty,
    TeacherDevelopmentSchool,
    WorkDocument,
)


def _municipal(request):
    return Center.objects.filter(kind=CenterKind.MUNICIPAL)


def _shared_rooms(request):
    return Room.objects.filter(bookable=True).select_related("campus")


class CouncilMemberFilterSet(PortalFilterSet):
    q = django_filters.CharFilter(method="search", label=_("Search"))
    updated_since = updated_since_filter()

    class Meta:
        model = CouncilMember
        fields = ["is_active"]

    def search(self, queryset, name, value):
        return queryset.filter(
            Q(center__name__icontains=value)
            | Q(representative__name__icontains=value)
            | Q(liaison__name__icontains=value)
        )


class ChairTermFilterSet(PortalFilterSet):
    center = django_filters.ModelChoiceFilter(queryset=_municipal, label=_("Chair center"))
    on = django_filters.DateFilter(method="covering", label=_("In office on"))
    updated_since = updated_since_filter()

    class Meta:
        model = ChairTerm
        fields = ["center"]

    def covering(self, queryset, name, value):
        return queryset.filter(starts_on__lte=value, ends_on__gte=value)


class WorkDocumentFilterSet(PortalFilterSet):
    q = django_filters.CharFilter(method="search", label=_("Search"))
    updated_since = updated_since_filter()

    class Meta:
        model = WorkDocument
        fields = ["kind", "year", "status"]

    def search(self, queryset, name, value):
        return queryset.filter(Q(title__icontains=value) | Q(body__icontains=value))


class MeetingFilterSet(PortalFilterSet):
    q = django_filters.CharFilter(method="search", label=_("Search"))
    year = django_filters.NumberFilter(field_name="held_on", lookup_expr="year", label=_("Year"))
    updated_since = updated_since_filter()

    class Meta:
        model = Meeting
        fields = ["kind", "year"]

    def search(self, queryset, name, value):
        return queryset.filter(
            Q(title__icontains=value) | Q(theme__icontains=value) | Q(venue__icontains=value)
        )


class AchievementFilterSet(PortalFilterSet):
    center = django_filters.ModelChoiceFilter(queryset=_municipal, label=_("Member"))
    updated_since = updated_since_filter()

    class Meta:
        model = Achievement
        fields = ["year", "center", "kind"]


class BookingFilterSet(PortalFilterSet):
    center = django_filters.ModelChoiceFilter(queryset=_municipal, label=_("Booked for"))
    room_center = django_filters.ModelChoiceFilter(
        queryset=_municipal, field_name="room__campus__center", label=_("Facility of")
    )
    since = django_filters.DateFilter(
        field_name="ends_at", lookup_expr="date__gte", label=_("From")
    )
    until = django_filters.DateFilter(
        field_name="starts_at", lookup_expr="date__lte", label=_("To")
    )
    active = django_filters.BooleanFilter(
        field_name="cancelled_at", lookup_expr="isnull", label=_("Not cancelled")
    )
    updated_since = updated_since_filter()

    class Meta:
        model = Booking
        fields = ["room", "center"]


class SharedFacultyFilterSet(PortalFilterSet):
    q = django_filters.CharFilter(method="search", label=_("Search"))
    center = django_filters.ModelChoiceFilter(
        queryset=_municipal, field_name="staff__center", label=_("Center")
    )
    listed = django_filters.BooleanFilter(
        field_name="withdrawn_on", lookup_expr="isnull", label=_("Currently listed")
    )
    updated_since = updated_since_filter()

    class Meta:
        model = SharedFaculty
        fields = ["center"]

    def search(self, queryset, name, value):
        return queryset.filter(
            Q(staff__name__icontains=value)
            | Q(expertise__icontains=value)
            | Q(staff__subject__icontains=value)
        )


class DigitalResourceFilterSet(PortalFilterSet):
    q = django_filters.CharFilter(method="search", label=_("Search"))
    center = django_filters.ModelChoiceFilter(queryset=_municipal, label=_("Contributed by"))
    in_service = django_filters.BooleanFilter(
        field_name="year_retired", lookup_expr="isnull", label=_("In service")
    )
    updated_since = updated_since_filter()

    class Meta:
        model = DigitalResource
        fields = ["kind", "center", "year_added"]

    def search(self, queryset, name, value):
        return queryset.filter(
            Q(title__icontains=value) | Q(subject__icontains=value) | Q(audience__icontains=value)
        )


def _council_meetings(request):
    return Meeting.objects.filter(kind=MeetingKind.COUNCIL)


class ResolutionFilterSet(PortalFilterSet):
    q = django_filters.CharFilter(method="search", label=_("Search"))
    meeting = django_filters.ModelChoiceFilter(
        queryset=_council_meetings, label=_("Council meeting")
    )
    year = django_filters.NumberFilter(
        field_name="meeting__held_on", lookup_expr="year", label=_("Year")
    )
    updated_since = updated_since_filter()

    class Meta:
        model = Resolution
        fields = ["meeting", "year"]

    def search(self, queryset, name, value):
        return queryset.filter(
            Q(number__icontains=value) | Q(title__icontains=value) | Q(text__icontains=value)
        )


class FollowUpFilterSet(PortalFilterSet):
    center = django_filters.ModelChoiceFilter(queryset=_municipal, label=_("Owner center"))
    status = django_filters.ChoiceFilter(choices=FollowUpStatus.choices, label=_("Status"))
    overdue = django_filters.BooleanFilter(method="filter_overdue", label=_("Overdue"))
    updated_since = updated_since_filter()

    class Meta:
        model = FollowUp
        fields = ["resolution", "center", "status"]

    def filter_overdue(self, queryset, name, value):
        from django.utils import timezone

        late = Q(due_on__lt=timezone.localdate()) & ~Q(status=FollowUpStatus.DONE)
        return queryset.filter(late) if value else queryset.exclude(late)


class JointProjectFilterSet(PortalFilterSet):
    q = django_filters.CharFilter(method="search", label=_("Search"))
    center = django_filters.ModelChoiceFilter(
        queryset=_municipal, method="filter_center", label=_("Center taking part")
    )
    status = django_filters.ChoiceFilter(choices=ProjectStatus.choices, label=_("Status"))
    updated_since = updated_since_filter()

    class Meta:
        model = JointProject
        fields = ["status", "lead_center", "resolution"]

    def search(self, queryset, name, value):
        return queryset.filter(Q(title__icontains=value) | Q(description__icontains=value))

    @extend_schema_field(OpenApiTypes.INT)  # a center's id, as lead or partner
    def filter_center(self, queryset, name, value):
        partner_of = JointProject.partner_centers.through.objects.filter(center=value).values(
            "jointproject_id"
        )
        return queryset.filter(Q(lead_center=value) | Q(pk__in=partner_of))


def _district_centers(request):
    return Center.objects.filter(kind=CenterKind.DISTRICT)


class AssistancePairFilterSet(PortalFilterSet):
    helper_center = django_filters.ModelChoiceFilter(queryset=_municipal, label=_("Helping center"))
    assisted_center = django_filters.ModelChoiceFilter(
        queryset=_district_centers, label=_("Assisted center")
    )
    updated_since = updated_since_filter()

    class Meta:
        model = AssistancePair
        fields = ["helper_center", "assisted_center"]


class AssistanceActivityFilterSet(PortalFilterSet):
    year = django_filters.NumberFilter(field_name="held_on", lookup_expr="year", label=_("Year"))
    kind = django_filters.ChoiceFilter(choices=AssistanceKind.choices, label=_("Kind"))
    updated_since = updated_since_filter()

    class Meta:
        model = AssistanceActivity
        fields = ["pair", "year", "kind"]


class ProposalFilterSet(PortalFilterSet):
    q = django_filters.CharFilter(method="search", label=_("Search"))
    origin = django_filters.ChoiceFilter(choices=ProposalOrigin.choices, label=_("Proposed by"))
    center = django_filters.ModelChoiceFilter(queryset=_municipal, label=_("Drafting center"))
    addressee = django_filters.ChoiceFilter(
        choices=ProposalAddressee.choices, label=_("Addressed to")
    )
    status = django_filters.ChoiceFilter(choices=ProposalStatus.choices, label=_("Status"))
    updated_since = updated_since_filter()

    class Meta:
        model = Proposal
        fields = ["origin", "center", "addressee", "status"]

    def search(self, queryset, name, value):
        return queryset.filter(Q(title__icontains=value) | Q(body__icontains=value))


class GuidanceVisitFilterSet(PortalFilterSet):
    q = django_filters.CharFilter(method="search", label=_("Search"))
    center = django_filters.ModelChoiceFilter(queryset=_municipal, label=_("Guiding center"))
    district_center = django_filters.ModelChoiceFilter(
        queryset=_district_centers, label=_("District center visited")
    )
    kind = django_filters.ChoiceFilter(choices=GuidanceKind.choices, label=_("Kind"))
    year = django_filters.NumberFilter(field_name="visited_on", lookup_expr="year", label=_("Year"))
    follow_up_status = django_filters.ChoiceFilter(
        choices=GuidanceFollowUp.choices, label=pgettext_lazy("guidance", "Follow-up")
    )
    updated_since = updated_since_filter()

    class Meta:
        model = GuidanceVisit
        fields = ["center", "district_center", "kind", "year", "follow_up_status"]

    def search(self, queryset, name, value):
        return queryset.filter(
            Q(topic__icontains=value)
            | Q(findings__icontains=value)
            | Q(recommendations__icontains=value)
        )


class CenterPlanFilterSet(PortalFilterSet):
    center = django_filters.ModelChoiceFilter(queryset=_municipal, label=_("Center"))
    kind = django_filters.ChoiceFilter(choices=CenterPlanKind.choices, label=_("Kind"))
    status = django_filters.ChoiceFilter(choices=CenterPlanStatus.choices, label=_("Status"))
    year = django_filters.NumberFilter(method="filter_year", label=_("Year"))
    updated_since = updated_since_filter()

    class Meta:
        model = CenterPlan
        fields = ["center", "kind", "status", "year"]

    def filter_year(self, queryset, name, value):
        return queryset.filter(starts_year__lte=value, ends_year__gte=value)


class FacultyEngagementFilterSet(PortalFilterSet):
    center = django_filters.ModelChoiceFilter(queryset=_municipal, label=_("Engaging center"))
    listing = django_filters.NumberFilter(label=_("Shared trainer"))
    updated_since = updated_since_filter()

    class Meta:
        model = FacultyEngagement
        fields = ["center", "listing"]


class TeacherDevelopmentSchoolFilterSet(PortalFilterSet):
    q = django_filters.CharFilter(method="search", label=_("Search"))
    guiding_center = django_filters.ModelChoiceFilter(
        queryset=_municipal, label=_("Guiding member center")
    )
    district_center = django_filters.ModelChoiceFilter(
        queryset=_district_centers, label=_("District center building it")
    )
    current = django_filters.BooleanFilter(
        field_name="ended_on", lookup_expr="isnull", label=_("Still in the building")
    )
    updated_since = updated_since_filter()

    class Meta:
        model = TeacherDevelopmentSchool
        fields = ["guiding_center", "district_center", "current"]

    def search(self, queryset, name, value):
        return queryset.filter(
            Q(school__name__icontains=value)
            | Q(focus__icontains=value)
            | Q(progress__icontains=value)
        )
