"""The dashboards: one page per role, assembled from the chart panels apps
register (``core.charts``), and each chart's table as Excel."""

from urllib.parse import quote, urlencode

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from core.charts import charts, figures_workbook
from core.replica import reads_from_replica

from . import services
from .forms import DashboardFilterForm

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


@login_required
def index(request):
    """The first dashboard the user reads; none: 403."""
    dashboards = services.dashboards_for(request.user)
    if not dashboards:
        raise PermissionDenied
    url = reverse("dashboards:dashboard", args=[dashboards[0].key])
    if request.GET:
        url += "?" + request.GET.urlencode()
    return redirect(url)


def _dashboard_and_filters(request, key):
    if key not in {d.key for d in services.DASHBOARDS}:
        raise Http404
    dashboard = services.dashboard_for(request.user, key)
    if dashboard is None:
        raise PermissionDenied
    districts = services.district_choices(request.user, dashboard)
    filters = services.parse_filters(request.GET, districts=districts)
    return dashboard, districts, filters


@login_required
@reads_from_replica  # DATABASE_REPLICA_URL: a replica's lag is fine here
def dashboard(request, key):
    dashboard, districts, filters = _dashboard_and_filters(request, key)
    form = DashboardFilterForm(request.GET or None, districts=districts)
    if request.GET:
        form.is_valid()  # marks a wrong value; the charts use the default for it
    else:
        form = DashboardFilterForm(initial=filters.query(), districts=districts)
    query = urlencode(filters.query())
    # Every chart's Excel address is this one with its key (a slug, as the
    # URL pattern's): reversed once, not once per chart.
    charts_path = reverse("dashboards:chart-xlsx", args=[key, "_"]).removesuffix("_.xlsx")
    charts_ = []
    for chart in services.charts_for(request.user, dashboard, filters):
        excel_url = f"{charts_path}{chart.panel.key}.xlsx?{query}"
        # The one way a chart is drawn (the {% chart %} tag calls it too)
        html = chart.figures.figure_html(chart.panel.key, chart.element_id, excel_url)
        charts_.append({"chart": chart, "excel_url": excel_url, "html": html})
    return render(
        request,
        "dashboards/dashboard.html",
        {
            "title": dashboard.title,
            "dashboard": dashboard,
            "dashboards": services.dashboards_for(request.user),
            "form": form,
            "filters": filters,
            "charts": charts_,
            "annual_report": services.may_read_annual_report(request.user),
        },
    )


@login_required
@reads_from_replica  # DATABASE_REPLICA_URL: a replica's lag is fine here
def chart_xlsx(request, key, chart):
    """One chart's figures (as its table shows them) as an ``.xlsx``."""
    dashboard, _districts, filters = _dashboard_and_filters(request, key)
    panel = next(
        (p for p in charts.for_dashboard(dashboard.key, request.user) if p.key == chart), None
    )
    if panel is None:
        raise Http404
    figures = panel.figures(request.user, filters)
    if figures is None:
        raise Http404
    name = f"{figures.title}-{filters.year}-{timezone.localtime():%Y%m%d}.xlsx"
    response = HttpResponse(figures_workbook(figures), content_type=XLSX)
    response["Content-Disposition"] = f"attachment; filename*=UTF-8''{quote(name)}"
    return response


@login_required
@reads_from_replica  # DATABASE_REPLICA_URL: a replica's lag is fine here
def annual_report(request, year=None):
    """The alliance's annual statistics (成果统计) as a printable page: the
    members' results and the year's figures; the bureau and the secretariat."""
    if not services.may_read_annual_report(request.user):
        raise PermissionDenied
    years = services.report_years()
    if year is None:
        try:
            year = int(request.GET.get("year") or years[0])
        except ValueError:
            year = years[0]
        return redirect("dashboards:annual-report", year=year if year in years else years[0])
    if year not in years:
        raise Http404
    report = services.annual_report(request.user, year)
    return render(
        request,
        "dashboards/annual_report.html",
        {
            "title": _("Annual statistics of the alliance, %(year)s") % {"year": year},
            "report": report,
            "years": years,
            "generated_at": timezone.localtime(),
        },
    )
