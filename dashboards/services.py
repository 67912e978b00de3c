"""The dashboards: which exist and who reads them, their filters, the charts
each shows (``core.charts`` panels every app registers), and the monthly
snapshot of the key figures (``take_snapshot``, run by beat)."""

from __future__ import annotations

import datetime
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from alliance.services import results_rollup
from centers.models import District
from core.charts import ChartPanel, Filters, charts
from core.permissions import get_scope
from core.roles import Role
from training.models import Level

from .models import MonthlySnapshot

YEARS_BACK = 5


@dataclass(frozen=True)
class Dashboard:
    key: str
    title: str
    #: the role whose members read it (the bureau's also superusers)
    role: str
    #: whether its district filter offers every district (else the viewer's own)
    city_wide: bool = False


DASHBOARDS = (
    Dashboard("bureau", _("City-wide dashboard"), Role.BUREAU, city_wide=True),
    Dashboard("district", _("District dashboard"), Role.DISTRICT_STAFF),
    Dashboard("center", _("Center dashboard"), Role.CENTER_STAFF),
)


def dashboards_for(user) -> list[Dashboard]:
    if not user.is_authenticated:
        return []
    scope = get_scope(user)
    return [
        d for d in DASHBOARDS if scope.has_role(d.role) or (scope.superuser and d.key == "bureau")
    ]


def dashboard_for(user, key) -> Dashboard | None:
    return next((d for d in dashboards_for(user) if d.key == key), None)


def district_choices(user, dashboard: Dashboard) -> list[tuple[int, str]]:
    """The districts the filter offers: every one on the city-wide view, the
    ones whose credits the viewer follows elsewhere (one query)."""
    districts = District.objects.restrict(user)
    if not dashboard.city_wide:
        districts = District.objects.restrict(user, "follow_credits")
    return list(districts.order_by("order", "name").values_list("pk", "name"))


def year_choices(today=None) -> list[int]:
    year = (today or timezone.localdate()).year
    return list(range(year, year - YEARS_BACK - 1, -1))


def parse_filters(data, *, districts: list[tuple[int, str]], today=None) -> Filters:
    """Filters from the URL query; a value outside the choices is dropped
    (the default applies), never an error page."""
    years = year_choices(today)
    try:
        year = int(data.get("year") or years[0])
    except (TypeError, ValueError):
        year = years[0]
    if year not in years:
        year = years[0]
    level = data.get("level") or ""
    if level not in Level.values:
        level = ""
    try:
        district_id = int(data.get("district") or 0) or None
    except (TypeError, ValueError):
        district_id = None
    if district_id not in {pk for pk, _name in districts}:
        district_id = None
    return Filters(year=year, level=level, district_id=district_id)


@dataclass
class Chart:
    panel: ChartPanel
    figures: object

    @property
    def element_id(self) -> str:
        return f"chart-data-{self.panel.key}"


def charts_for(user, dashboard: Dashboard, filters: Filters) -> list[Chart]:
    """The dashboard's charts for the user: each registered panel that is on
    this dashboard, visible to the user and has figures."""
    out = []
    for panel in charts.for_dashboard(dashboard.key, user):
        figures = panel.figures(user, filters)
        if figures is not None:
            out.append(Chart(panel, figures))
    return out


# --- Monthly snapshots ---------------------------------------------------------


def month_of(day: datetime.date) -> datetime.date:
    return day.replace(day=1)


def _value(number) -> Decimal | None:
    if number is None:
        return None
    return Decimal(str(number)).quantize(Decimal("0.01"), ROUND_HALF_UP)


def take_snapshot(on: datetime.date | None = None) -> dict:
    """Store this month's key figures (every ``SnapshotFigure`` registered
    with ``core.charts``), for the city and each district. Idempotent: run
    again the same day, it writes the same values. Rows of earlier months
    are closed first and never written again; a figure missing for a closed
    month stays missing (the past is not recomputed)."""
    on = on or timezone.localdate()
    month = month_of(on)
    closed = MonthlySnapshot.objects.filter(month__lt=month, closed=False).update(closed=True)
    written = 0
    for figure in charts.snapshot_figures():
        values = figure.compute(on)
        with transaction.atomic():
            existing = {
                row.district_id: row
                for row in MonthlySnapshot.objects.select_for_update().filter(
                    month=month, key=figure.key
                )
            }
            for district_id, number in values.items():
                value = _value(number)
                row = existing.get(district_id)
                if row is None:
                    MonthlySnapshot.objects.create(
                        month=month, key=figure.key, district_id=district_id, value=value
                    )
                    written += 1
                elif not row.closed and row.value != value:
                    row.value = value
                    row.taken_at = timezone.now()
                    row.save(update_fields=["value", "taken_at"])
                    written += 1
    return {"month": month.isoformat(), "written": written, "closed": closed}


def trend(user, key: str, filters: Filters) -> tuple[list[str], list]:
    """A figure's months of the filter's year: (month labels, values) from
    the snapshots the user may read — the city's row, or the district's
    when one is chosen or the user reads only their district's rows."""
    return trends(user, [key], filters)[key]


def trends(user, keys, filters: Filters) -> dict[str, tuple[list[str], list]]:
    """``trend`` of several figures in one query: ``{key: (month labels,
    values)}`` (a key with no rows: two empty lists)."""
    rows = MonthlySnapshot.objects.restrict(user).filter(key__in=keys, month__year=filters.year)
    if filters.district_id:
        rows = rows.filter(district_id=filters.district_id)
    elif get_scope(user).superuser or get_scope(user).has_role(Role.BUREAU):
        rows = rows.filter(district__isnull=True)
    by_key: dict[str, dict[datetime.date, list]] = {key: {} for key in keys}
    for key, month, value in rows.order_by("month").values_list("key", "month", "value"):
        by_key[key].setdefault(month, []).append(value)
    out = {}
    for key, by_month in by_key.items():
        months = sorted(by_month)
        values = []
        for m in months:
            known = [v for v in by_month[m] if v is not None]
            # A district official of several districts: their districts' mean.
            values.append(sum(known) / len(known) if known else None)
        out[key] = ([f"{m:%Y-%m}" for m in months], values)
    return out


# --- The alliance's annual statistics and report ------------------------------

#: the chart panels the annual report restates, in its order
ANNUAL_PANELS = (
    "centers-standards",
    "training-trainees",
    "credits-completion-rate",
    "credits-hours",
    "evaluation-satisfaction",
    "studios-mentoring",
)


FIRST_REPORT_YEAR = 2019  # the alliance's founding year


def report_years(today=None) -> list[int]:
    """The years an annual report can be read for, the latest first."""
    year = (today or timezone.localdate()).year
    return list(range(year, FIRST_REPORT_YEAR - 1, -1))


def may_read_annual_report(user) -> bool:
    """The annual statistics are the bureau's and the secretariat's (who
    files the alliance's report); district and center staff have their own
    dashboards."""
    if not user.is_authenticated:
        return False
    return get_scope(user).has_role(Role.BUREAU, Role.SECRETARIAT)


@dataclass
class AnnualReport:
    year: int
    rollup: object  # alliance.services.Rollup
    charts: list[Chart]


def annual_report(user, year: int) -> AnnualReport:
    """The alliance's statistics for a year (成果统计): its members' results
    (``alliance.services.results_rollup``) and the figures of the chart panels
    in ``ANNUAL_PANELS`` for the year, city-wide, each within the reader's
    scope. A fixed number of queries (each panel's own)."""
    filters = Filters(year=year)
    panels = {p.key: p for p in charts.for_dashboard("bureau", user)}
    out = []
    for key in ANNUAL_PANELS:
        panel = panels.get(key)
        if panel is None:
            continue
        figures = panel.figures(user, filters)
        if figures is not None:
            out.append(Chart(panel, figures))
    return AnnualReport(year=year, rollup=results_rollup(year=year, user=user), charts=out)


# --- A center's projects and its vendors' scores (the center dashboard) --------

CENTER_PROJECTS_SHOWN = 20


def center_projects(user, filters: Filters):
    """The training sub-projects the center runs in the filter's year (the
    plan's year, the first ``CENTER_PROJECTS_SHOWN`` by start), each with its
    status, enrolled trainees and capacity: one grouped query."""
    from django.db.models import Count, Q

    from training.models import EnrollmentStatus, SubProject

    subs = SubProject.objects.restrict(user).filter(project__plan__year=filters.year)
    if filters.level:
        subs = subs.filter(project__plan__level=filters.level)
    rows = list(
        subs.annotate(
            enrolled=Count("enrollments", filter=Q(enrollments__status=EnrollmentStatus.ENROLLED))
        )
        .order_by("starts_on", "pk")
        .values_list("name", "status", "enrolled", "capacity")[:CENTER_PROJECTS_SHOWN]
    )
    labels = dict(SubProject._meta.get_field("status").choices)
    return (
        [f"{name} · {labels.get(status, status)}" for name, status, *_n in rows],
        [taken for _name, _s, taken, _c in rows],
        [capacity for *_x, capacity in rows],
    )


def center_vendor_scores(user, filters: Filters):
    """The vendors of the center's sub-projects of the year: their average
    stored project score on them (evaluation's ``ProjectScore``, computed by
    the workers) and their record over every project (the vendor-record hook
    of ``core.registry`` procurement reads): two queries."""
    from django.db.models import Avg, Count

    from core.registry import registry
    from evaluation.models import ProjectScore

    scores = ProjectScore.objects.restrict(user).filter(
        score__isnull=False, vendor__isnull=False, subproject__project__plan__year=filters.year
    )
    if filters.level:
        scores = scores.filter(subproject__project__plan__level=filters.level)
    rows = list(
        scores.order_by()
        .values("vendor_id", "vendor__name")
        .annotate(n=Count("pk"), average=Avg("score"))
        .order_by("-average", "vendor__name")
    )
    records = registry.vendor_records([r["vendor_id"] for r in rows])

    def record(vendor_id):
        value = records.get(vendor_id, {}).get("evaluation", {}).get("average")
        return Decimal(value) if value is not None else None

    return (
        [r["vendor__name"] for r in rows],
        [_value(r["average"]) for r in rows],
        [record(r["vendor_id"]) for r in rows],
        [r["n"] for r in rows],
    )
