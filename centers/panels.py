"""The bureau's home panel: the federation at a glance."""

from django.db.models import Count, Q
from django.utils.translation import gettext_lazy as _

from core.permissions import get_scope
from core.registry import Panel, SearchSource, registry
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
