"""Excel exports of studios, their people, activities and evaluations. Rows
come from ``restrict``ed querysets, annotated so each export makes a fixed
number of queries whatever its size."""

from django.db.models import Count, Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from core.exports import QuerysetExporter, registry

from . import services
from .models import Activity, Evaluation, Studio, StudioPerson


@registry.register
class StudioExporter(QuerysetExporter):
    identifier = "studios"
    name = _("Studios")
    description = _("Studios in your scope with this year's mentees against the rule.")
    permission = "studios.view_studio"

    def headers(self):
        return [
            _("Studio"),
            _("Kind"),
            _("Level"),
            _("Subject"),
            _("Stage"),
            _("Managing center"),
            _("Cycle starts on"),
            _("Cycle ends on"),
            _("Mentees this year"),
            _("Mentees required"),
        ]

    def queryset(self):
        self.year = timezone.localdate().year
        self.rules = services.mentoring_rules()
        return (
            Studio.objects.restrict(self.user)
            .select_related("managing_center")
            .annotate(
                mentees=Count("pairs__mentee", filter=Q(pairs__year=self.year), distinct=True)
            )
            .order_by("managing_center_id", "name")
        )

    def row(self, s):
        return [
            s.name,
            s.get_kind_display(),
            s.get_level_display(),
            s.subject,
            s.get_stage_display(),
            s.managing_center.name,
            s.cycle_start,
            s.cycle_end,
            s.mentees,
            services.rule_for(s, self.rules).min_mentees,
        ]


@registry.register
class StudioPeopleExporter(QuerysetExporter):
    identifier = "studio-people"
    name = _("Studio members")
    description = _("Hosts, members and network learners of the studios in your scope.")
    permission = "studios.view_studioperson"

    def headers(self):
        return [
            _("Studio"),
            _("Role in the studio"),
            _("Teacher"),
            _("School"),
            _("District"),
            _("Starts on"),
            _("Ends on"),
        ]

    def queryset(self):
        return (
            StudioPerson.objects.restrict(self.user)
            .select_related("studio", "teacher__school", "teacher__district")
            .order_by("studio_id", "role", "starts_on", "pk")
        )

    def row(self, p):
        return [
            p.studio.name,
            p.get_role_display(),
            p.teacher.name,
            p.teacher.school.name,
            p.teacher.district.name,
            p.starts_on,
            p.ends_on,
        ]


@registry.register
class StudioActivityExporter(QuerysetExporter):
    identifier = "studio-activities"
    name = _("Studio activities")
    description = _("Activities with their date, place, hours and attendance.")
    permission = "studios.view_activity"

    def headers(self):
        return [
            _("Studio"),
            _("Held on"),
            _("Kind"),
            _("Activity"),
            _("Place"),
            _("Hours"),
            _("Attended"),
            _("Other participants"),
        ]

    def queryset(self):
        return (
            Activity.objects.restrict(self.user)
            .select_related("studio")
            .annotate(present=Count("attendance", filter=Q(attendance__attended=True)))
            .order_by("studio_id", "held_on", "pk")
        )

    def row(self, a):
        return [
            a.studio.name,
            a.held_on,
            a.get_kind_display(),
            a.title,
            a.place,
            a.hours,
            a.present,
            a.other_participants,
        ]


@registry.register
class StudioEvaluationExporter(QuerysetExporter):
    identifier = "studio-evaluations"
    name = _("Studio evaluations")
    description = _("Annual and cycle evaluations with their totals and results.")
    permission = "studios.view_evaluation"

    def headers(self):
        return [
            _("Studio"),
            _("Kind"),
            _("Year"),
            _("Status"),
            _("Total score"),
            _("Result"),
            _("Host at the time"),
        ]

    def queryset(self):
        return (
            Evaluation.objects.restrict(self.user)
            .select_related("studio", "host")
            .order_by("studio_id", "year", "kind")
        )

    def row(self, e):
        return [
            e.studio.name,
            e.get_kind_display(),
            e.year,
            e.get_status_display(),
            e.total,
            e.get_result_display() if e.result else "",
            e.host.name if e.host else "",
        ]
