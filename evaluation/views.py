"""Evaluation pages: the survey list and results page (center, bureau,
district, vendor), the teacher's "my surveys" and the answer form. Thin:
every rule is in ``services``; every object comes through ``restrict``."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from core.generic import ScopedDetailView, ScopedListView
from core.permissions import can

from . import services
from .filtersets import SurveyFilterSet
from .models import QuestionKind, Survey


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
