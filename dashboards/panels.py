"""The dashboards' own charts: the trend of each key figure across the
months of the filter's year, from the monthly snapshots."""

from django.utils.text import format_lazy
from django.utils.translation import gettext_lazy as _

from core.charts import ChartPanel, Figures, Series, charts
from core.permissions import can
from core.registry import Panel, registry

from . import services


def _trends(user, filters):
    """Every trend chart's months and values in one query
    (``services.trends``), once per request (kept on the request's user, as
    the credit charts keep their completion rows)."""
    cache = user.__dict__.setdefault("_dashboard_trends", {})
    if filters not in cache:
        keys = [f.key for f in charts.snapshot_figures()]
        cache[filters] = services.trends(user, keys, filters)
    return cache[filters]


def _trend_figures(figure):
    def figures(user, filters):
        months, values = _trends(user, filters)[figure.key]
        return Figures(
            title=format_lazy(_("{figure} by month"), figure=figure.label),
            kind="line",
            categories=months,
            series=[Series(str(figure.label), values)],
            unit=figure.unit,
            note=_("Monthly snapshots: a closed month's figure never changes."),
        )

    return figures


def register_trends():
    """One trend chart per snapshot figure the apps registered (this module
    is discovered after theirs: dashboards comes last in INSTALLED_APPS)."""
    for figure in charts.snapshot_figures():
        charts.register(
            ChartPanel(
                key=f"trend-{figure.key}",
                title=format_lazy(_("{figure} by month"), figure=figure.label),
                figures=_trend_figures(figure),
                visible=lambda user: can(user, "view", "dashboards.monthlysnapshot"),
                dashboards=("bureau", "district"),
                order=900 + figure.order,
            )
        )


register_trends()


def _links_context(request):
    dashboards = services.dashboards_for(request.user)
    annual = services.may_read_annual_report(request.user)
    if not dashboards and not annual:
        return None
    return {"dashboards": dashboards, "annual_report": annual}


registry.add_panel(
    Panel(
        key="dashboards-links",
        title=_("Dashboards"),
        template="dashboards/panels/links.html",
        context=_links_context,
        visible=lambda user: bool(
            services.dashboards_for(user) or services.may_read_annual_report(user)
        ),
        order=8,
        width=6,
    )
)


# --- The center dashboard: its projects and its vendors' scores ---------------


def _center_staff(user):
    from core.permissions import get_scope
    from core.roles import Role

    return get_scope(user).has_role(Role.CENTER_STAFF)


def center_projects_figures(user, filters):
    from django.urls import reverse

    categories, enrolled, capacity = services.center_projects(user, filters)
    return Figures(
        title=_("Our training projects"),
        kind="bar",
        categories=categories,
        series=[Series(str(_("Enrolled trainees")), enrolled), Series(str(_("Seats")), capacity)],
        unit=_("trainees"),
        note=_("Sub-projects of the year's plans the center runs, with their status."),
        drill_url=reverse("training:board"),
    )


def vendor_scores_figures(user, filters):
    from django.urls import reverse

    categories, ours, record, _projects = services.center_vendor_scores(user, filters)
    return Figures(
        title=_("Vendors' scores"),
        kind="bar",
        categories=categories,
        series=[
            Series(str(_("On our projects")), ours),
            Series(str(_("Record over every project")), record),
        ],
        unit=_("points"),
        note=_("Average project score (0–100) the evaluation stored for each scored sub-project."),
        drill_url=reverse("evaluation:vendor-records"),
    )


charts.register(
    ChartPanel(
        key="center-projects",
        title=_("Our training projects"),
        figures=center_projects_figures,
        visible=lambda user: _center_staff(user) and can(user, "view", "training.subproject"),
        dashboards=("center",),
        order=25,
        width=12,
    )
)
charts.register(
    ChartPanel(
        key="center-vendor-scores",
        title=_("Vendors' scores"),
        figures=vendor_scores_figures,
        visible=lambda user: _center_staff(user) and can(user, "view", "evaluation.projectscore"),
        dashboards=("center",),
        order=35,
    )
)
