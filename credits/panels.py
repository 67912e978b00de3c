"""Home-page panels: a teacher's hours, reviewers' pending claims, the
completion of a school, district or the city, and reminders."""

from django.utils.translation import gettext_lazy as _

from core.formats import format_number
from core.permissions import can
from core.registry import InboxSource, Panel, registry


def _teacher_context(request):
    from centers.models import Teacher

    from . import services

    teacher = Teacher.objects.restrict(request.user, "self").order_by("pk").first()
    if teacher is None:
        return None
    return {"summary": services.teacher_summary(teacher)}


def _staff_context(request):
    from . import services
    from .models import CreditClaim

    user = request.user
    follows = services.followed(user)
    if follows.district_ids == [] or follows.school_ids == []:
        return None
    rows = services.followed_completion(user, follows)
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
        visible=lambda user: can(user, "self", "centers.teacher"),
        order=10,
    )
)
registry.add_panel(
    Panel(
        key="credits-completion",
        title=_("Learning-hour completion"),
        template="credits/panels/completion.html",
        context=_staff_context,
        visible=lambda user: can(user, "follow_credits", "centers.teacher"),
        order=20,
    )
)


def _claims_to_review(user):
    from . import services

    return services.awaiting_review(user)


def _describe_claim(claim):
    return _("%(teacher)s: %(title)s, %(hours)s hours") % {
        "teacher": claim.teacher.name,
        "title": claim.title,
        "hours": format_number(claim.hours),
    }


registry.add_inbox(
    InboxSource(
        key="credits-claims",
        label=_("Claims waiting for my approval"),
        items=_claims_to_review,
        visible=lambda user: can(user, "change", "credits.creditclaim"),
        describe=_describe_claim,
        list_url="credits:claim-list",
        order=10,
    )
)
