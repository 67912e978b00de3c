"""The alliance's annual statistics as an Excel workbook, built by the export
worker (``core.exports``): a sheet of the members' results, then a sheet per
figure of the annual report, the same numbers the printable page shows."""

import re

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from core.exports import Exporter, OptionsForm, Sheet, registry

from . import services

_SHEET_FORBIDDEN = re.compile(r"[\[\]:*?/\\]")


class ReportYearForm(OptionsForm):
    year = forms.TypedChoiceField(label=_("Year"), coerce=int)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        years = services.report_years()
        self.fields["year"].choices = [(y, str(y)) for y in years]
        self.fields["year"].initial = years[0]
        self.fields["year"].widget.attrs["class"] = "form-select"


def sheet_title(title, used: set) -> str:
    """An Excel sheet name: no ``[]:*?/\\``, at most 31 characters, unique."""
    base = _SHEET_FORBIDDEN.sub(" ", str(title)).strip()[:31] or "Sheet"
    name, n = base, 2
    while name in used:
        suffix = f" ({n})"
        name, n = base[: 31 - len(suffix)] + suffix, n + 1
    used.add(name)
    return name


@registry.register
class AnnualReportExporter(Exporter):
    identifier = "dashboards-annual-report"
    name = _("Annual statistics of the alliance")
    description = _(
        "The year's results of the member centers and the figures of the annual report "
        "(standards, trainees, credits, satisfaction, studios), within your scope."
    )
    options_form = ReportYearForm

    @classmethod
    def allowed(cls, user) -> bool:
        return services.may_read_annual_report(user)

    def sheets(self):
        year = int(self.options.get("year") or timezone.localdate().year)
        report = services.annual_report(self.user, year)
        used: set = set()
        rollup = report.rollup
        rows = [[str(label), *counts, total] for label, counts, total in rollup.rows()]
        rows.append([str(_("Total")), *rollup.center_totals(), rollup.total])
        yield Sheet(
            sheet_title(_("Results %(year)s") % {"year": year}, used),
            [str(_("Kind")), *[c.short_name or c.name for c in rollup.centers], str(_("Total"))],
            rows,
            len(rows),
        )
        for chart in report.charts:
            figures = chart.figures
            body = figures.rows()
            headers = figures.headers()
            headers[0] = str(figures.unit) if figures.unit else ""
            yield Sheet(sheet_title(figures.title, used), headers, body, len(body))
