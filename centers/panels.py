"""The bureau's home panel: the federation at a glance."""

from django.db.models import Count, Q
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from core.charts import ChartPanel, charts
from core.permissions import can, get_scope
from core.registry import InboxSource, Panel, SearchSource, registry
from core.roles import Role

from . import services
from .models import SENIOR_TITLES, Center, CenterKind, Employment, StaffMember


def federation_context(request):
    """Centers by kind, staff make-up and standards passed: seven queries."""
    user = request.user
    centers = list(
        Center.objects.restrict(user).select_related("district").order_by("-kind", "code")
    )
    by_kind = dict.fromkeys(CenterKind.values, 0)
    for center in centers:
        by_kind[center.kind] += 1
    staff = (
        StaffMember.objects.restrict(user)
        .filter(is_active=True, left_on__isnull=True)
        .aggregate(
            total=Count("pk"),
            full_time=Count("pk", filter=Q(employment=Employment.FULL_TIME)),
            part_time=Count("pk", filter=Q(employment=Employment.PART_TIME)),
            research=Count("pk", filter=Q(is_research_staff=True)),
            senior=Count("pk", filter=Q(title__in=SENIOR_TITLES)),
        )
    )
    evaluations = services.evaluate_centers(centers)
    rules_total = sum(e.total for e in evaluations)
    return {
        "centers_total": len(centers),
        "municipal": by_kind[CenterKind.MUNICIPAL],
        "district": by_kind[CenterKind.DISTRICT],
        "staff": staff,
        "all_passed": sum(1 for e in evaluations if e.all_passed),
        "rules_passed": sum(e.passed for e in evaluations),
        "rules_total": rules_total,
        "weakest": sorted(evaluations, key=lambda e: (e.passed, e.center.code))[:3],
    }


def _is_bureau(user):
    scope = get_scope(user)
    return scope.superuser or Role.BUREAU in scope.roles


registry.add_panel(
    Panel(
        key="federation-at-a-glance",
        title=_("The federation at a glance"),
        template="centers/panels/federation.html",
        context=federation_context,
        visible=_is_bureau,
        order=10,
        width=6,
    )
)


# --- Dashboard charts (core.charts) ---------------------------------------------


def standards_figures(user, filters):
    """The centers the user keeps standards for (the bureau: all 17; a
    district: its own center; a center: itself) and the rules each meets:
    the standards evaluation's four queries plus the centers'."""
    from core.charts import Figures, Series

    centers = Center.objects.restrict(user, "standards").order_by("-kind", "code")
    if filters.district_id:
        centers = centers.filter(district_id=filters.district_id)
    evaluations = services.evaluate_centers(list(centers))
    return Figures(
        title=_("Centers and the standards they meet"),
        kind="bar",
        categories=[e.center.short_name or e.center.name for e in evaluations],
        series=[
            Series(str(_("Standards met")), [e.passed for e in evaluations]),
            Series(str(_("Standards in force")), [e.total for e in evaluations]),
        ],
        unit=_("rules"),
        note=_("Against the standards in force today."),
        drill_url=reverse("centers:standards-matrix") if can(user, "matrix", Center) else "",
    )


charts.register(
    ChartPanel(
        key="centers-standards",
        title=_("Centers and their standards"),
        figures=standards_figures,
        visible=lambda user: can(user, "standards", Center),
        dashboards=("bureau", "district", "center"),
        order=10,
        width=12,
    )
)


def _search_teachers(user, q):
    from .models import Teacher

    return (
        Teacher.objects.restrict(user)
        .filter(Q(name__icontains=q) | Q(external_id=q))
        .select_related("school")
        .order_by("name", "pk")
    )


def _search_schools(user, q):
    from .models import School

    return School.objects.restrict(user).filter(name__icontains=q).order_by("name", "pk")


registry.add_search(
    SearchSource(
        key="centers-teachers",
        label=_("Teachers"),
        search=_search_teachers,
        describe=lambda t: f"{t.name} · {t.school.name}",
        order=10,
    )
)
registry.add_search(
    SearchSource(key="centers-schools", label=_("Schools"), search=_search_schools, order=20)
)


# --- To-do (待办): workbooks uploaded and checked, waiting for the uploader --------


def _imports_waiting(user):
    """The user's own uploaded workbooks still in preview: to commit or
    discard (an import belongs to whoever uploaded it, as on its pages)."""
    from .models import ImportBatch, ImportStatus

    return ImportBatch.objects.filter(owner=user, status=ImportStatus.PREVIEW).order_by(
        "-created_at"
    )


def _may_import_anything(user):
    from .models import School, Teacher

    return any(
        can(user, "add", model) and can(user, "change", model) for model in (Teacher, School)
    )


registry.add_inbox(
    InboxSource(
        key="centers-imports",
        label=_("Imports waiting for my confirmation"),
        items=_imports_waiting,
        visible=_may_import_anything,
        link=lambda batch: reverse("centers:import-preview", args=[batch.pk]),
        list_url="centers:import-upload",
        order=15,
    )
)
