"""The studios' home-page panels: for the managing centers and the bureau,
this year's studios short of mentees; for a host, their studio."""

from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from core.permissions import can
from core.registry import Panel, SearchSource, registry

from . import services
from .models import Studio
from .permissions import RECORD

SHOWN = 5


def _overview(request):
    year = timezone.localdate().year
    studios = list(
        Studio.objects.restrict(request.user).filter(is_active=True).only("pk", "kind", "name")
    )
    counts = services.mentee_counts([s.pk for s in studios], year)
    rules = services.mentoring_rules()
    short = []
    for studio in studios:
        status = services.mentoring_status(studio, year, counts=counts, rules=rules)
        if status.short:
            short.append((studio, status))
    return {"year": year, "total": len(studios), "short": short[:SHOWN], "short_count": len(short)}


def _mine(request):
    studios = services.studio_rows(
        Studio.objects.restrict(request.user, RECORD).filter(is_active=True)[:3]
    )
    return {"studios": studios}


def _manages(user):
    return can(user, "change", Studio)


registry.add_panel(
    Panel(
        key="studios-overview",
        title=_("Studios: mentoring this year"),
        template="studios/panels/overview.html",
        context=_overview,
        visible=_manages,
        order=50,
        width=6,
    )
)
registry.add_panel(
    Panel(
        key="studios-mine",
        title=_("My studio"),
        template="studios/panels/mine.html",
        context=_mine,
        visible=lambda user: can(user, RECORD, Studio) and not _manages(user),
        order=30,
        width=6,
    )
)


# --- Dashboard chart (core.charts) --------------------------------------------------


def mentoring_figures(user, filters):
    """The active studios the user manages, per kind, that meet the year's
    mentoring rule (每年至少结对带动3名普通教师) and that fall short: three
    queries (studios, the year's pair counts, the rules)."""
    from django.urls import reverse

    from core.charts import Figures, Series

    from .models import StudioKind

    studios = list(Studio.objects.restrict(user).filter(is_active=True).only("pk", "kind", "name"))
    counts = services.mentee_counts([s.pk for s in studios], filters.year)
    rules = services.mentoring_rules()
    met = dict.fromkeys(StudioKind.values, 0)
    short = dict.fromkeys(StudioKind.values, 0)
    for studio in studios:
        status = services.mentoring_status(studio, filters.year, counts=counts, rules=rules)
        (short if status.short else met)[studio.kind] += 1
    kinds = [(v, label) for v, label in StudioKind.choices if met[v] or short[v]]
    return Figures(
        title=_("Studios and the mentoring rule"),
        kind="bar",
        categories=[str(label) for _v, label in kinds],
        series=[
            Series(str(_("Meet the mentoring rule")), [met[v] for v, _l in kinds]),
            Series(str(_("Short of mentees")), [short[v] for v, _l in kinds]),
        ],
        unit=_("studios"),
        note=_("Mentees paired in the filter's year against each kind's rule."),
        drill_url=reverse("studios:list"),
    )


def _register_charts():
    from core.charts import ChartPanel, charts

    charts.register(
        ChartPanel(
            key="studios-mentoring",
            title=_("Studios and mentoring"),
            figures=mentoring_figures,
            visible=_manages,
            dashboards=("bureau", "center"),
            order=50,
        )
    )


_register_charts()


def _search_studios(user, q):
    from .models import Studio

    return Studio.objects.restrict(user).filter(name__icontains=q).order_by("name", "pk")


registry.add_search(
    SearchSource(key="studios", label=_("Studios"), search=_search_studios, order=40)
)
