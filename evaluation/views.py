"""Evaluation pages: the survey list and results page (center, bureau,
district, vendor), the teacher's "my surveys" and the answer form. Thin:
every rule is in ``services``; every object comes through ``restrict``."""

import io
import uuid

import segno
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Avg, Count, Q
from django.http import Http404, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from core.generic import ScopedDetailView, ScopedListView
from core.permissions import can

from . import services
from .filtersets import SurveyFilterSet, VisitFilterSet
from .forms import (
    CampaignEditForm,
    CampaignForm,
    CheckForm,
    FindingForm,
    InterviewForm,
    LinksForm,
    ObservationForm,
    PrincipalForm,
    ReplyForm,
    VisitForm,
)
from .models import (
    Appraisee,
    Campaign,
    CampaignStatus,
    Dimension,
    Finding,
    FindingStatus,
    ProjectScore,
    QuestionKind,
    RaterGroup,
    ScoreComponent,
    Stage,
    StageCheck,
    SupervisionVisit,
    Survey,
    VisitStatus,
)
from .panels import principal_figures, profile_figures


class SurveyListView(ScopedListView):
    model = Survey
    filterset_class = SurveyFilterSet
    title = gettext_lazy("Surveys")
    template_name = "evaluation/survey_list.html"
    empty_message = gettext_lazy("No surveys match.")

    def get_base_queryset(self):
        return Survey.objects.select_related("subproject", "center").order_by("-created_at", "-id")


class SurveyDetailView(ScopedDetailView):
    model = Survey
    template_name = "evaluation/survey_detail.html"

    def get_base_queryset(self):
        return Survey.objects.select_related("subproject", "center")

    def get_context_data(self, **kwargs):
        ctx = super().get_context_data(**kwargs)
        ctx["can_change"] = can(self.request.user, "change", self.object)
        ctx["results"] = self.object.results or {}
        return ctx


@login_required
@require_POST
def survey_recompute(request, pk):
    survey = get_object_or_404(Survey.objects.restrict(request.user, "change"), pk=pk)
    services.schedule_results(survey.pk)
    messages.success(request, _("The results are being computed."))
    return redirect(survey)


@login_required
def mine(request):
    invitations = list(services.pending_invitations(request.user)[:50])
    return render(request, "evaluation/mine.html", {"invitations": invitations})


@login_required
def answer(request, token):
    try:
        invitation = services.invitation_for(token=token, by=request.user)
    except PermissionDenied as exc:
        raise Http404 from exc
    survey = invitation.survey
    sections = list(survey.sections.prefetch_related("questions"))
    errors, given = [], {}
    if invitation.used_at is not None:
        return render(request, "evaluation/answered.html", {"survey": survey}, status=200)
    if request.method == "POST":
        for section in sections:
            for q in section.questions.all():
                key = f"q{q.pk}"
                if q.kind == QuestionKind.MULTIPLE:
                    given[str(q.pk)] = request.POST.getlist(key)
                else:
                    given[str(q.pk)] = request.POST.get(key, "")
        try:
            services.answer(token=token, answers=given, by=request.user)
        except ValidationError as exc:
            errors = exc.messages
        else:
            messages.success(request, _("Thank you: your answers are recorded."))
            return redirect("evaluation:mine")
    return render(
        request,
        "evaluation/answer.html",
        {
            "survey": survey,
            "sections": sections,
            "errors": errors,
            "given": given,
            "scale": services.SCALE,
            "token": token,
        },
        status=400 if errors else 200,
    )


# --- Supervision visits (督导) ------------------------------------------------------------


class VisitListView(ScopedListView):
    model = SupervisionVisit
    filterset_class = VisitFilterSet
    title = gettext_lazy("Supervision visits")
    template_name = "evaluation/visit_list.html"
    empty_message = gettext_lazy("No supervision visits match.")

    def get_base_queryset(self):
        return (
            SupervisionVisit.objects.select_related("subproject", "subproject__vendor")
            .annotate(
                n_findings=Count("findings", distinct=True),
                n_open=Count(
                    "findings",
                    filter=~Q(findings__status=FindingStatus.RESOLVED),
                    distinct=True,
                ),
            )
            .order_by("-visited_on", "-id")
        )

    def get_context_data(self, **kwargs):
        ctx = super().get_context_data(**kwargs)
        ctx["can_add"] = can(self.request.user, "add", SupervisionVisit)
        return ctx


def _visit_subprojects(user):
    from training.models import SubProject, SubProjectStatus

    return (
        SubProject.objects.restrict(user, "view")
        .filter(status__in=[SubProjectStatus.RUNNING, SubProjectStatus.CLOSED])
        .order_by("-starts_on", "name")
    )


@login_required
def visit_add(request):
    if not can(request.user, "add", SupervisionVisit):
        raise PermissionDenied
    form = VisitForm(request.POST or None, subprojects=_visit_subprojects(request.user))
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            visit = services.record_visit(
                subproject=data["subproject"],
                by=request.user,
                visited_on=data["visited_on"],
                course_table_matches=form.course_table_matches(),
                course_table_notes=data["course_table_notes"],
                summary=data["summary"],
            )
        except (ValidationError, PermissionDenied) as exc:
            form.add_error(None, _messages(exc))
        else:
            messages.success(request, _("Visit recorded."))
            return redirect(visit)
    return render(
        request, "evaluation/visit_form.html", {"form": form, "title": _("New supervision visit")}
    )


class VisitDetailView(ScopedDetailView):
    model = SupervisionVisit
    template_name = "evaluation/visit_detail.html"

    def get_base_queryset(self):
        return SupervisionVisit.objects.select_related(
            "subproject", "subproject__vendor", "supervisor"
        )

    def get_context_data(self, **kwargs):
        ctx = super().get_context_data(**kwargs)
        user, visit = self.request.user, self.object
        findings = list(visit.findings.select_related("replied_by"))
        replyable = set(
            Finding.objects.restrict(user, "reply")
            .filter(visit=visit)
            .exclude(status=FindingStatus.RESOLVED)
            .values_list("pk", flat=True)
        )
        ctx.update(
            can_change=can(user, "change", visit) and visit.status != VisitStatus.CLOSED,
            observations=list(visit.observations.all()),
            interviews=list(visit.interviews.all()),
            findings=findings,
            replyable=replyable,
            observation_form=ObservationForm(auto_id="obs_%s"),
            interview_form=InterviewForm(auto_id="int_%s"),
            finding_form=FindingForm(auto_id="fin_%s"),
        )
        return ctx


def _messages(exc):
    if isinstance(exc, PermissionDenied):
        return _("You may not do this.")
    return " ".join(exc.messages)


def _visit(request, pk, action="change"):
    return get_object_or_404(SupervisionVisit.objects.restrict(request.user, action), pk=pk)


def _visit_step(form_class, call, done):
    @login_required
    @require_POST
    def view(request, pk):
        visit = _visit(request, pk)
        form = form_class(request.POST) if form_class else None
        if form is not None and not form.is_valid():
            for errors in form.errors.values():
                for error in errors:
                    messages.error(request, error)
            return redirect(visit)
        try:
            call(visit=visit, by=request.user, **(form.cleaned_data if form else {}))
        except (ValidationError, PermissionDenied) as exc:
            messages.error(request, _messages(exc))
        else:
            messages.success(request, done)
        return redirect(visit)

    return view


visit_observe = _visit_step(ObservationForm, services.observe, gettext_lazy("Observation added."))
visit_interview = _visit_step(InterviewForm, services.interview, gettext_lazy("Interview added."))
visit_finding = _visit_step(FindingForm, services.add_finding, gettext_lazy("Finding added."))
visit_report = _visit_step(None, services.report_visit, gettext_lazy("Sent to the vendor."))
visit_close = _visit_step(None, services.close_visit, gettext_lazy("Visit closed."))


@login_required
@require_POST
def finding_reply(request, pk):
    finding = get_object_or_404(Finding.objects.restrict(request.user, "reply"), pk=pk)
    form = ReplyForm(request.POST)
    if form.is_valid():
        try:
            services.reply(finding=finding, by=request.user, text=form.cleaned_data["text"])
        except (ValidationError, PermissionDenied) as exc:
            messages.error(request, _messages(exc))
        else:
            messages.success(request, _("Reply sent."))
    else:
        messages.error(request, _("Please write the reply."))
    return redirect(finding.visit)


@login_required
@require_POST
def finding_resolve(request, pk):
    finding = get_object_or_404(Finding.objects.restrict(request.user, "change"), pk=pk)
    try:
        services.resolve(finding=finding, by=request.user)
    except (ValidationError, PermissionDenied) as exc:
        messages.error(request, _messages(exc))
    else:
        messages.success(request, _("Finding resolved."))
    return redirect(finding.visit)


# --- Project performance ----------------------------------------------------------------


@login_required
def performance(request, subproject_pk):
    """A sub-project's stage checklists with evidence and its project score."""
    from training.models import SubProject

    if not can(request.user, "view", StageCheck):
        raise PermissionDenied
    sub = get_object_or_404(
        SubProject.objects.restrict(request.user).select_related("vendor"), pk=subproject_pk
    )
    checks = list(
        StageCheck.objects.restrict(request.user)
        .filter(subproject=sub)
        .select_related("checked_by")
    )
    changeable = set(
        StageCheck.objects.restrict(request.user, "change")
        .filter(subproject=sub)
        .values_list("pk", flat=True)
    )
    stages = [
        (value, label, [c for c in checks if c.stage == value]) for value, label in Stage.choices
    ]
    score = ProjectScore.objects.restrict(request.user).filter(subproject=sub).first()
    components = []
    if score is not None:
        weight_of = services.weights()
        components = [
            (label, score.components.get(value), weight_of.get(value))
            for value, label in ScoreComponent.choices
        ]
    return render(
        request,
        "evaluation/performance.html",
        {
            "subproject": sub,
            "stages": stages,
            "changeable": changeable,
            "can_start": can(request.user, "add", StageCheck) and not checks,
            "score": score,
            "components": components,
            "check_form": CheckForm(),
        },
    )


@login_required
@require_POST
def performance_start(request, subproject_pk):
    from training.models import SubProject

    sub = get_object_or_404(SubProject.objects.restrict(request.user), pk=subproject_pk)
    try:
        services.start_checklist(subproject=sub, by=request.user)
    except (ValidationError, PermissionDenied) as exc:
        messages.error(request, _messages(exc))
    return redirect("evaluation:performance", subproject_pk=sub.pk)


@login_required
@require_POST
def check_item(request, pk):
    check = get_object_or_404(StageCheck.objects.restrict(request.user, "change"), pk=pk)
    form = CheckForm(request.POST)
    if form.is_valid():
        try:
            services.check_item(check=check, by=request.user, **form.cleaned_data)
        except ValidationError as exc:
            messages.error(request, _messages(exc))
        else:
            messages.success(request, _("Saved."))
    return redirect("evaluation:performance", subproject_pk=check.subproject_id)


@login_required
def vendor_records(request):
    """Each vendor's record: the average project score of its sub-projects in reach."""
    if not can(request.user, "view", ProjectScore):
        raise PermissionDenied
    rows = (
        ProjectScore.objects.restrict(request.user)
        .filter(score__isnull=False, vendor__isnull=False)
        .values("vendor_id", "vendor__name")
        .annotate(projects=Count("pk"), average=Avg("score"))
        .order_by("-average", "vendor__name")
    )
    return render(request, "evaluation/vendor_records.html", {"rows": list(rows[:200])})


# --- Principals' end-of-term evaluation -------------------------------------------------


class CampaignListView(ScopedListView):
    model = Campaign
    title = gettext_lazy("Principals' end-of-term evaluation")
    template_name = "evaluation/campaign_list.html"
    empty_message = gettext_lazy("No campaigns yet.")

    def get_base_queryset(self):
        return (
            Campaign.objects.select_related("district")
            .annotate(n_principals=Count("appraisees"))
            .order_by("-created_at", "-id")
        )

    def get_context_data(self, **kwargs):
        ctx = super().get_context_data(**kwargs)
        ctx["can_add"] = can(self.request.user, "add", Campaign)
        return ctx


@login_required
def campaign_add(request):
    """A district's staff start their district's campaign; the bureau any
    district's (the service refuses a district out of scope)."""
    from centers.models import District

    if not can(request.user, "add", Campaign):
        raise PermissionDenied
    districts = District.objects.restrict(request.user, "view").order_by("order", "name")
    form = CampaignForm(request.POST or None, districts=districts)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            campaign = services.start_campaign(
                district=data["district"],
                term=data["term"],
                title=data["title"],
                min_answers=data["min_answers"],
                by=request.user,
            )
        except (ValidationError, PermissionDenied) as exc:
            form.add_error(None, _messages(exc))
        else:
            messages.success(request, _("Campaign started."))
            return redirect(campaign)
    return render(
        request,
        "evaluation/campaign_form.html",
        {"form": form, "title": _("New principal evaluation campaign")},
    )


def _principal_candidates(user, campaign):
    """The district's principals and kindergarten directors not in the
    campaign yet; all its teachers when it records no principal."""
    from centers.models import Teacher, TeacherRole

    teachers = (
        Teacher.objects.restrict(user, "view")
        .filter(district=campaign.district_id)
        .exclude(school__in=campaign.appraisees.values("school"))
        .select_related("school")
        .order_by("school__name", "name", "pk")
    )
    heads = teachers.filter(role__in=[TeacherRole.PRINCIPAL, TeacherRole.KINDERGARTEN_DIRECTOR])
    return heads if heads.exists() else teachers


def _link_widgets() -> dict:
    """The links form's two fields rendered once, ``__pk__`` in their ids
    (each principal's form puts its own id in: two renders, not two per principal)."""
    form = LinksForm(auto_id="links__pk___%s")
    return {name: str(form[name]) for name in ("group", "count")}


class CampaignDetailView(ScopedDetailView):
    """The campaign's progress and the district profile (图谱): a row per
    school with its dimension scores (the heat map) and each dimension's
    distribution, all from the stored scores."""

    model = Campaign
    template_name = "evaluation/campaign_detail.html"

    def get_base_queryset(self):
        return Campaign.objects.select_related("district")

    def get_context_data(self, **kwargs):
        ctx = super().get_context_data(**kwargs)
        user = self.request.user
        can_change = can(user, "change", self.object)
        profile, page, rows = services.profile_page(self.object, self.request.GET.get("page"))
        appraisees = services.link_counts(rows)
        dims = [value for value, _label in profile["dimensions"]]
        link_form = LinksForm(auto_id="links__pk___%s")
        ctx.update(
            profile=profile,
            page_obj=page,
            table=[(a, [(a.scores.get("dims") or {}).get(d) for d in dims]) for a in rows],
            distribution=[
                (label, profile["distribution"][value]) for value, label in profile["dimensions"]
            ],
            can_change=can_change,
            heatmap=profile_figures(self.object, profile["rows"]),
            appraisees=appraisees,
            groups=RaterGroup.choices,
            principal_form=PrincipalForm(teachers=_principal_candidates(user, self.object))
            if can_change
            else None,
            link_forms=[(a, link_form) for a, _c in appraisees] if can_change else [],
            link_widgets=_link_widgets() if can_change else None,
            # The links forms' idempotency key: new at each render (+ the principal's id).
            issue_key=uuid.uuid4().hex if can_change else None,
        )
        return ctx


class AppraiseeDetailView(ScopedDetailView):
    """A principal's report: the radar of their scores per dimension, the
    table per rater group (a group under the minimum shows only its count)."""

    model = Appraisee
    template_name = "evaluation/appraisee_detail.html"

    def get_base_queryset(self):
        return Appraisee.objects.select_related("campaign", "campaign__district", "school")

    def get_context_data(self, **kwargs):
        ctx = super().get_context_data(**kwargs)
        a = self.object
        groups = (a.scores or {}).get("groups") or {}
        weight_of = dict(a.campaign.weights.values_list("group", "weight"))
        ctx.update(
            campaign=a.campaign,
            radar=principal_figures(a),
            dimensions=Dimension.choices,
            groups=[
                (
                    label,
                    weight_of.get(g),
                    groups.get(g) or {"n": 0, "shown": False, "dims": None},
                    [((groups.get(g) or {}).get("dims") or {}).get(d) for d in Dimension.values],
                )
                for g, label in RaterGroup.choices
            ],
            weighted=[((a.scores or {}).get("dims") or {}).get(d) for d in Dimension.values],
        )
        return ctx


def _campaign(request, pk, action="change"):
    return get_object_or_404(Campaign.objects.restrict(request.user, action), pk=pk)


@login_required
@require_POST
def campaign_recompute(request, pk):
    campaign = _campaign(request, pk)
    try:
        services.start_computation(campaign=campaign, by=request.user)
    except PermissionDenied as exc:
        messages.error(request, _messages(exc))
    else:
        messages.success(request, _("The scores are being computed."))
    return redirect(campaign)


@login_required
@require_POST
def campaign_status(request, pk, status):
    """Open a campaign being prepared (its questionnaire and weights then
    freeze), close an open one, open a closed one again."""
    campaign = _campaign(request, pk)
    if status not in (CampaignStatus.OPEN, CampaignStatus.CLOSED):
        raise Http404
    try:
        services.set_campaign_status(campaign=campaign, status=status, by=request.user)
    except (ValidationError, PermissionDenied) as exc:
        messages.error(request, _messages(exc))
        return redirect(campaign)
    if status == CampaignStatus.OPEN:
        done = _("The campaign is open: raters may answer; its questionnaire is frozen.")
    else:
        done = _("The campaign is closed; its final scores are being computed.")
    messages.success(request, done)
    return redirect(campaign)


@login_required
def campaign_edit(request, pk):
    """The questionnaire's items and the rater-group weights, editable by
    the campaign's owner until it opens; afterwards shown, frozen."""
    if not can(request.user, "view", Campaign):
        raise PermissionDenied
    campaign = get_object_or_404(
        Campaign.objects.restrict(request.user, "view").select_related("district"), pk=pk
    )
    may_edit = campaign.editable and can(request.user, "change", campaign)
    items = list(campaign.items.order_by("order", "pk"))
    weights = dict(campaign.weights.values_list("group", "weight"))
    form = CampaignEditForm(
        request.POST if request.method == "POST" else None, items=items, weights=weights
    )
    if request.method == "POST":
        if not may_edit:
            raise PermissionDenied
        if form.is_valid():
            try:
                services.edit_campaign(
                    campaign=campaign,
                    weights=form.weights(),
                    texts=form.texts(),
                    by=request.user,
                )
            except (ValidationError, PermissionDenied) as exc:
                form.add_error(None, _messages(exc))
            else:
                messages.success(request, _("The questionnaire and the weights are saved."))
                return redirect(campaign)
    return render(
        request,
        "evaluation/campaign_edit.html",
        {
            "campaign": campaign,
            "form": form,
            "may_edit": may_edit,
            "total": sum(weights.values()),
            "title": _("Questionnaire and weights"),
        },
    )


@login_required
def campaign_progress(request, pk):
    """The computation's progress, read by the campaign page while it runs."""
    campaign = _campaign(request, pk, "view")
    return JsonResponse(
        {
            "progress": campaign.progress,
            "status": "done" if campaign.progress >= 100 else "running",
        }
    )


@login_required
@require_POST
def campaign_principal_add(request, pk):
    campaign = _campaign(request, pk)
    form = PrincipalForm(request.POST, teachers=_principal_candidates(request.user, campaign))
    if not form.is_valid():
        for errors in form.errors.values():
            for error in errors:
                messages.error(request, error)
        return redirect(campaign)
    teacher = form.cleaned_data["teacher"]
    try:
        services.add_principal(
            campaign=campaign, school=teacher.school, name=teacher.name, by=request.user
        )
    except (ValidationError, PermissionDenied) as exc:
        messages.error(request, _messages(exc))
    else:
        messages.success(request, _("Principal added."))
    return redirect(campaign)


def _appraisee(request, pk, action="change"):
    return get_object_or_404(
        Appraisee.objects.restrict(request.user, action).select_related(
            "campaign", "campaign__district", "school"
        ),
        pk=pk,
    )


@login_required
@require_POST
def appraisee_links(request, pk):
    appraisee = _appraisee(request, pk)
    form = LinksForm(request.POST)
    if not form.is_valid():
        for errors in form.errors.values():
            for error in errors:
                messages.error(request, error)
        return redirect(appraisee.campaign)
    group = form.cleaned_data["group"]
    try:
        answer = services.issue_links_once(
            appraisee=appraisee,
            group=group,
            count=form.cleaned_data["count"],
            by=request.user,
            key=form.cleaned_data["key"],
            url_of=request.build_absolute_uri,
        )
    except (ValidationError, PermissionDenied) as exc:
        messages.error(request, _messages(exc))
        return redirect(appraisee.campaign)
    if answer.status != 201:
        messages.error(request, _("This form was already sent with other values: reload the page."))
        return redirect(appraisee.campaign)
    if answer.replayed:
        messages.info(
            request, _("These links were issued already; the sheet shows the ones still unused.")
        )
    else:
        messages.success(request, _("Links issued."))
    return redirect("evaluation:appraisee-qr", pk=appraisee.pk, group=group)


def qr_svg(text) -> str:
    """A QR code of ``text`` as inline SVG, drawn here (segno), no service."""
    out = io.BytesIO()
    segno.make(text, error="m").save(
        out, kind="svg", scale=4, border=2, xmldecl=False, omitsize=True
    )
    return out.getvalue().decode()


@login_required
def appraisee_qr(request, pk, group):
    """The printable sheet of one rater group's unused one-time links, each
    as a QR code (cut and hand out one per rater)."""
    appraisee = _appraisee(request, pk)
    if group not in RaterGroup.values:
        raise Http404
    codes = []
    for link in services.unused_links(appraisee, group):
        url = request.build_absolute_uri(reverse("evaluation:rate", args=[link.token]))
        codes.append((url, mark_safe(qr_svg(url))))  # noqa: S308 - segno's own SVG
    return render(
        request,
        "evaluation/qr_sheet.html",
        {
            "appraisee": appraisee,
            "campaign": appraisee.campaign,
            "group_label": RaterGroup(group).label,
            "codes": codes,
        },
    )


def rate(request, token):
    """A rater's one-time anonymous page (opened from a QR code; no account)."""
    try:
        link = services.rater_token(token)
    except PermissionDenied as exc:
        raise Http404 from exc
    # ``done``: this request recorded the answer; ``used``: the link was used
    # before (a second try, from a reopened or a stale page, is refused).
    errors, done, used = [], False, link.used_at is not None
    if request.method == "POST" and not used:
        try:
            services.rate(
                token=token,
                answers={
                    i.pk: request.POST.get(f"item-{i.pk}")
                    for i in link.appraisee.campaign.items.all()
                },
            )
        except ValidationError as exc:
            used = getattr(exc, "code", None) == "used"
            errors = [] if used else exc.messages
        else:
            done = True
    return render(
        request,
        "evaluation/rate.html",
        {
            "link": link,
            "questionnaire": services.questionnaire(link.appraisee.campaign),
            "scale": services.SCALE,
            "given": {k[5:]: v for k, v in request.POST.items() if k.startswith("item-")},
            "errors": errors,
            "done": done,
            "used": used,
        },
        status=400 if errors else 409 if used and request.method == "POST" else 200,
    )
