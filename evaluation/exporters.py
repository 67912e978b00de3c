"""Excel export of survey results: one row per question and answer value
(counts, percentages, means), from the results the worker stored."""

from decimal import Decimal

from django import forms
from django.utils.translation import gettext_lazy as _

from core.exports import Exporter, OptionsForm, registry

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
