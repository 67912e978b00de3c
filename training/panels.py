"""Home-page panels: a teacher's training (next session, notices), the
district's enrolments waiting for a decision, a vendor's classes and a
center's running sub-projects."""

from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from core.permissions import get_scope
from core.registry import Panel, registry
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
