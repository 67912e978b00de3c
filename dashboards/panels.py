"""The dashboards' own charts: the trend of each key figure across the
months of the filter's year, from the monthly snapshots."""

from django.utils.text import format_lazy
from django.utils.translation import gettext_lazy as _

from core.charts import ChartPanel, Figures, Series, charts
from core.permissions import can
from core.registry import Panel, registry

from . import services


def _trend_figures(figure):
    def figures(user, filters):
        months, values = services.trend(user, figure.key, filters)
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
