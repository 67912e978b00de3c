"""Home-page panels: a teacher's hours, reviewers' pending claims, the
completion of a school, district or the city, and reminders."""

from django.utils.translation import gettext_lazy as _

from core.permissions import can, get_scope
from core.registry import Panel, registry
from core.roles import Role

STAFF = (Role.BUREAU, Role.DISTRICT_STAFF, Role.SCHOOL_ADMIN, Role.CENTER_STAFF)


def _teacher_context(request):
    from centers.models import Teacher

    from . import services

    ids = get_scope(request.user).ids(Role.TEACHER)
    teacher = Teacher.objects.filter(pk__in=ids).first()
    if teacher is None:
        return None
    return {"summary": services.teacher_summary(teacher)}


def _staff_context(request):
    from centers.models import School

    from . import services
    from .models import CreditClaim
    from .permissions import credit_district_ids

    user = request.user
    districts = credit_district_ids(user)
    if districts is None:
        rows = services.completion(by="district")
    elif districts:
        rows = services.completion(by="school", district_ids=districts)
    else:
        school_ids = list(get_scope(user).ids(Role.SCHOOL_ADMIN))
        if not school_ids:
            return None
        rows = services.completion(
            by="school",
            district_ids=list(
                School.objects.filter(pk__in=school_ids).values_list("district_id", flat=True)
            ),
            school_ids=school_ids,
        )
    pending = CreditClaim.objects.restrict(user, "change").pending().count()
    return {"total": services.completion_total(rows), "pending": pending}


def _reminders_context(request):
    from .models import Reminder

    reminders = list(
        Reminder.objects.restrict(request.user)
        .filter(read_at__isnull=True)
        .order_by("-created_at")[:5]
    )
    return {"reminders": reminders} if reminders else None


registry.add_panel(
    Panel(
        key="credits-reminders",
        title=_("Reminders"),
        template="credits/panels/reminders.html",
        context=_reminders_context,
        visible=lambda user: user.is_authenticated,
        order=5,
        width=12,
    )
)
registry.add_panel(
    Panel(
        key="credits-mine",
        title=_("My learning hours"),
        template="credits/panels/mine.html",
        context=_teacher_context,
        visible=lambda user: get_scope(user).has_role(Role.TEACHER),
        order=10,
    )
)
registry.add_panel(
    Panel(
        key="credits-completion",
        title=_("Learning-hour completion"),
        template="credits/panels/completion.html",
        context=_staff_context,
        visible=lambda user: (
            get_scope(user).has_role(*STAFF) and can(user, "view", "credits.creditentry")
        ),
        order=20,
    )
)
