"""Excel exports of the alliance: the results roll-up for the annual report,
the resolutions' follow-up, joint projects, paired assistance, proposals to
the bureau, guidance visits and the centers' plans. Rows come through
``restrict``."""

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from core.exports import Exporter, OptionsForm, QuerysetExporter, Sheet, registry, yes_no

from .models import (
    Achievement,
    AssistanceActivity,
    AssistancePair,
    CenterPlan,
    FollowUp,
    GuidanceVisit,
    JointProject,
    Proposal,
    TeacherDevelopmentSchool,
)
from .services import results_rollup


class YearForm(OptionsForm):
    year = forms.IntegerField(label=_("Year"), min_value=2019, max_value=2100)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["year"].initial = timezone.localdate().year
        self.fields["year"].widget.attrs["class"] = "form-control"


@registry.register
class ResultsRollupExporter(Exporter):
    identifier = "alliance-results-rollup"
    name = _("Alliance results roll-up")
    description = _("Results per member and kind for one year, with totals, for the annual report.")
    permission = "alliance.view_achievement"
    options_form = YearForm

    def sheets(self):
        year = int(self.options.get("year") or timezone.localdate().year)
        rollup = results_rollup(year=year, user=self.user)
        headers = [
            str(_("Kind")),
            *[c.short_name or c.name for c in rollup.centers],
            str(_("Total")),
        ]
        rows = [[str(label), *counts, total] for label, counts, total in rollup.rows()]
        rows.append([str(_("Total")), *rollup.center_totals(), rollup.total])
        yield Sheet(f"{year}", headers, rows, len(rows))
        detail = (
            Achievement.objects.restrict(self.user)
            .filter(year=year)
            .select_related("center")
            .order_by("center__council_member__order", "kind")
        )
        yield Sheet(
            str(_("Details")),
            [str(_("Member")), str(_("Kind")), str(_("Count")), str(_("Details"))],
            ([a.center.name, a.get_kind_display(), a.count, a.description] for a in detail),
        )


# --- Council records: resolutions, joint projects, paired assistance, proposals,
# guidance visits, center plans. A row per object, a fixed number of queries.


def _day(value):
    return value.isoformat() if value else ""


@registry.register
class FollowUpExporter(QuerysetExporter):
    identifier = "alliance-follow-ups"
    name = _("Council resolutions and their follow-up")
    description = _("Every follow-up action with its resolution, owner, due date and status.")
    permission = "alliance.view_followup"

    def headers(self):
        return [
            _("Council meeting"),
            _("Resolution number"),
            _("Resolution"),
            _("Owner center"),
            _("Action"),
            _("Due date"),
            _("Status"),
            _("Overdue"),
            _("Done on"),
            _("Progress report"),
        ]

    def queryset(self):
        return (
            FollowUp.objects.restrict(self.user)
            .select_related("resolution__meeting", "center")
            .order_by("-resolution__meeting__held_on", "resolution__number", "due_on", "id")
        )

    def row(self, f):
        return [
            str(f.resolution.meeting),
            f.resolution.number,
            f.resolution.title,
            f.center.name,
            f.action,
            _day(f.due_on),
            f.get_status_display(),
            yes_no(f.is_overdue),
            _day(f.done_on),
            f.report,
        ]


@registry.register
class JointProjectExporter(QuerysetExporter):
    identifier = "alliance-projects"
    name = _("Joint projects")
    description = _("Joint projects with their lead and partner centers, dates and status.")
    permission = "alliance.view_jointproject"

    def headers(self):
        return [
            _("Project"),
            _("Lead center"),
            _("Partner centers"),
            _("Council resolution"),
            _("Starts on"),
            _("Ends on"),
            _("Status"),
            _("Progress"),
            _("Outcome"),
        ]

    def queryset(self):
        return (
            JointProject.objects.restrict(self.user)
            .select_related("lead_center", "resolution")
            .prefetch_related("partner_centers")
            .order_by("-starts_on", "id")
        )

    def row(self, p):
        return [
            p.title,
            p.lead_center.name,
            p.partner_names,
            str(p.resolution) if p.resolution else "",
            _day(p.starts_on),
            _day(p.ends_on),
            p.get_status_display(),
            p.progress,
            p.outcome,
        ]


@registry.register
class AssistanceExporter(Exporter):
    identifier = "alliance-pairs"
    name = _("Paired assistance")
    description = _("The pairs of centers, and every activity of each pair year by year.")
    permission = "alliance.view_assistancepair"

    def sheets(self):
        pairs = (
            AssistancePair.objects.restrict(self.user)
            .select_related("helper_center", "assisted_center")
            .order_by("helper_center_id", "assisted_center_id", "id")
        )
        yield Sheet(
            str(_("Pairs")),
            [
                str(h)
                for h in (
                    _("Helping center"),
                    _("Assisted center"),
                    _("Focus of the assistance"),
                    _("Starts on"),
                    _("Ends on"),
                )
            ],
            (
                [
                    p.helper_center.name,
                    p.assisted_center.name,
                    p.focus,
                    _day(p.starts_on),
                    _day(p.ends_on),
                ]
                for p in pairs
            ),
        )
        activities = (
            AssistanceActivity.objects.restrict(self.user)
            .select_related("pair__helper_center", "pair__assisted_center")
            .order_by("pair_id", "held_on", "id")
        )
        yield Sheet(
            str(_("Activities of the pairs")),
            [
                str(h)
                for h in (
                    _("Helping center"),
                    _("Assisted center"),
                    _("Year"),
                    _("Date"),
                    _("Kind"),
                    _("Activity"),
                    _("Participants"),
                    _("Summary"),
                )
            ],
            (
                [
                    a.pair.helper_center.name,
                    a.pair.assisted_center.name,
                    a.held_on.year,
                    _day(a.held_on),
                    a.get_kind_display(),
                    a.title,
                    a.participants,
                    a.summary,
                ]
                for a in activities
            ),
        )


@registry.register
class ProposalExporter(QuerysetExporter):
    identifier = "alliance-proposals"
    name = _("Proposals to the bureau")
    description = _("Development proposals with their steps' dates and the answers.")
    permission = "alliance.view_proposal"

    def headers(self):
        return [
            _("Title"),
            _("Proposed by"),
            _("Drafting center"),
            _("Addressed to"),
            _("Status"),
            _("Submitted on"),
            _("Forwarded on"),
            _("Answered on"),
            pgettext_lazy("proposal", "Answer"),
        ]

    def queryset(self):
        return Proposal.objects.restrict(self.user).select_related("center").order_by("-id")

    def row(self, p):
        return [
            p.title,
            p.get_origin_display(),
            p.center.name,
            p.get_addressee_display(),
            p.get_status_display(),
            _day(p.submitted_on),
            _day(p.forwarded_on),
            _day(p.answered_on),
            p.answer,
        ]


@registry.register
class GuidanceExporter(QuerysetExporter):
    identifier = "alliance-guidance"
    name = _("Guidance of district centers")
    description = _("Guidance visits with their findings and the follow-up asked.")
    permission = "alliance.view_guidancevisit"

    def headers(self):
        return [
            pgettext_lazy("guidance", "Visited on"),
            _("District center visited"),
            _("Guiding center"),
            pgettext_lazy("guidance", "Joined by"),
            _("Kind"),
            _("Topic of the guidance"),
            pgettext_lazy("guidance", "Findings"),
            _("Recommendations"),
            _("Follow-up due"),
            pgettext_lazy("guidance", "Follow-up"),
            _("Follow-up report"),
            _("Follow-up done on"),
        ]

    def queryset(self):
        return (
            GuidanceVisit.objects.restrict(self.user)
            .select_related("center", "district_center")
            .prefetch_related("partner_centers")
            .order_by("-visited_on", "id")
        )

    def row(self, v):
        return [
            _day(v.visited_on),
            v.district_center.name,
            v.center.name,
            v.partner_names,
            v.get_kind_display(),
            v.topic,
            v.findings,
            v.recommendations,
            _day(v.follow_up_due),
            v.get_follow_up_status_display(),
            v.follow_up_report,
            _day(v.follow_up_done_on),
        ]


@registry.register
class CenterPlanExporter(QuerysetExporter):
    identifier = "alliance-center-plans"
    name = _("Center plans")
    description = _("The centers' five-year and annual plans, their steps and reports.")
    permission = "alliance.view_centerplan"

    def headers(self):
        return [
            _("Center"),
            _("Kind"),
            _("First year"),
            _("Last year"),
            _("Title"),
            _("Status"),
            _("Filed on"),
            _("Recorded on"),
            _("Implementation report on"),
            _("Implementation report"),
        ]

    def queryset(self):
        return (
            CenterPlan.objects.restrict(self.user)
            .select_related("center")
            .order_by("center_id", "starts_year", "kind", "id")
        )

    def row(self, p):
        return [
            p.center.name,
            p.get_kind_display(),
            p.starts_year,
            p.ends_year,
            p.title,
            p.get_status_display(),
            _day(p.filed_on),
            _day(p.approved_on),
            _day(p.summary_on),
            p.summary,
        ]


@registry.register
class DevelopmentSchoolExporter(QuerysetExporter):
    identifier = "alliance-development-schools"
    name = _("Teacher-development schools")
    description = _("Teacher-development schools with their district and guiding centers.")
    permission = "alliance.view_teacherdevelopmentschool"

    def headers(self):
        return [
            _("School"),
            _("District center building it"),
            _("Guiding member center"),
            _("Focus of the building"),
            _("Designated by (as recorded)"),
            _("In the building since"),
            _("Progress of the building"),
            _("Left the building on"),
            _("Why it left"),
        ]

    def queryset(self):
        return (
            TeacherDevelopmentSchool.objects.restrict(self.user)
            .select_related("school", "district_center", "guiding_center")
            .order_by("district_center__code", "since", "id")
        )

    def row(self, t):
        return [
            t.school.name,
            t.district_center.name,
            t.guiding_center.name,
            t.focus,
            t.designated_by,
            _day(t.since),
            t.progress,
            _day(t.ended_on),
            t.end_reason,
        ]
