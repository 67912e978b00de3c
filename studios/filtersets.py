"""One filter set per model, shared by the studio pages and the API (whose
district-style readers use ``updated_since``)."""

import django_filters
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from centers.models import Center, SchoolStage
from core.filtersets import PortalFilterSet, updated_since_filter
from credits.filtersets import choice_filter

from .models import (
    Activity,
    ActivityKind,
    Evaluation,
    EvaluationKind,
    EvaluationStatus,
    MentoringPair,
    PersonRole,
    Result,
    SelectionRound,
    Studio,
    StudioKind,
    StudioLevel,
    StudioPerson,
)


class StudioFilterSet(PortalFilterSet):
    q = django_filters.CharFilter(method="search", label=_("Search"))
    kind = choice_filter(StudioKind.choices, _("Kind"))
    level = choice_filter(StudioLevel.choices, _("Level"))
    stage = choice_filter(SchoolStage.choices, _("Stage"))
    managing_center = django_filters.ModelChoiceFilter(
        queryset=Center.objects.filter(kind="municipal"), label=_("Managing center")
    )
    updated_since = updated_since_filter()

    class Meta:
        model = Studio
        fields = ["is_active"]

    def search(self, queryset, name, value):
        return queryset.filter(Q(name__icontains=value) | Q(subject__icontains=value))


class StudioPersonFilterSet(PortalFilterSet):
    q = django_filters.CharFilter(
        field_name="teacher__name", lookup_expr="icontains", label=_("Search")
    )
    studio = django_filters.NumberFilter(field_name="studio_id", label=_("Studio id"))
    role = choice_filter(PersonRole.choices, _("Role in the studio"))
    updated_since = updated_since_filter()

    class Meta:
        model = StudioPerson
        fields = []


class ActivityFilterSet(PortalFilterSet):
    q = django_filters.CharFilter(method="search", label=_("Search"))
    studio = django_filters.NumberFilter(field_name="studio_id", label=_("Studio id"))
    kind = choice_filter(ActivityKind.choices, _("Kind"))
    held_from = django_filters.DateFilter(field_name="held_on", lookup_expr="gte", label=_("From"))
    held_to = django_filters.DateFilter(field_name="held_on", lookup_expr="lte", label=_("To"))
    updated_since = updated_since_filter()

    class Meta:
        model = Activity
        fields = []

    def search(self, queryset, name, value):
        return queryset.filter(Q(title__icontains=value) | Q(place__icontains=value))


class MentoringPairFilterSet(PortalFilterSet):
    studio = django_filters.NumberFilter(field_name="studio_id", label=_("Studio id"))
    year = django_filters.NumberFilter(label=_("Year"))
    updated_since = updated_since_filter()

    class Meta:
        model = MentoringPair
        fields = []


class EvaluationFilterSet(PortalFilterSet):
    studio = django_filters.NumberFilter(field_name="studio_id", label=_("Studio id"))
    kind = choice_filter(EvaluationKind.choices, _("Kind"))
    status = choice_filter(EvaluationStatus.choices, _("Status"))
    result = choice_filter(Result.choices, _("Result"))
    year = django_filters.NumberFilter(label=_("Year"))
    updated_since = updated_since_filter()

    class Meta:
        model = Evaluation
        fields = []


class SelectionRoundFilterSet(PortalFilterSet):
    studio = django_filters.NumberFilter(field_name="studio_id", label=_("Studio id"))
    role = choice_filter(PersonRole.choices, _("Selection of"))
    year = django_filters.NumberFilter(label=_("Year"))

    class Meta:
        model = SelectionRound
        fields = ["status"]
