"""Funding's dashboard charts and snapshot figure (``core.charts``): budget
execution and the disbursement rate (拨付率) per holder and per year, a
district's funding rules with their figures, and the investment in the
centers to date. Every figure reads the lines' maintained totals
(``allocated``, ``disbursed``) within the user's scope (``restrict``)."""

from decimal import ROUND_HALF_UP, Decimal

from django.db.models import Q
from django.urls import reverse
from django.utils.translation import gettext as _g
from django.utils.translation import gettext_lazy as _

from core.charts import ChartPanel, Figures, Series, SnapshotFigure, charts
from core.permissions import can, sees_all

TEN_THOUSAND = Decimal("10000")
YEARS = 5


def wan(amount):
    """Yuan as 万元 with two places (the charts' unit)."""
    return (Decimal(amount or 0) / TEN_THOUSAND).quantize(Decimal("0.01"), ROUND_HALF_UP)


def _lines(user, filters):
    """The budget lines the user sees, narrowed to the filter's district (its
    own lines, its schools' and its centers')."""
    from .models import BudgetLine

    lines = BudgetLine.objects.restrict(user)
    if filters.district_id:
        lines = lines.filter(
            Q(district_id=filters.district_id) | Q(center__district_id=filters.district_id)
        )
    return lines


def _by_holder(user, filters):
    """The year's execution per holder (``execution_by_holder``), read once
    per request for the two charts that show it (kept on the request's
    user, as the credit charts keep their completion rows)."""
    from . import services

    cache = user.__dict__.setdefault("_dashboard_execution", {})
    if filters not in cache:
        cache[filters] = services.execution_by_holder(_lines(user, filters), year=filters.year)
    return cache[filters]


def execution_figures(user, filters):
    rows = _by_holder(user, filters)
    return Figures(
        title=_("Budget execution %(year)s") % {"year": filters.year},
        kind="bar",
        categories=[r.label for r in rows],
        series=[
            Series(_g("Budget"), [wan(r.budget) for r in rows]),
            Series(_g("Allocated"), [wan(r.allocated) for r in rows]),
            Series(_g("Disbursed"), [wan(r.disbursed) for r in rows]),
        ],
        unit=_("10,000 yuan"),
        note=_("Each holder's budget lines of the year: budgeted, allocated and paid."),
        drill_url=reverse("funding:line-list") + f"?year={filters.year}",
    )


def rate_by_holder_figures(user, filters):
    rows = _by_holder(user, filters)
    return Figures(
        title=_("Disbursement rate per holder %(year)s") % {"year": filters.year},
        kind="bar",
        categories=[r.label for r in rows],
        series=[
            Series(_g("Disbursement rate"), [r.rate for r in rows]),
            Series(_g("Allocation rate"), [r.allocation_rate for r in rows]),
        ],
        unit="%",
        note=_(
            "Disbursement rate (拨付率): paid ÷ budgeted; allocation rate: allocated ÷ budgeted."
        ),
        drill_url=reverse("funding:line-list") + f"?year={filters.year}",
    )


def rate_by_year_figures(user, filters):
    from . import services

    years = list(range(filters.year - YEARS + 1, filters.year + 1))
    lines = _lines(user, filters).filter(year__in=years)
    found = {int(r.label): r for r in services.execution_by_year(lines)}
    rows = [found.get(y) for y in years]
    return Figures(
        title=_("Disbursement rate per year"),
        kind="line",
        categories=[str(y) for y in years],
        series=[
            Series(_g("Disbursement rate"), [r.rate if r else None for r in rows]),
            Series(_g("Allocation rate"), [r.allocation_rate if r else None for r in rows]),
        ],
        unit="%",
        note=_("All budget lines in your scope, by budget year."),
        drill_url=reverse("funding:line-list"),
    )


def rules_figures(user, filters):
    """The district's rules (2.5 % of payroll or its own share, 60 % to the
    training school) and each school's 5 %, with the value reached and the
    threshold; the category says whether the rule passes."""
    from centers.models import District, School

    from . import services

    districts = District.objects.restrict(user, "funding_book").order_by("order", "name")
    if filters.district_id:
        districts = districts.filter(pk=filters.district_id)
    districts = list(districts[:2])
    if len(districts) != 1:
        return None  # one district's rules; the bureau reads each district's book
    district = districts[0]
    schools = School.objects.restrict(user, "funding_book").filter(district=district)
    own, per_school = services.district_checks(district, filters.year, schools=schools)
    checks = [(district.name, c) for c in own] + [(name, c) for _pk, name, c in per_school]
    words = {None: _g("no data"), True: _g("passes"), False: _g("fails")}
    thresholds = {}

    def category(holder, check):
        rule = check.rule
        if rule.pk not in thresholds:
            thresholds[rule.pk] = f"{rule.threshold.normalize():f}"
        state = words[check.passes if check.known else None]
        return f"{holder} · ≥{thresholds[rule.pk]}% · {state}"

    return Figures(
        title=_("Funding rules of %(district)s, %(year)s")
        % {"district": district.name, "year": filters.year},
        kind="bar",
        categories=[category(holder, c) for holder, c in checks],
        series=[
            Series(_g("Reached"), [c.value for _h, c in checks]),
            Series(_g("Required"), [c.rule.threshold for _h, c in checks]),
        ],
        unit="%",
        note=_(
            "Training funds ≥ 2.5 % of teachers' payroll (or the district's own share), "
            "≥ 60 % of them to the district training school, each school ≥ 5 % of its "
            "public-fund budget."
        ),
        drill_url=reverse("funding:book", args=["district", district.pk]) + f"?year={filters.year}",
    )


def investment_figures(user, filters):
    from centers.models import CenterKind

    from . import services
    from .models import Disbursement

    invested = services.investment_to_date(since=2018, payments=Disbursement.objects.restrict(user))
    kinds = [CenterKind.MUNICIPAL, CenterKind.DISTRICT]
    return Figures(
        title=_("Investment in the centers since 2018"),
        kind="pie",
        categories=[str(k.label) for k in kinds],
        series=[Series(_g("Paid"), [wan(invested.get(k)) for k in kinds])],
        unit=_("10,000 yuan"),
        note=_("Paid from center-building lines since 2018, by kind of center."),
        drill_url=reverse("funding:overview") if sees_all(user, "view", Disbursement) else "",
    )


def _sees_lines(user):
    return can(user, "view", "funding.budgetline")


def _sees_all_lines(user):
    return sees_all(user, "view", "funding.budgetline")


for _panel in (
    ChartPanel(
        key="funding-execution",
        title=_("Budget execution"),
        figures=execution_figures,
        visible=_sees_lines,
        dashboards=("bureau", "district", "center"),
        order=60,
    ),
    ChartPanel(
        key="funding-disbursement-rate",
        title=_("Disbursement rate per holder"),
        figures=rate_by_holder_figures,
        visible=_sees_lines,
        dashboards=("bureau", "district", "center"),
        order=61,
    ),
    ChartPanel(
        key="funding-rate-by-year",
        title=_("Disbursement rate per year"),
        figures=rate_by_year_figures,
        visible=_sees_lines,
        dashboards=("bureau", "district", "center"),
        order=62,
    ),
    ChartPanel(
        key="funding-rules",
        title=_("Funding rules"),
        figures=rules_figures,
        visible=lambda user: can(user, "funding_book", "centers.district"),
        dashboards=("district",),
        order=63,
        width=12,
    ),
    ChartPanel(
        key="funding-investment",
        title=_("Investment in the centers"),
        figures=investment_figures,
        visible=_sees_all_lines,
        dashboards=("bureau",),
        order=64,
    ),
):
    charts.register(_panel)


def _snapshot_rate(on):
    from . import services

    return services.disbursement_rates(year=on.year)


charts.add_figure(
    SnapshotFigure(
        key="funding-disbursement-rate",
        label=_("Disbursement rate"),
        unit="%",
        compute=_snapshot_rate,
        order=60,
    )
)
