"""Excel exports of the alliance: the results roll-up for the annual report
and the list of reported results. Rows come through ``restrict``."""

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from core.exports import Exporter, OptionsForm, Sheet, registry

from .models import Achievement
from .services import results_rollup


class YearForm(OptionsForm):
    year = forms.IntegerField(label=_("Year"), min_value=2019, max_value=2100)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["year"].initial = timezone.localdate().year
        self.fields["year"].widget.attrs["class"] = "form-control"


@registry.register
class ResultsRollupExporter(Exporter):
    identifier = "alliance-results-rollup"
    name = _("Alliance results roll-up")
    description = _("Results per member and kind for one year, with totals, for the annual report.")
    permission = "alliance.view_achievement"
    options_form = YearForm

    def sheets(self):
        year = int(self.options.get("year") or timezone.localdate().year)
        rollup = results_rollup(year=year, user=self.user)
        headers = [
            str(_("Kind")),
            *[c.short_name or c.name for c in rollup.centers],
            str(_("Total")),
        ]
        rows = [[str(label), *counts, total] for label, counts, total in rollup.rows()]
        rows.append([str(_("Total")), *rollup.center_totals(), rollup.total])
        yield Sheet(f"{year}", headers, rows, len(rows))
        detail = (
            Achievement.objects.restrict(self.user)
            .filter(year=year)
            .select_related("center")
            .order_by("center__council_member__order", "kind")
        )
        yield Sheet(
            str(_("Details")),
            [str(_("Member")), str(_("Kind")), str(_("Count")), str(_("Details"))],
            ([a.center.name, a.get_kind_display(), a.count, a.description] for a in detail),
        )
