"""Home-page panels: a teacher's hours, reviewers' pending claims, the
completion of a school, district or the city, and reminders."""

from decimal import Decimal

from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from core.charts import ChartPanel, Figures, Series, SnapshotFigure, charts
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
    # The home panel's totals from the maintained standings (as the dashboards).
    if follows.district_ids is None:
        rows = services.standing_completion(by="district")
    else:
        rows = services.standing_completion(
            by="school", district_ids=follows.district_ids, school_ids=follows.school_ids
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


# --- Dashboard charts and snapshot figures (core.charts) --------------------------


def _completion_rows(user, filters):
    """Completion per district (a user who follows every district) or per
    school of the districts the user follows, narrowed to the filter's
    district: from the balances (``completion``), never the raw ledger.
    Computed once per request for both charts (kept on the request's user)."""
    cache = user.__dict__.setdefault("_dashboard_completion", {})
    if filters not in cache:
        cache[filters] = _compute_completion_rows(user, filters)
    return cache[filters]


def _compute_completion_rows(user, filters):
    from . import services

    follows = services.followed(user)
    district_ids = follows.district_ids
    if filters.district_id:
        if district_ids is not None and filters.district_id not in district_ids:
            return "", []
        district_ids = [filters.district_id]
    elif follows.district_ids is None:
        return _("District"), services.standing_completion(by="district")
    if district_ids == [] or follows.school_ids == []:
        return "", []
    return _("School"), services.standing_completion(
        by="school", district_ids=district_ids, school_ids=follows.school_ids
    )


def _percent(part, whole):
    if not whole:
        return None
    return (Decimal(part) * 100 / Decimal(whole)).quantize(Decimal("0.1"))


def completion_figures(user, filters):
    _by, rows = _completion_rows(user, filters)
    return Figures(
        title=_("Completion rate of the cycle"),
        kind="bar",
        categories=[r.name for r in rows],
        series=[
            Series(str(_("Completion rate")), [_percent(r.complete, r.teachers) for r in rows]),
            Series(str(_("At risk")), [_percent(r.at_risk, r.teachers) for r in rows]),
        ],
        unit="%",
        note=_("Share of active teachers who completed the current cycle, and of those at risk."),
        drill_url=reverse("credits:completion"),
    )


def hours_figures(user, filters):
    _by, rows = _completion_rows(user, filters)
    return Figures(
        title=_("Learning hours earned this cycle"),
        kind="bar",
        categories=[r.name for r in rows],
        series=[Series(str(_("Average hours per teacher")), [r.average for r in rows])],
        unit=_("hours"),
        note=_("From the maintained credit balances of the current cycle."),
        drill_url=reverse("credits:completion"),
    )


def _snapshot(on, attr):
    from . import services

    rows = services.completion(by="district", on=on)
    total = services.completion_total(rows)
    values = {r.key: attr(r) for r in rows}
    values[None] = attr(total)
    return values


def _follows(user):
    return can(user, "follow_credits", "centers.teacher")


for _panel in (
    ChartPanel(
        key="credits-completion-rate",
        title=_("Completion rate per district"),
        figures=completion_figures,
        visible=_follows,
        dashboards=("bureau", "district"),
        order=20,
    ),
    ChartPanel(
        key="credits-hours",
        title=_("Hours earned per district"),
        figures=hours_figures,
        visible=_follows,
        dashboards=("bureau", "district"),
        order=21,
    ),
):
    charts.register(_panel)
charts.add_figure(
    SnapshotFigure(
        key="credits-completion-rate",
        label=_("Completion rate"),
        unit="%",
        compute=lambda on: _snapshot(on, lambda r: _percent(r.complete, r.teachers)),
        order=20,
    )
)
charts.add_figure(
    SnapshotFigure(
        key="credits-average-hours",
        label=_("Average hours per teacher"),
        unit=_("hours"),
        compute=lambda on: _snapshot(on, lambda r: r.average),
        order=21,
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
