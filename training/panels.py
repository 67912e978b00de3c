"""Home-page panels: a teacher's training (next session, notices), the
district's enrolments waiting for a decision, a vendor's classes and a
center's running sub-projects."""

from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from core.formats import format_datetime
from core.permissions import get_scope
from core.registry import InboxSource, Panel, SearchSource, registry
from core.roles import Role


def _teacher_context(request):
    from .models import Enrollment, EnrollmentStatus, Notice, Session

    ids = get_scope(request.user).ids(Role.TEACHER)
    enrolled = Enrollment.objects.restrict(request.user).filter(teacher__in=ids).active()
    count = enrolled.count()
    next_session = (
        Session.objects.restrict(request.user)
        .filter(
            subproject__in=enrolled.filter(status=EnrollmentStatus.ENROLLED).values(
                "subproject_id"
            ),
            ends_at__gte=timezone.now(),
        )
        .select_related("subproject")
        .order_by("starts_at")
        .first()
    )
    notices = list(
        Notice.objects.restrict(request.user)
        .filter(user=request.user, read_at__isnull=True)
        .select_related("enrollment__subproject")[:3]
    )
    return {"count": count, "next": next_session, "notices": notices}


def _staff_context(request):
    from .models import Enrollment, EnrollmentStatus, SubProject, SubProjectStatus

    user = request.user
    scope = get_scope(user)
    pending = 0
    if scope.has_role(Role.DISTRICT_STAFF) or scope.superuser:
        pending = (
            Enrollment.objects.restrict(user, "change")
            .filter(status=EnrollmentStatus.PENDING)
            .count()
        )
    running = list(
        SubProject.objects.restrict(user, "change")
        .filter(status=SubProjectStatus.RUNNING)
        .order_by("ends_on")[:5]
    )
    if not pending and not running:
        return None
    return {"pending": pending, "running": running}


registry.add_panel(
    Panel(
        key="training-mine",
        title=_("My training"),
        template="training/panels/mine.html",
        context=_teacher_context,
        visible=lambda user: get_scope(user).has_role(Role.TEACHER),
        order=12,
    )
)
registry.add_panel(
    Panel(
        key="training-work",
        title=_("Training"),
        template="training/panels/work.html",
        context=_staff_context,
        visible=lambda user: get_scope(user).has_role(
            Role.BUREAU, Role.CENTER_STAFF, Role.DISTRICT_STAFF, Role.VENDOR
        ),
        order=25,
    )
)


# --- Dashboard charts and snapshot figures (core.charts) --------------------------

YEARS_SHOWN = 5


def trainees_figures(user, filters):
    """Enrolled trainees per plan year and level over five years up to the
    filter's year: one grouped query over the enrolments the user sees."""
    from django.db.models import Count
    from django.urls import reverse

    from core.charts import Figures, Series

    from .models import Enrollment, EnrollmentStatus, Level

    years = list(range(filters.year - YEARS_SHOWN + 1, filters.year + 1))
    enrolments = Enrollment.objects.restrict(user).filter(
        status=EnrollmentStatus.ENROLLED, subproject__project__plan__year__in=years
    )
    if filters.district_id:
        enrolments = enrolments.filter(district_id=filters.district_id)
    levels = [(v, label) for v, label in Level.choices if not filters.level or v == filters.level]
    if filters.level:
        enrolments = enrolments.filter(subproject__project__plan__level=filters.level)
    counts = {
        (row["subproject__project__plan__year"], row["subproject__project__plan__level"]): row["n"]
        for row in enrolments.order_by()
        .values("subproject__project__plan__year", "subproject__project__plan__level")
        .annotate(n=Count("pk"))
    }
    return Figures(
        title=_("Trainees per year and level"),
        kind="bar",
        categories=[str(y) for y in years],
        series=[Series(str(label), [counts.get((y, v), 0) for y in years]) for v, label in levels],
        unit=_("trainees"),
        note=_("Enrolled trainees, by the year of the training plan."),
        drill_url=reverse("training:enrollment-list"),
    )


def _register_charts():
    from core.charts import ChartPanel, SnapshotFigure, charts
    from core.permissions import can

    from . import services

    charts.register(
        ChartPanel(
            key="training-trainees",
            title=_("Trainees per year and level"),
            figures=trainees_figures,
            visible=lambda user: (
                can(user, "view", "training.enrollment")
                and not get_scope(user).has_role(Role.TEACHER)
            ),
            dashboards=("bureau", "district", "center"),
            order=30,
        )
    )
    charts.add_figure(
        SnapshotFigure(
            key="training-trainees",
            label=_("Trainees enrolled this year"),
            unit=_("trainees"),
            compute=lambda on: services.enrolled_per_district(on.year),
            order=30,
        )
    )


_register_charts()

# --- To-do (待办) ------------------------------------------------------------------------


def _enrolments_to_decide(user):
    from .models import Enrollment, EnrollmentStatus

    scope = get_scope(user)
    qs = Enrollment.objects.restrict(user, "change").filter(status=EnrollmentStatus.PENDING)
    if not scope.superuser:
        qs = qs.filter(district_id__in=scope.ids(Role.DISTRICT_STAFF))
    return qs.select_related("teacher", "subproject").order_by("applied_at", "id")


def _sessions_to_sign_off(user):
    from .models import Session

    return (
        Session.objects.restrict(user, "change")
        .filter(signed_off_at__isnull=True, ends_at__lt=timezone.now())
        .select_related("subproject")
        .order_by("starts_at", "id")
    )


registry.add_inbox(
    InboxSource(
        key="training-enrolments",
        label=_("Enrolments waiting for the district's decision"),
        items=_enrolments_to_decide,
        visible=lambda user: get_scope(user).has_role(Role.DISTRICT_STAFF),
        describe=lambda e: f"{e.teacher.name} · {e.subproject.name}",
        list_url="training:enrollment-list",
        order=20,
    )
)
registry.add_inbox(
    InboxSource(
        key="training-sign-off",
        label=_("Sessions whose attendance waits for sign-off"),
        items=_sessions_to_sign_off,
        visible=lambda user: get_scope(user).has_role(Role.VENDOR, Role.CENTER_STAFF),
        describe=lambda s: f"{s.subproject.name} · {s.title} · {format_datetime(s.starts_at)}",
        link=lambda s: reverse("training:class", args=[s.subproject_id]),
        order=25,
    )
)


def _search_subprojects(user, q):
    from .models import SubProject

    return SubProject.objects.restrict(user).filter(name__icontains=q).order_by("-pk")


registry.add_search(
    SearchSource(
        key="training-subprojects",
        label=_("Training projects"),
        search=_search_subprojects,
        describe=lambda s: s.name,
        order=30,
    )
)
