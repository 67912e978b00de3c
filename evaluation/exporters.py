"""Excel export of survey results: one row per question and answer value
(counts, percentages, means), from the results the worker stored."""

from decimal import Decimal

from django import forms
from django.utils.translation import gettext_lazy as _

from core.exports import Exporter, OptionsForm, Sheet, registry

from .models import QuestionKind, Survey


def _number(text):
    return Decimal(text) if text not in (None, "") else None


class SurveyOption(OptionsForm):
    survey = forms.IntegerField(
        label=_("Survey id"), required=False, help_text=_("Empty: every survey in your reach.")
    )


@registry.register
class SurveyResultExporter(Exporter):
    identifier = "evaluation-results"
    name = _("Survey results")
    description = _(
        "Per question: answer counts, percentages and means of the surveys in your reach."
    )
    permission = "evaluation.view_survey"
    options_form = SurveyOption

    def surveys(self):
        qs = Survey.objects.restrict(self.user).select_related("subproject").order_by("pk")
        if self.options.get("survey"):
            qs = qs.filter(pk=self.options["survey"])
        return qs

    def headers(self):
        return [
            _("Survey"),
            _("Sub-project"),
            _("Responses"),
            _("Satisfaction (%)"),
            _("Question"),
            _("Kind"),
            _("Answer"),
            _("Count"),
            _("Percent"),
            _("Mean"),
        ]

    def rows(self):
        kinds = dict(QuestionKind.choices)
        for survey in self.surveys().iterator():
            r = survey.results or {}
            head = [
                survey.title,
                survey.subproject.name if survey.subproject else "",
                r.get("responses", 0),
                _number(r.get("satisfaction")),
            ]
            for q in r.get("questions", []):
                kind = str(kinds.get(q["kind"], q["kind"]))
                dist = q.get("distribution") or [
                    {"value": "", "count": q.get("count"), "percent": None}
                ]
                for d in dist:
                    yield head + [
                        q["text"],
                        kind,
                        d["value"],
                        d["count"],
                        _number(d["percent"]),
                        _number(q.get("mean")),
                    ]


# --- Principals' end-of-term evaluation ----------------------------------------------------


class CampaignOption(OptionsForm):
    campaign = forms.IntegerField(label=_("Campaign id"))


class PrincipalOption(OptionsForm):
    principal = forms.IntegerField(label=_("Principal id"))


def _dimension_labels():
    from .models import Dimension

    return Dimension.choices


@registry.register
class CampaignProfileExporter(Exporter):
    """The district profile (图谱) from the stored scores: a row per school
    with its principal's weighted score per dimension and the answers per
    rater group; a second sheet with each dimension's distribution."""

    identifier = "evaluation-profile"
    name = _("District profile of principals")
    description = _("Per school: the principal's scores per dimension and the answers per group.")
    permission = "evaluation.view_campaign"
    options_form = CampaignOption

    def campaign(self):
        from .models import Campaign

        return Campaign.objects.restrict(self.user).filter(pk=self.options.get("campaign")).first()

    def sheets(self):
        from . import services
        from .models import RaterGroup

        campaign = self.campaign()
        dims = _dimension_labels()
        groups = RaterGroup.choices
        appraisees = (
            campaign.appraisees.select_related("school").order_by("school__name", "pk")
            if campaign
            else []
        )
        yield Sheet(
            str(_("District profile")),
            [
                str(_("School")),
                str(_("Principal")),
                *(str(label) for _d, label in dims),
                str(_("Score")),
                *(str(_("Answers: %(group)s") % {"group": label}) for _g, label in groups),
            ],
            (
                [
                    a.school.name,
                    a.name,
                    *(_number((a.scores.get("dims") or {}).get(d)) for d, _l in dims),
                    a.score,
                    *(
                        ((a.scores.get("groups") or {}).get(g) or {}).get("n", 0)
                        for g, _l in groups
                    ),
                ]
                for a in (appraisees.iterator() if campaign else [])
            ),
        )
        distribution = services.district_profile(campaign)["distribution"] if campaign else {}
        bands = [b["band"] for b in next(iter(distribution.values()), [])]
        yield Sheet(
            str(_("Distribution per dimension")),
            [str(_("Dimension")), *bands],
            (
                [str(label), *(b["count"] for b in distribution[d])]
                for d, label in dims
                if d in distribution
            ),
        )


@registry.register
class PrincipalReportExporter(Exporter):
    """A principal's report: per rater group its weight, its answers and,
    from the minimum of answers, its score per dimension; then the weighted
    scores."""

    identifier = "evaluation-principal"
    name = _("Principal's evaluation report")
    description = _("One principal's scores per rater group and dimension.")
    permission = "evaluation.view_appraisee"
    options_form = PrincipalOption

    def appraisee(self):
        from .models import Appraisee

        return (
            Appraisee.objects.restrict(self.user)
            .select_related("campaign", "school")
            .filter(pk=self.options.get("principal"))
            .first()
        )

    def headers(self):
        return [
            _("Rater group"),
            _("Weight"),
            _("Answers"),
            *(label for _d, label in _dimension_labels()),
        ]

    def rows(self):
        from .models import RaterGroup

        a = self.appraisee()
        if a is None:
            return
        dims = [d for d, _l in _dimension_labels()]
        weight_of = dict(a.campaign.weights.values_list("group", "weight"))
        groups = (a.scores or {}).get("groups") or {}
        for g, label in RaterGroup.choices:
            item = groups.get(g) or {"n": 0, "shown": False, "dims": None}
            shown = item.get("dims") if item.get("shown") else None
            yield [
                str(label),
                weight_of.get(g),
                item.get("n", 0),
                *((_number(shown.get(d)) if shown else None) for d in dims),
            ]
        weighted = (a.scores or {}).get("dims") or {}
        yield [str(_("Weighted score")), None, None, *(_number(weighted.get(d)) for d in dims)]
        yield [str(_("Score")), None, None, a.score]
