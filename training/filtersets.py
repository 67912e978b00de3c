"""One filter set per model, shared by the training pages and the API."""

import django_filters
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from centers.models import SchoolStage
from core.filtersets import PortalFilterSet, updated_since_filter
from credits.filtersets import choice_filter

from .models import (
    Attendance,
    Bid,
    Contract,
    ContractStatus,
    Enrollment,
    EnrollmentStatus,
    Expert,
    Grade,
    Level,
    Mode,
    PaymentStep,
    PaymentStepStatus,
    Plan,
    PlanStatus,
    PracticeBase,
    Procurement,
    ProcurementMethod,
    ProcurementStatus,
    Project,
    Result,
    Session,
    SubProject,
    SubProjectStatus,
    Tier,
)


def on_field(filter_, field_name):
    filter_.field_name = field_name
    return filter_


class PlanFilterSet(PortalFilterSet):
    q = django_filters.CharFilter(method="search", label=_("Search"))
    level = choice_filter(Level.choices, _("Level"))
    status = choice_filter(PlanStatus.choices, _("Status"))
    year = django_filters.NumberFilter(label=_("Year"))
    updated_since = updated_since_filter()

    class Meta:
        model = Plan
        fields = []

    def search(self, queryset, name, value):
        return queryset.filter(name__icontains=value)


class ProjectFilterSet(PortalFilterSet):
    q = django_filters.CharFilter(method="search", label=_("Search"))
    plan = django_filters.NumberFilter(field_name="plan_id", label=_("Plan id"))
    updated_since = updated_since_filter()

    class Meta:
        model = Project
        fields = []

    def search(self, queryset, name, value):
        return queryset.filter(Q(name__icontains=value) | Q(code__iexact=value))


class SubProjectFilterSet(PortalFilterSet):
    q = django_filters.CharFilter(method="search", label=_("Search"))
    status = choice_filter(SubProjectStatus.choices, _("Status"))
    level = on_field(choice_filter(Level.choices, _("Level")), "project__plan__level")
    year = django_filters.NumberFilter(field_name="project__plan__year", label=_("Year"))
    tier = choice_filter(Tier.choices, _("Tier"))
    mode = choice_filter(Mode.choices, _("Mode"))
    center = django_filters.NumberFilter(field_name="center_id", label=_("Center id"))
    updated_since = updated_since_filter()

    class Meta:
        model = SubProject
        fields = []

    def search(self, queryset, name, value):
        return queryset.filter(
            Q(name__icontains=value) | Q(code__iexact=value) | Q(project__name__icontains=value)
        )


class EnrollmentFilterSet(PortalFilterSet):
    q = django_filters.CharFilter(method="search", label=_("Search"))
    status = choice_filter(EnrollmentStatus.choices, _("Status"))
    subproject = django_filters.NumberFilter(field_name="subproject_id", label=_("Sub-project id"))
    school = django_filters.NumberFilter(field_name="school_id", label=_("School id"))
    updated_since = updated_since_filter()

    class Meta:
        model = Enrollment
        fields = []

    def search(self, queryset, name, value):
        return queryset.filter(
            Q(teacher__name__icontains=value) | Q(subproject__name__icontains=value)
        )


class SessionFilterSet(PortalFilterSet):
    subproject = django_filters.NumberFilter(field_name="subproject_id", label=_("Sub-project id"))
    date = django_filters.DateFilter(field_name="starts_at", lookup_expr="date", label=_("Date"))

    class Meta:
        model = Session
        fields = []


class AttendanceFilterSet(PortalFilterSet):
    session = django_filters.NumberFilter(field_name="session_id", label=_("Session id"))
    subproject = django_filters.NumberFilter(
        field_name="session__subproject_id", label=_("Sub-project id")
    )
    updated_since = updated_since_filter()

    class Meta:
        model = Attendance
        fields = []


class ResultFilterSet(PortalFilterSet):
    subproject = django_filters.NumberFilter(
        field_name="enrollment__subproject_id", label=_("Sub-project id")
    )
    grade = choice_filter(Grade.choices, _("Result"))
    updated_since = updated_since_filter()

    class Meta:
        model = Result
        fields = []


# --- Procurement, expert pool, practice bases ------------------------------------------


class ProcurementFilterSet(PortalFilterSet):
    q = django_filters.CharFilter(method="search", label=_("Search"))
    status = choice_filter(ProcurementStatus.choices, _("Status"))
    method = choice_filter(ProcurementMethod.choices, _("Method"))
    updated_since = updated_since_filter()

    class Meta:
        model = Procurement
        fields = []

    def search(self, queryset, name, value):
        return queryset.filter(Q(title__icontains=value) | Q(agency__icontains=value))


class BidFilterSet(PortalFilterSet):
    procurement = django_filters.NumberFilter(
        field_name="procurement_id", label=_("Procurement id")
    )

    class Meta:
        model = Bid
        fields = []


class ContractFilterSet(PortalFilterSet):
    status = choice_filter(ContractStatus.choices, _("Status"))
    updated_since = updated_since_filter()

    class Meta:
        model = Contract
        fields = []


class PaymentStepFilterSet(PortalFilterSet):
    contract = django_filters.NumberFilter(field_name="contract_id", label=_("Contract id"))
    status = choice_filter(PaymentStepStatus.choices, _("Status"))
    updated_since = updated_since_filter()

    class Meta:
        model = PaymentStep
        fields = []


class ExpertFilterSet(PortalFilterSet):
    q = django_filters.CharFilter(method="search", label=_("Search"))
    stage = choice_filter(SchoolStage.choices, _("Stage"))
    available = django_filters.BooleanFilter(label=_("Available"))
    updated_since = updated_since_filter()

    class Meta:
        model = Expert
        fields = []

    def search(self, queryset, name, value):
        return queryset.filter(
            Q(name__icontains=value)
            | Q(organisation__icontains=value)
            | Q(subjects__icontains=value)
        )


class PracticeBaseFilterSet(PortalFilterSet):
    q = django_filters.CharFilter(method="search", label=_("Search"))
    stage = choice_filter(SchoolStage.choices, _("Stage"))
    available = django_filters.BooleanFilter(label=_("Available"))
    updated_since = updated_since_filter()

    class Meta:
        model = PracticeBase
        fields = []

    def search(self, queryset, name, value):
        return queryset.filter(Q(name__icontains=value) | Q(subjects__icontains=value))
