"""Excel exports: a sub-project's roster, and its trainees' results."""

from django import forms
from django.utils.translation import gettext_lazy as _

from core.exports import QuerysetExporter, registry, yes_no

from .models import Enrollment, EnrollmentStatus


class SubProjectOption(forms.Form):
    subproject = forms.IntegerField(
        label=_("Sub-project id"), required=False, help_text=_("Empty: every one in your reach.")
    )


class _EnrollmentExporter(QuerysetExporter):
    permission = "training.view_enrollment"
    options_form = SubProjectOption
    statuses = ()

    def queryset(self):
        qs = (
            Enrollment.objects.restrict(self.user)
            .select_related("subproject", "teacher", "school", "district")
            .order_by("subproject_id", "school__name", "teacher__name", "id")
        )
        if self.statuses:
            qs = qs.filter(status__in=self.statuses)
        if self.options.get("subproject"):
            qs = qs.filter(subproject_id=self.options["subproject"])
        return qs


@registry.register
class RosterExporter(_EnrollmentExporter):
    identifier = "training-roster"
    name = _("Training rosters")
    description = _("Enrolments of the sub-projects in your reach, with their status.")

    def headers(self):
        return [
            _("Sub-project"),
            _("District"),
            _("School"),
            _("Teacher"),
            _("Status"),
            _("In line since"),
            _("Seat confirmed"),
            _("Insurance policy"),
        ]

    def row(self, e):
        return [
            e.subproject.name,
            e.district.name,
            e.school.name,
            e.teacher.name,
            e.get_status_display(),
            e.queued_at,
            yes_no(e.confirmed_at),
            e.insurance,
        ]


@registry.register
class ResultExporter(_EnrollmentExporter):
    identifier = "training-results"
    name = _("Training results")
    description = _("Enrolled trainees' scores, attendance, result and posted hours.")
    statuses = (EnrollmentStatus.ENROLLED,)

    def queryset(self):
        return super().queryset().select_related("result", "credit_entry")

    def headers(self):
        return [
            _("Sub-project"),
            _("School"),
            _("Teacher"),
            _("Attendance (%)"),
            _("Assignments"),
            _("Test"),
            _("Case study"),
            _("Reflection"),
            _("Score"),
            _("Result"),
            _("Recommended"),
            _("Hours posted"),
        ]

    def row(self, e):
        r = getattr(e, "result", None)
        return [
            e.subproject.name,
            e.school.name,
            e.teacher.name,
            r.attendance_rate if r else None,
            r.assignment if r else None,
            r.test if r else None,
            r.case if r else None,
            r.reflection if r else None,
            r.score if r else None,
            r.get_grade_display() if r else "",
            yes_no(r.recommended) if r else "",
            e.credit_entry.hours if e.credit_entry else None,
        ]
