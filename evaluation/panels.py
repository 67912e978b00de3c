"""The dashboards' satisfaction chart (core.charts): the satisfaction rate
of the year's closed sub-projects per training level, read from each
survey's stored results (computed by the workers), never the raw answers;
and evaluation's to-do items (待办): the open surveys a person is invited
to and has not answered."""

from decimal import ROUND_HALF_UP, Decimal

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


# --- The principals' profile per district, on the bureau's and a district's dashboard ---


def _mean(value):
    if value is None:
        return None
    return Decimal(str(value)).quantize(Decimal("0.01"), ROUND_HALF_UP)


def district_profiles(user, filters):
    """Per district in the user's scope, its latest closed campaign (created
    by the end of the filter's year) and the mean of its principals' stored
    dimension scores: ``[(district name, term, principals, {dimension: mean})]``.
    Two queries whatever the number of districts, campaigns and principals;
    it reads the scores the worker stored, never the ratings."""
    from django.db.models import Avg, Count, DecimalField, Value
    from django.db.models.fields.json import KT
    from django.db.models.functions import Cast, NullIf

    from .models import Appraisee, Campaign, CampaignStatus, Dimension

    campaigns = Campaign.objects.restrict(user).filter(
        status=CampaignStatus.CLOSED, created_at__year__lte=filters.year
    )
    if filters.district_id:
        campaigns = campaigns.filter(district_id=filters.district_id)
    latest = {}
    for pk, district_id, name, term in campaigns.order_by(
        "district__order", "district__name", "district_id", "-created_at", "-id"
    ).values_list("pk", "district_id", "district__name", "term"):
        latest.setdefault(district_id, (pk, name, term))
    if not latest:
        return []
    score = DecimalField(max_digits=6, decimal_places=2)

    def dimension(d):
        # A dimension no rater group reached is stored as JSON null: SQLite's
        # text of it is 'null' (PostgreSQL's is NULL), which Avg must skip.
        return Cast(NullIf(KT(f"scores__dims__{d}"), Value("null")), score)

    means = {
        row["campaign_id"]: row
        for row in Appraisee.objects.restrict(user)
        .filter(campaign_id__in=[pk for pk, _n, _t in latest.values()])
        .values("campaign_id")
        .annotate(
            n=Count("pk"),
            **{f"dim_{d}": Avg(dimension(d)) for d in Dimension.values},
        )
        .order_by()
    }
    out = []
    for pk, name, term in latest.values():
        row = means.get(pk) or {}
        out.append(
            (name, term, row.get("n", 0), {d: _mean(row.get(f"dim_{d}")) for d in Dimension.values})
        )
    return out


def principals_profile_figures(user, filters):
    """The heat map district × dimension: each cell the mean of the district's
    principals' weighted scores in its latest closed campaign."""
    from .models import Dimension

    rows = district_profiles(user, filters)
    return Figures(
        title=_("Principals' profile per district"),
        kind="heatmap",
        categories=[f"{name}({term})" for name, term, _n, _dims in rows],
        series=[
            Series(str(label), [dims[d] for _name, _term, _n, dims in rows])
            for d, label in Dimension.choices
        ],
        unit=str(_("points (1–5)")),
        note=_(
            "Each district's latest closed end-of-term campaign: the mean of its principals' "
            "stored scores per dimension."
        ),
        drill_url=reverse("evaluation:campaign-list"),
        low=1,
        high=5,
    )


charts.register(
    ChartPanel(
        key="evaluation-principals-profile",
        title=_("Principals' profile per district"),
        figures=principals_profile_figures,
        visible=lambda user: can(user, "view", "evaluation.campaign"),
        dashboards=("bureau", "district"),
        order=45,
        width=12,
    )
)
