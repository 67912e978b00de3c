"""The dashboards' satisfaction chart (core.charts): the satisfaction rate
of the year's closed sub-projects per training level, read from each
survey's stored results (computed by the workers), never the raw answers;
and evaluation's to-do items (待办): the open surveys a person is invited
to and has not answered."""

from decimal import Decimal

from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from core.charts import ChartPanel, Figures, Series, charts
from core.permissions import can, get_scope
from core.registry import InboxSource, registry
from core.roles import Role
from training.models import Level

from .models import Survey, SurveyKind


def satisfaction_figures(user, filters):
    """Per level: the satisfaction rate of the surveys the user sees (their
    rates weighted by responses) and the responses: one query."""
    surveys = Survey.objects.restrict(user).filter(
        kind=SurveyKind.SATISFACTION,
        subproject__project__plan__year=filters.year,
        results_at__isnull=False,
    )
    if filters.level:
        surveys = surveys.filter(subproject__project__plan__level=filters.level)
    if filters.district_id:
        surveys = surveys.filter(subproject__district_id=filters.district_id)
    weighted: dict[str, Decimal] = {}
    responses: dict[str, int] = {}
    for level, results in surveys.values_list("subproject__project__plan__level", "results"):
        rate, n = (results or {}).get("satisfaction"), (results or {}).get("responses") or 0
        if rate is None or not n:
            continue
        weighted[level] = weighted.get(level, Decimal(0)) + Decimal(rate) * n
        responses[level] = responses.get(level, 0) + n
    levels = [(v, label) for v, label in Level.choices if v in responses]
    return Figures(
        title=_("Satisfaction per training level"),
        kind="bar",
        categories=[str(label) for _v, label in levels],
        series=[
            Series(
                str(_("Satisfaction rate")),
                [(weighted[v] / responses[v]).quantize(Decimal("0.1")) for v, _l in levels],
            )
        ],
        unit="%",
        note=_("Share of 4 and 5 on the satisfaction questions of the year's surveys."),
        drill_url=reverse("evaluation:survey-list"),
    )


charts.register(
    ChartPanel(
        key="evaluation-satisfaction",
        title=_("Satisfaction"),
        figures=satisfaction_figures,
        visible=lambda user: (
            can(user, "view", Survey) and not get_scope(user).has_role(Role.TEACHER)
        ),
        dashboards=("bureau", "district", "center"),
        order=40,
    )
)


def _invitations(user):
    from .services import pending_invitations

    return pending_invitations(user)


registry.add_inbox(
    InboxSource(
        key="evaluation-surveys",
        label=_("Surveys waiting for my answer"),
        items=_invitations,
        visible=lambda user: user.is_authenticated,
        describe=lambda invitation: invitation.survey.title,
        link=lambda invitation: reverse("evaluation:answer", args=[invitation.token]),
        list_url="evaluation:mine",
        order=30,
    )
)


# --- The principals' evaluation charts (drawn on its pages, not on a dashboard) ---------


def _score(value):
    return Decimal(value) if value is not None else None


def principal_figures(appraisee):
    """A principal's radar: the weighted score per dimension and, for each
    rater group with enough answers, that group's own (a group under the
    minimum never shows, so no rater is singled out)."""
    from .models import Dimension, RaterGroup

    scores = appraisee.scores or {}
    series = [
        Series(
            str(_("Weighted score")),
            [_score((scores.get("dims") or {}).get(d)) for d in Dimension.values],
        )
    ]
    for group, label in RaterGroup.choices:
        item = (scores.get("groups") or {}).get(group) or {}
        if item.get("shown"):
            series.append(
                Series(str(label), [_score(item["dims"].get(d)) for d in Dimension.values])
            )
    return Figures(
        title=_("Scores per dimension"),
        kind="radar",
        categories=[str(label) for _v, label in Dimension.choices],
        series=series,
        unit=str(_("points (1–5)")),
        note=_("Rater groups under the campaign's minimum of answers are left out."),
        low=0,
        high=5,
    )


def profile_figures(campaign, rows):
    """The district profile's heat map: a column per school, a row per
    dimension, each cell the principal's weighted score (``rows`` of
    ``services.district_profile``)."""
    from .models import Dimension

    return Figures(
        title=_("District profile: dimension × school"),
        kind="heatmap",
        categories=[row["school_name"] for row in rows],
        series=[
            Series(str(label), [_score(row["dims"].get(d)) for row in rows])
            for d, label in Dimension.choices
        ],
        unit=str(_("points (1–5)")),
        note=_("From the stored scores; an empty cell has no rater group at the minimum."),
        low=1,
        high=5,
    )
