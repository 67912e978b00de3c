"""Excel exports of the centers app. Rows come from ``restrict``ed
querysets; ID numbers are always masked in exports."""

from django import forms
from django.core.exceptions import PermissionDenied
from django.utils.translation import gettext_lazy as _

from core.exports import Exporter, OptionsForm, QuerysetExporter, Sheet, registry, yes_no
from core.permissions import can

from . import services
from .models import Center, Room, School, StaffAppointment, StaffMember, Teacher


@registry.register
class CenterListExporter(QuerysetExporter):
    identifier = "centers"
    name = _("List of centers")
    description = _("Every center you may see, with kind, district and host institution.")
    permission = "centers.view_center"

    def queryset(self):
        return (
            Center.objects.restrict(self.user).select_related("district").order_by("kind", "code")
        )

    def headers(self):
        return [
            _("Name"),
            _("Kind"),
            _("District"),
            _("Host institution"),
            _("Address"),
            _("Established on"),
        ]

    def row(self, c):
        return [
            c.name,
            c.get_kind_display(),
            c.district.name if c.district else "",
            c.host_institution,
            c.address,
            c.established_on,
        ]


@registry.register
class SchoolExporter(QuerysetExporter):
    identifier = "schools"
    name = _("Schools")
    description = _("The schools you may see, with district, stage and ownership.")
    permission = "centers.view_school"

    def queryset(self):
        return School.objects.restrict(self.user).select_related("district")

    def headers(self):
        return [
            _("District system id"),
            _("Name"),
            _("District"),
            _("Stage"),
            _("Ownership"),
            _("Address"),
            _("Active"),
        ]

    def row(self, s):
        return [
            s.external_id,
            s.name,
            s.district.name,
            s.get_stage_display(),
            s.get_ownership_display(),
            s.address,
            yes_no(s.is_active),
        ]


@registry.register
class TeacherExporter(QuerysetExporter):
    identifier = "teachers"
    name = _("Teachers")
    description = _("The teachers you may see. ID numbers are masked.")
    permission = "centers.view_teacher"

    def queryset(self):
        return Teacher.objects.restrict(self.user).select_related("school", "district")

    def headers(self):
        return [
            _("District system id"),
            _("Name"),
            _("ID number"),
            _("School"),
            _("District"),
            _("Subject"),
            _("Stage"),
            _("Professional title"),
            _("Role"),
            _("Career stage"),
            _("Active"),
        ]

    def row(self, t):
        return [
            t.external_id,
            t.name,
            t.masked_id_number,
            t.school.name,
            t.district.name,
            t.subject,
            t.get_stage_display(),
            t.get_title_display(),
            t.get_role_display(),
            t.get_career_stage_display(),
            yes_no(t.is_active),
        ]


@registry.register
class StaffExporter(QuerysetExporter):
    identifier = "staff"
    name = _("Staff")
    description = _("Trainers and research staff of the centers you may see.")
    permission = "centers.view_staffmember"

    def queryset(self):
        return StaffMember.objects.restrict(self.user).select_related("center")

    def headers(self):
        return [
            _("Staff number"),
            _("Name"),
            _("Center"),
            _("Employment"),
            _("Research staff"),
            _("Professional title"),
            _("Honour"),
            _("Degree"),
            _("Subject"),
            _("Years teaching"),
            _("Hired on"),
            _("Left on"),
            _("Active"),
        ]

    def row(self, s):
        return [
            s.external_id,
            s.name,
            s.center.name,
            s.get_employment_display(),
            yes_no(s.is_research_staff),
            s.get_title_display(),
            s.get_honour_display(),
            s.get_degree_display(),
            s.subject,
            s.years_teaching,
            s.hired_on,
            s.left_on,
            yes_no(s.is_active),
        ]


@registry.register
class FacilitiesExporter(QuerysetExporter):
    identifier = "facilities"
    name = _("Facilities")
    description = _("Rooms and facilities by center and campus, with seats.")
    permission = "centers.view_room"

    def queryset(self):
        return Room.objects.restrict(self.user).select_related("campus__center")

    def headers(self):
        return [
            _("Center"),
            _("Campus"),
            _("Floor area (m²)"),
            _("Function"),
            _("Name"),
            _("Seats / capacity"),
            _("Bookable"),
        ]

    def row(self, r):
        return [
            r.campus.center.name,
            r.campus.name,
            r.campus.floor_area,
            r.get_function_display(),
            r.name,
            r.seats,
            yes_no(r.bookable),
        ]


class CenterChoiceForm(OptionsForm):
    center = forms.ModelChoiceField(queryset=Center.objects.none(), label=_("Center"))

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["center"].queryset = Center.objects.restrict(self.user, "standards")


def _result_row(result):
    return [
        result.rule.description,
        f"{result.rule.get_comparison_display()} {result.rule.threshold.normalize():f}",
        result.figure,
        str(result.verdict),
        result.detail,
    ]


@registry.register
class CenterStandardsExporter(Exporter):
    identifier = "center-standards"
    name = _("Standards of a center")
    description = _("Each rule of the standards in force, with the center's figure and verdict.")
    permission = "centers.view_standard"
    options_form = CenterChoiceForm

    def sheets(self):
        center = (
            Center.objects.restrict(self.user, "standards")
            .filter(pk=self.options.get("center"))
            .first()
        )
        if center is None:  # the scope shrank since the options were checked
            raise PermissionDenied
        evaluation = services.evaluate_center(center)
        yield Sheet(
            str(center.short_name or center.name)[:31],
            [str(h) for h in (_("Rule"), _("Threshold"), _("Figure"), _("Verdict"), _("Details"))],
            [_result_row(r) for r in evaluation.results],
            len(evaluation.results),
        )


@registry.register
class StandardsMatrixExporter(Exporter):
    identifier = "standards-matrix"
    name = _("Standards matrix")
    description = _("All centers × all rules: figures and verdicts, then each center's details.")
    permission = "centers.view_standard"

    @classmethod
    def allowed(cls, user):
        return super().allowed(user) and can(user, "matrix", Center)

    def sheets(self):
        rules = services.active_rules()
        evaluations = services.evaluate_centers(
            Center.objects.restrict(self.user, "standards")
            .select_related("district")
            .order_by("-kind", "code"),
            rules=rules,
        )
        headers = [str(_("Center")), str(_("Kind"))]
        for rule in rules:
            headers += [rule.description, f"{rule.code} {_('Verdict')}"]
        headers.append(str(_("Passed")))
        rows = []
        for e in evaluations:
            row = [e.center.name, e.center.get_kind_display()]
            for r in e.results:
                row += [r.figure, str(r.verdict)]
            row.append(f"{e.passed} / {e.total}")
            rows.append(row)
        yield Sheet(str(_("Standards matrix"))[:31], headers, rows, len(rows))
        detail_rows = [[e.center.name, *_result_row(r)] for e in evaluations for r in e.results]
        yield Sheet(
            str(_("Details"))[:31],
            [
                str(h)
                for h in (
                    _("Center"),
                    _("Rule"),
                    _("Threshold"),
                    _("Figure"),
                    _("Verdict"),
                    _("Details"),
                )
            ],
            detail_rows,
            len(detail_rows),
        )


@registry.register
class AppointmentExporter(QuerysetExporter):
    """互聘 (charter 001 第八条（四）): the appointments the user may see."""

    identifier = "staff-appointments"
    name = _("Cross-center appointments (互聘)")
    description = _("Trainers appointed by another member center, with their terms.")
    permission = "centers.view_staffappointment"

    def queryset(self):
        return (
            StaffAppointment.objects.restrict(self.user)
            .select_related("staff__center", "center")
            .order_by("-starts_on", "pk")
        )

    def headers(self):
        return [
            _("Trainer"),
            _("Home center"),
            _("Appointing center"),
            _("Appointed as"),
            _("Starts on"),
            _("Ends on"),
            _("Status"),
            _("Why declined or withdrawn"),
            _("Ended early on"),
            _("Why it ended early"),
            _("Note"),
        ]

    def row(self, a):
        return [
            a.staff.name,
            a.staff.center.name,
            a.center.name,
            a.role,
            a.starts_on,
            a.ends_on,
            a.get_status_display(),
            a.closing_reason,
            a.ended_on,
            a.end_reason,
            a.note,
        ]
