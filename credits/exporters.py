"""Excel exports of completion and of teachers at risk. Rows are streamed
from the database (``iterator``) into openpyxl's write-only workbook, so the
city-wide export holds a chunk of rows in memory, never the whole city."""

from django.utils.translation import gettext_lazy as _

from centers.models import Teacher
from core.exports import Exporter, Sheet, registry
from core.permissions import can

from . import services

CHUNK = 2000


def _progress_rows(teachers):
    for t in teachers.iterator(chunk_size=CHUNK):
        projected = services.projected_hours(t)
        yield [
            t.district.name,
            t.school.name,
            t.name,
            t.external_id,
            services.as_hours(t.cycle_hours),
            services.as_hours(t.required),
            projected,
            _("Yes") if t.is_complete else _("No"),
        ]


TEACHER_HEADERS = [
    _("District"),
    _("School"),
    _("Teacher"),
    _("District system id"),
    _("Hours this cycle"),
    _("Required hours"),
    _("Projected at cycle end"),
    _("Complete"),
]


@registry.register
class CompletionExporter(Exporter):
    identifier = "credits-completion"
    name = _("Credit completion")
    description = _(
        "Completion rate per school, and every teacher's hours this cycle, within your scope."
    )
    permission = "credits.view_creditentry"

    @classmethod
    def allowed(cls, user) -> bool:
        return can(user, "follow_credits", Teacher)

    def teachers(self):
        return (
            services.annotate_progress(
                Teacher.objects.restrict(self.user, "follow_credits").filter(is_active=True)
            )
            .select_related("school", "district")
            .order_by("district__order", "school_id", "pk")
        )

    def sheets(self):
        follows = services.followed(self.user)
        if follows.district_ids is None:  # every school of the city
            rows = services.completion(by="school")
        else:
            rows = services.followed_completion(self.user, follows)
        yield Sheet(
            str(_("Schools")),
            [
                str(h)
                for h in (
                    _("School"),
                    _("Teachers"),
                    _("Complete"),
                    _("Completion rate"),
                    _("At risk"),
                    _("Average hours"),
                )
            ],
            (
                [
                    r.name,
                    r.teachers,
                    r.complete,
                    round(r.rate * 100, 1) if r.rate is not None else "",
                    r.at_risk,
                    r.average,
                ]
                for r in rows
            ),
            len(rows),
        )
        yield Sheet(
            str(_("Teachers")), [str(h) for h in TEACHER_HEADERS], _progress_rows(self.teachers())
        )


@registry.register
class AtRiskExporter(Exporter):
    identifier = "credits-at-risk"
    name = _("Teachers at risk")
    description = _("Teachers whose pace so far would miss the cycle's hours, within your scope.")
    permission = "credits.view_creditentry"

    @classmethod
    def allowed(cls, user) -> bool:
        return can(user, "follow_credits", Teacher)

    def headers(self):
        return TEACHER_HEADERS

    def rows(self):
        teachers = (
            services.at_risk(
                Teacher.objects.restrict(self.user, "follow_credits").filter(is_active=True)
            )
            .select_related("school", "district")
            .order_by("district__order", "school_id", "cycle_hours", "pk")
        )
        return _progress_rows(teachers)
