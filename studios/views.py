"""The studio pages. Every one goes through ``core.generic`` or ``restrict``
(403 without the right, 404 outside the scope); the work is done by
``services``. What a studio page offers follows the studio-level actions of
``permissions.py`` (record, manage, evaluate, decide)."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.db.models import Count, Prefetch, Q
from django.http import HttpResponseRedirect
from django.shortcuts import get_object_or_404, redirect
from django.utils import timezone
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _
from django.views import View
from django.views.generic import FormView, TemplateView

from core.files import private_file_response
from core.forms import add_errors
from core.generic import ScopedCreateView, ScopedDetailView, ScopedListView, ScopedMixin
from core.generic import ScopedUpdateView as _ScopedUpdateView
from core.permissions import can

from . import services
from .filtersets import ActivityFilterSet, SelectionRoundFilterSet, StudioFilterSet
from .forms import (
    ActivityForm,
    ApplicationForm,
    EvaluationStartForm,
    NoteForm,
    OutputForm,
    PairForm,
    PersonForm,
    PlanForm,
    RoundForm,
    ScoreForm,
    StudioForm,
    TaskForm,
)
from .models import (
    Activity,
    Application,
    Evaluation,
    EvaluationKind,
    MentoringPair,
    Output,
    PersonRole,
    Plan,
    SelectionRound,
    Studio,
    StudioPerson,
    StudioTask,
)
from .permissions import DECIDE, EVALUATE, MANAGE, RECORD, REVIEW, host_teacher


def studio_for(user, pk, action="view"):
    """The studio ``pk`` if the user may do ``action`` on it (404 otherwise)."""
    return get_object_or_404(Studio.objects.restrict(user, action), pk=pk)


def may(user, action, studio) -> bool:
    return Studio.objects.restrict(user, action).filter(pk=studio.pk).exists()


def _year(request):
    try:
        return int(request.GET.get("year") or timezone.localdate().year)
    except ValueError:
        return timezone.localdate().year


# --- Lists ---------------------------------------------------------------------


class StudioListView(ScopedListView):
    """The managing center's (or the bureau's) studios, with this year's
    mentoring count against the rule (short ones highlighted) and the latest
    annual evaluation."""

    model = Studio
    filterset_class = StudioFilterSet
    template_name = "studios/studio_list.html"
    title = _("Studios")
    create_url_name = "studios:add"
    empty_message = _("No studios in your scope yet.")

    def get_base_queryset(self):
        return Studio.objects.select_related("managing_center")

    def get_context_data(self, **kwargs):
        ctx = super().get_context_data(**kwargs)
        ctx["year"] = _year(self.request)
        ctx["object_list"] = services.studio_rows(ctx["object_list"], ctx["year"])
        ctx["short_count"] = sum(1 for s in ctx["object_list"] if s.mentoring.short)
        return ctx


class ActivityListView(ScopedListView):
    model = Activity
    filterset_class = ActivityFilterSet
    template_name = "studios/activity_list.html"
    title = _("Studio activities")
    empty_message = _("No activities recorded yet.")

    def get_base_queryset(self):
        return (
            Activity.objects.select_related("studio")
            .annotate(present=Count("attendance", filter=Q(attendance__attended=True)))
            .order_by("-held_on", "-id")
        )


class RoundListView(ScopedListView):
    model = SelectionRound
    filterset_class = SelectionRoundFilterSet
    template_name = "studios/round_list.html"
    title = _("Selection rounds")
    empty_message = _("No selection rounds yet.")

    def get_base_queryset(self):
        return (
            SelectionRound.objects.select_related("studio")
            .annotate(applied=Count("applications"))
            .order_by("-year", "studio_id", "role", "id")
        )


# --- The studio page -----------------------------------------------------------


class StudioDetailView(ScopedDetailView):
    model = Studio
    template_name = "studios/studio_detail.html"

    def get_base_queryset(self):
        return Studio.objects.select_related("managing_center")

    def get_context_data(self, **kwargs):
        ctx = super().get_context_data(**kwargs)
        studio, user = self.object, self.request.user
        year = _year(self.request)
        people = list(
            StudioPerson.objects.restrict(user)
            .filter(studio=studio)
            .select_related("teacher__school")
            .order_by("ends_on", "role", "starts_on")
        )
        pairs = list(
            MentoringPair.objects.restrict(user)
            .filter(studio=studio)
            .select_related("mentor", "mentee")
            .order_by("-year", "id")
        )
        rule = services.rule_for(studio)
        years = sorted({p.year for p in pairs} | {year}, reverse=True)
        ctx.update(
            year=year,
            people=people,
            current_people=[p for p in people if p.is_current()],
            former_people=[p for p in people if not p.is_current()],
            plans=Plan.objects.restrict(user)
            .filter(studio=studio)
            .select_related("person__teacher"),
            tasks=StudioTask.objects.restrict(user).filter(studio=studio),
            activities=Activity.objects.restrict(user)
            .filter(studio=studio)
            .annotate(present=Count("attendance", filter=Q(attendance__attended=True)))[:20],
            outputs=Output.objects.restrict(user).filter(studio=studio),
            pairs=pairs,
            mentoring_years=[
                (
                    y,
                    services.MentoringStatus(
                        y, len({p.mentee_id for p in pairs if p.year == y}), rule.min_mentees
                    ),
                )
                for y in years
            ],
            rule=rule,
            hours_total=services.studio_hours(studio),
            hours_by_teacher=services.hours_by_teacher(studio)[:30],
            evaluations=Evaluation.objects.restrict(user).filter(studio=studio),
            rounds=SelectionRound.objects.restrict(user).filter(studio=studio),
            failures=list(services.host_failures(host.teacher))
            if (
                host := next(
                    (p for p in people if p.role == PersonRole.HOST and p.is_current()), None
                )
            )
            else [],
            host=host,
            can_record=may(user, RECORD, studio),
            can_manage=may(user, MANAGE, studio),
            can_evaluate=may(user, EVALUATE, studio),
            can_decide=may(user, DECIDE, studio),
            can_edit=may(user, "change", studio),
        )
        return ctx


class WorkspaceView(ScopedMixin, TemplateView):
    """The host's workspace: their studio, this year's mentoring against the
    rule, the latest activities and what to do next."""

    model = Studio
    template_name = "studios/workspace.html"

    def get_context_data(self, **kwargs):
        ctx = super().get_context_data(**kwargs)
        user = self.request.user
        studios = services.studio_rows(
            Studio.objects.restrict(user, RECORD).select_related("managing_center")
        )
        ctx["studios"] = studios
        ctx["recent"] = (
            Activity.objects.restrict(user)
            .filter(studio__in=[s.pk for s in studios])
            .select_related("studio")
            .annotate(present=Count("attendance", filter=Q(attendance__attended=True)))[:10]
        )
        ctx["drafts"] = Plan.objects.restrict(user).filter(
            studio__in=[s.pk for s in studios], status="draft"
        )
        ctx["teacher"] = host_teacher(user)
        return ctx


# --- Studio records --------------------------------------------------------------


class StudioCreateView(ScopedCreateView):
    model = Studio
    form_class = StudioForm
    template_name = "studios/form.html"

    def form_valid(self, form):
        try:
            self.object = services.save_studio(studio=form.instance, by=self.request.user)
        except ValidationError as exc:
            add_errors(form, exc)
            return self.form_invalid(form)
        messages.success(self.request, self.success_message)
        return HttpResponseRedirect(self.object.get_absolute_url())


class StudioUpdateView(StudioCreateView, _ScopedUpdateView):
    action = "change"


class StudioChildFormView(ScopedMixin, FormView):
    """A form that adds something to one studio the user may ``action``."""

    template_name = "studios/form.html"
    studio_action = RECORD
    title = ""

    def get_studio(self):
        if getattr(self, "studio", None) is None:
            self.studio = studio_for(self.request.user, self.kwargs["pk"], self.studio_action)
        return self.studio

    def get_context_data(self, **kwargs):
        ctx = super().get_context_data(**kwargs)
        ctx["studio"] = self.get_studio()
        ctx["title"] = self.title
        return ctx

    def done(self, form):
        raise NotImplementedError

    def form_valid(self, form):
        try:
            self.done(form)
        except ValidationError as exc:
            add_errors(form, exc)
            return self.form_invalid(form)
        messages.success(self.request, gettext("Saved."))
        return redirect(self.success_url_for())

    def success_url_for(self):
        return self.get_studio().get_absolute_url()


class PersonAddView(StudioChildFormView):
    model = StudioPerson
    action = "add"
    studio_action = MANAGE
    form_class = PersonForm
    title = _("Add a person to the studio")

    def get_initial(self):
        return {"starts_on": timezone.localdate(), "role": PersonRole.MEMBER}

    def done(self, form):
        services.add_person(studio=self.get_studio(), by=self.request.user, **form.cleaned_data)


class PersonEndView(ScopedMixin, View):
    model = StudioPerson
    action = "change"

    def post(self, request, pk):
        person = get_object_or_404(StudioPerson.objects.restrict(request.user, "change"), pk=pk)
        studio_for(request.user, person.studio_id, MANAGE)
        try:
            services.end_person(person=person, by=request.user)
        except ValidationError as exc:
            messages.error(request, " ".join(exc.messages))
        else:
            messages.success(
                request, gettext("%(name)s has left the studio.") % {"name": person.teacher}
            )
        return redirect(person.studio.get_absolute_url())


class ActivityFormMixin:
    form_class = ActivityForm
    template_name = "studios/activity_form.html"


class ActivityCreateView(ActivityFormMixin, StudioChildFormView):
    model = Activity
    action = "add"
    title = _("Record an activity")

    def get_form_kwargs(self):
        kwargs = super().get_form_kwargs()
        kwargs["people"] = services.people_on(self.get_studio())
        return kwargs

    def get_initial(self):
        return {"held_on": timezone.localdate()}

    def done(self, form):
        self.object = services.record_activity(
            studio=self.get_studio(),
            fields=form.activity_fields(),
            attended=list(form.cleaned_data["attended"]),
            by=self.request.user,
        )

    def success_url_for(self):
        return self.object.get_absolute_url()


class ActivityUpdateView(ActivityFormMixin, ScopedMixin, FormView):
    model = Activity
    action = "change"

    def get_object(self):
        if not hasattr(self, "object"):
            self.object = get_object_or_404(
                Activity.objects.restrict(self.request.user, "change").select_related("studio"),
                pk=self.kwargs["pk"],
            )
            studio_for(self.request.user, self.object.studio_id, RECORD)
        return self.object

    def get_form_kwargs(self):
        kwargs = super().get_form_kwargs()
        activity = self.get_object()
        kwargs["instance"] = activity
        kwargs["people"] = services.attendance_people(activity)
        return kwargs

    def get_context_data(self, **kwargs):
        ctx = super().get_context_data(**kwargs)
        ctx["studio"] = self.get_object().studio
        ctx["title"] = _("Change the activity")
        return ctx

    def form_valid(self, form):
        activity = self.get_object()
        try:
            services.record_activity(
                studio=activity.studio,
                fields=form.activity_fields(),
                attended=list(form.cleaned_data["attended"]),
                by=self.request.user,
                activity=Activity.objects.restrict(self.request.user, "change").get(pk=activity.pk),
            )
        except ValidationError as exc:
            add_errors(form, exc)
            return self.form_invalid(form)
        messages.success(self.request, gettext("Saved."))
        return redirect(activity.get_absolute_url())


class ActivityDetailView(ScopedDetailView):
    model = Activity
    template_name = "studios/activity_detail.html"

    def get_base_queryset(self):
        return Activity.objects.select_related("studio", "recorded_by").prefetch_related(
            Prefetch("attendance", queryset=self._attendance())
        )

    @staticmethod
    def _attendance():
        from .models import Attendance

        return Attendance.objects.select_related("teacher__school").order_by(
            "-attended", "teacher__name"
        )

    def get_context_data(self, **kwargs):
        ctx = super().get_context_data(**kwargs)
        ctx["can_change"] = may(self.request.user, RECORD, self.object.studio) and can(
            self.request.user, "change", Activity
        )
        return ctx


class PairCreateView(StudioChildFormView):
    model = MentoringPair
    action = "add"
    form_class = PairForm
    title = _("Add a mentoring pair")

    def get_form_kwargs(self):
        kwargs = super().get_form_kwargs()
        kwargs["mentors"] = [
            p.teacher
            for p in services.people_on(
                self.get_studio(), roles=[PersonRole.HOST, PersonRole.MEMBER]
            )
        ]
        return kwargs

    def get_initial(self):
        return {"year": timezone.localdate().year}

    def done(self, form):
        services.add_pair(studio=self.get_studio(), by=self.request.user, **form.cleaned_data)


class PairCompleteView(ScopedMixin, View):
    model = MentoringPair
    action = "change"

    def post(self, request, pk):
        pair = get_object_or_404(
            MentoringPair.objects.restrict(request.user, "change").select_related(
                "studio", "mentor", "mentee"
            ),
            pk=pk,
        )
        studio_for(request.user, pair.studio_id, RECORD)
        try:
            services.complete_pair(pair=pair, by=request.user)
        except ValidationError as exc:
            messages.error(request, " ".join(exc.messages))
        else:
            messages.success(
                request, gettext("Mentoring completed: hours posted to both teachers.")
            )
        return redirect(pair.studio.get_absolute_url())


class OutputCreateView(StudioChildFormView):
    model = Output
    action = "add"
    form_class = OutputForm
    title = _("Add an output")

    def get_initial(self):
        return {"year": timezone.localdate().year}

    def done(self, form):
        form.instance.studio = self.get_studio()
        form.save()


class TaskCreateView(StudioChildFormView):
    model = StudioTask
    action = "add"
    studio_action = MANAGE
    form_class = TaskForm
    title = _("Give the studio a task")

    def get_initial(self):
        return {"year": timezone.localdate().year}

    def done(self, form):
        form.instance.studio = self.get_studio()
        form.save()


class PlanCreateView(StudioChildFormView):
    model = Plan
    action = "add"
    form_class = PlanForm
    title = _("Draft a plan")

    def get_form_kwargs(self):
        kwargs = super().get_form_kwargs()
        kwargs["studio"] = self.get_studio()
        return kwargs

    def done(self, form):
        form.instance.studio = self.get_studio()
        form.instance.full_clean()
        form.save()


class PlanUpdateView(ScopedMixin, FormView):
    model = Plan
    action = "change"
    form_class = PlanForm
    template_name = "studios/form.html"

    def get_plan(self):
        if not hasattr(self, "plan"):
            self.plan = get_object_or_404(
                Plan.objects.restrict(self.request.user, "change").select_related("studio"),
                pk=self.kwargs["pk"],
            )
            studio_for(self.request.user, self.plan.studio_id, RECORD)
        return self.plan

    def get_form_kwargs(self):
        kwargs = super().get_form_kwargs()
        kwargs["instance"] = self.get_plan()
        kwargs["studio"] = self.get_plan().studio
        return kwargs

    def get_context_data(self, **kwargs):
        ctx = super().get_context_data(**kwargs)
        ctx["studio"] = self.get_plan().studio
        ctx["title"] = _("Change the plan")
        return ctx

    def form_valid(self, form):
        if not self.get_plan().is_editable:
            form.add_error(None, gettext("Only a draft can be changed."))
            return self.form_invalid(form)
        try:
            form.instance.full_clean()
        except ValidationError as exc:
            add_errors(form, exc)
            return self.form_invalid(form)
        form.save()
        messages.success(self.request, gettext("Saved."))
        return redirect(self.get_plan().studio.get_absolute_url())


PLAN_STEPS = {
    # step: (service, the studio action it needs)
    "submit": (lambda plan, by, note: services.submit_plan(plan=plan, by=by), RECORD),
    "approve": (lambda plan, by, note: services.approve_plan(plan=plan, by=by), MANAGE),
    "return": (lambda plan, by, note: services.return_plan(plan=plan, note=note, by=by), MANAGE),
}


class PlanStepView(ScopedMixin, View):
    model = Plan
    action = "change"

    def post(self, request, pk, step):
        plan = get_object_or_404(Plan.objects.restrict(request.user, "change"), pk=pk)
        if step not in PLAN_STEPS:
            return redirect(plan.studio.get_absolute_url())
        run, studio_action = PLAN_STEPS[step]
        studio_for(request.user, plan.studio_id, studio_action)
        form = NoteForm(request.POST)
        form.is_valid()
        try:
            run(plan, request.user, form.cleaned_data.get("note", ""))
        except ValidationError as exc:
            messages.error(request, " ".join(exc.messages))
        else:
            messages.success(
                request, gettext("Done: %(status)s.") % {"status": plan.get_status_display()}
            )
        return redirect(plan.studio.get_absolute_url())


# --- Selection -------------------------------------------------------------------


class RoundCreateView(StudioChildFormView):
    model = SelectionRound
    action = "add"
    studio_action = MANAGE
    form_class = RoundForm
    title = _("Open a selection round")

    def get_initial(self):
        return {"year": timezone.localdate().year}

    def done(self, form):
        form.instance.studio = self.get_studio()
        form.save()
        self.object = form.instance

    def success_url_for(self):
        return self.object.get_absolute_url()


class RoundDetailView(ScopedDetailView):
    model = SelectionRound
    template_name = "studios/round_detail.html"

    def get_base_queryset(self):
        return SelectionRound.objects.select_related("studio")

    def get_context_data(self, **kwargs):
        ctx = super().get_context_data(**kwargs)
        user, round = self.request.user, self.object
        ctx["applications"] = (
            Application.objects.restrict(user)
            .filter(round=round)
            .select_related("teacher__school")
            .prefetch_related("documents")
        )
        ctx["can_manage"] = may(user, MANAGE, round.studio)
        ctx["can_review"] = may(user, REVIEW, round.studio)
        ctx["can_decide"] = may(user, DECIDE, round.studio)
        ctx["can_apply"] = can(user, "add", Application) and round.status == "open"
        ctx["form"] = ApplicationForm()
        ctx["note_form"] = NoteForm()
        return ctx


class ApplyView(ScopedMixin, View):
    """An application with one document: a teacher for themselves, or the
    managing center for a teacher who applied on paper."""

    model = Application
    action = "add"

    def post(self, request, pk):
        round = get_object_or_404(SelectionRound.objects.restrict(request.user), pk=pk)
        form = ApplicationForm(request.POST, request.FILES)
        if not form.is_valid():
            messages.error(request, " ".join(e for errs in form.errors.values() for e in errs))
            return redirect(round.get_absolute_url())
        teacher = form.cleaned_data["teacher"]
        own = host_teacher(request.user)
        if not may(request.user, MANAGE, round.studio):
            teacher = own  # a teacher applies only for themselves
        if teacher is None:
            messages.error(request, gettext("Name the teacher who applies."))
            return redirect(round.get_absolute_url())
        upload = form.cleaned_data.get("document")
        documents = (
            [(form.cleaned_data.get("document_name") or upload.name, upload)] if upload else []
        )
        try:
            services.submit_application(
                round=round,
                teacher=teacher,
                statement=form.cleaned_data.get("statement", ""),
                documents=documents,
                by=request.user,
            )
        except ValidationError as exc:
            messages.error(request, " ".join(exc.messages))
        else:
            messages.success(request, gettext("Application submitted."))
        return redirect(round.get_absolute_url())


class RoundStepView(ScopedMixin, View):
    model = SelectionRound
    action = "change"

    def post(self, request, pk, step):
        round = get_object_or_404(SelectionRound.objects.restrict(request.user, "change"), pk=pk)
        try:
            if step == "close":
                studio_for(request.user, round.studio_id, MANAGE)
                services.close_round(round=round, by=request.user)
            elif step == "publish":
                studio_for(request.user, round.studio_id, DECIDE)
                services.publish_round(round=round, by=request.user)
        except ValidationError as exc:
            messages.error(request, " ".join(exc.messages))
        else:
            messages.success(
                request, gettext("Done: %(status)s.") % {"status": round.get_status_display()}
            )
        return redirect(round.get_absolute_url())


class ApplicationStepView(ScopedMixin, View):
    model = Application
    action = "change"

    def post(self, request, pk, step):
        application = get_object_or_404(
            Application.objects.restrict(request.user, "change").select_related("round__studio"),
            pk=pk,
        )
        studio = application.round.studio
        form = NoteForm(request.POST)
        form.is_valid()
        note = form.cleaned_data.get("note", "")
        yes = request.POST.get("answer") == "yes"
        try:
            if step == "review":
                studio_for(request.user, studio.pk, REVIEW)
                services.review_application(
                    application=application, recommend=yes, note=note, by=request.user
                )
            elif step == "decide":
                studio_for(request.user, studio.pk, DECIDE)
                services.decide_application(
                    application=application, approve=yes, note=note, by=request.user
                )
        except ValidationError as exc:
            messages.error(request, " ".join(exc.messages))
        else:
            messages.success(
                request, gettext("Done: %(status)s.") % {"status": application.get_status_display()}
            )
        return redirect(application.round.get_absolute_url())


# --- Evaluation --------------------------------------------------------------------


class EvaluationStartView(ScopedMixin, View):
    model = Evaluation
    action = "add"

    def post(self, request, pk, kind):
        studio = studio_for(request.user, pk, EVALUATE if kind == EvaluationKind.ANNUAL else DECIDE)
        form = EvaluationStartForm(request.POST)
        form.is_valid()
        try:
            evaluation = services.start_evaluation(
                studio=studio, kind=kind, year=form.cleaned_data.get("year"), by=request.user
            )
        except ValidationError as exc:
            messages.error(request, " ".join(exc.messages))
            return redirect(studio.get_absolute_url())
        return redirect(evaluation.get_absolute_url())


class EvaluationDetailView(ScopedDetailView):
    """An evaluation's scores by criterion; while it is in progress the
    evaluator scores and completes it here."""

    model = Evaluation
    template_name = "studios/evaluation_detail.html"

    def get_base_queryset(self):
        return Evaluation.objects.select_related("studio", "scheme", "host", "completed_by")

    def get_context_data(self, **kwargs):
        ctx = super().get_context_data(**kwargs)
        evaluation = self.object
        criteria = list(evaluation.scheme.criteria.all())
        scores = {s.criterion_id: s for s in evaluation.scores.all()}
        ctx["rows"] = [(c, scores.get(c.pk)) for c in criteria]
        action = EVALUATE if evaluation.kind == EvaluationKind.ANNUAL else DECIDE
        ctx["can_score"] = not evaluation.is_completed and may(
            self.request.user, action, evaluation.studio
        )
        ctx["form"] = kwargs.get("form") or ScoreForm(
            criteria=criteria, scores={k: v.score for k, v in scores.items()}
        )
        return ctx

    def post(self, request, pk):
        self.object = self.get_object()
        evaluation = self.object
        action = EVALUATE if evaluation.kind == EvaluationKind.ANNUAL else DECIDE
        studio_for(request.user, evaluation.studio_id, action)
        criteria = list(evaluation.scheme.criteria.all())
        form = ScoreForm(request.POST, criteria=criteria)
        if not form.is_valid():
            return self.render_to_response(self.get_context_data(form=form))
        try:
            services.score_evaluation(evaluation=evaluation, scores=form.scores(), by=request.user)
            if request.POST.get("complete"):
                services.complete_evaluation(evaluation=evaluation, by=request.user)
        except ValidationError as exc:
            messages.error(request, " ".join(exc.messages))
        else:
            messages.success(request, gettext("Saved."))
        return redirect(evaluation.get_absolute_url())


# --- Files ------------------------------------------------------------------
# Studio files are never served from /media/: each download asks restrict()
# again, through the output's own rules or the application's.


def _file_response(field):
    return private_file_response(field)


@login_required
def output_file(request, pk):
    output = get_object_or_404(Output.objects.restrict(request.user), pk=pk)
    return _file_response(output.file)


@login_required
def application_document(request, pk):
    from .models import ApplicationDocument

    document = get_object_or_404(
        ApplicationDocument.objects.filter(
            application__in=Application.objects.restrict(request.user)
        ),
        pk=pk,
    )
    return _file_response(document.file)
