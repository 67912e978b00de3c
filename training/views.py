"""Training pages: the center's project board and sub-project page, plans,
the district's enrolment decisions, the vendor's class page (roster, today's
sessions, check-in screen, sign-off, results) and the teacher's "my
training". Thin: every rule is in ``services``; every object comes through
``restrict``."""

import io

import segno
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.db.models import Count, Q
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from centers.models import ImportStatus, Teacher
from core.forms import add_errors
from core.generic import ScopedCreateView, ScopedDetailView, ScopedListView, ScopedUpdateView
from core.permissions import can, get_scope
from core.registry import registry
from core.roles import Role

from . import imports, services
from .filtersets import EnrollmentFilterSet, PlanFilterSet, SubProjectFilterSet
from .forms import (
    CheckinForm,
    CommitmentForm,
    CorrectionForm,
    MoveForm,
    NominateForm,
    NominationUploadForm,
    ReasonForm,
    ResultForm,
    SessionForm,
    SubProjectForm,
)
from .models import (
    Attendance,
    Enrollment,
    EnrollmentStatus,
    NominationImport,
    Plan,
    Session,
    SubProject,
    SubProjectStatus,
)

ROSTER_PAGE = 50


def _errors(request, exc):
    if isinstance(exc, ValidationError):
        messages.error(request, " ".join(exc.messages))
    else:
        messages.error(request, str(exc) or _("You may not do this."))


# --- Plans -----------------------------------------------------------------------------


class PlanListView(ScopedListView):
    model = Plan
    filterset_class = PlanFilterSet
    title = gettext_lazy("Training plans")
    template_name = "training/plan_list.html"
    empty_message = gettext_lazy("No training plans match.")

    def get_base_queryset(self):
        return (
            Plan.objects.select_related("center", "district")
            .annotate(n_projects=Count("projects", distinct=True))
            .order_by("-year", "level", "name")
        )


class PlanDetailView(ScopedDetailView):
    model = Plan
    template_name = "training/plan_detail.html"

    def get_base_queryset(self):
        return Plan.objects.select_related("center", "district")

    def get_context_data(self, **kwargs):
        ctx = super().get_context_data(**kwargs)
        subs = (
            SubProject.objects.restrict(self.request.user)
            .filter(project__plan=self.object)
            .select_related("project", "center")
            .order_by("project__code", "project__name", "code", "id")
        )
        ctx["subprojects"] = subs[:200]
        ctx["projects"] = self.object.projects.all()
        ctx["can_approve"] = self._may_approve()
        ctx["can_change"] = (
            Plan.objects.restrict(self.request.user, "change").filter(pk=self.object.pk).exists()
        )
        return ctx

    def _may_approve(self):
        try:
            services._approver_check(self.request.user, self.object)
        except PermissionDenied:
            return False
        return True


@login_required
@require_POST
def plan_move(request, pk):
    plan = get_object_or_404(Plan.objects.restrict(request.user), pk=pk)
    form = MoveForm(request.POST)
    if form.is_valid():
        try:
            services.move_plan(
                plan=plan,
                move=form.cleaned_data["move"],
                by=request.user,
                reason=form.cleaned_data["reason"],
            )
            messages.success(request, _("Done."))
        except (ValidationError, PermissionDenied) as exc:
            _errors(request, exc)
    return redirect(plan.get_absolute_url())


# --- The project board and a sub-project -----------------------------------------------


class BoardView(ScopedListView):
    """The center's project board: every sub-project in reach, searchable."""

    model = SubProject
    filterset_class = SubProjectFilterSet
    title = gettext_lazy("Training project board")
    template_name = "training/board.html"
    empty_message = gettext_lazy("No sub-projects match.")
    create_url_name = "training:subproject-create"

    def get_base_queryset(self):
        return SubProject.objects.select_related("project__plan", "center", "vendor").order_by(
            "-starts_on", "id"
        )


class SubProjectDetailView(ScopedDetailView):
    model = SubProject
    template_name = "training/subproject_detail.html"

    def get_base_queryset(self):
        return SubProject.objects.select_related(
            "project__plan", "center", "proposed_center", "vendor", "district"
        )

    def get_context_data(self, **kwargs):
        ctx = super().get_context_data(**kwargs)
        sub, user = self.object, self.request.user
        scope = get_scope(user)
        counts = services.enrollment_counts(sub)
        decidable = (
            Enrollment.objects.restrict(user, "change")
            .filter(subproject=sub, status=EnrollmentStatus.PENDING)
            .select_related("teacher", "school")
            .order_by("applied_at", "id")
        )
        if not (scope.superuser or scope.has_role(Role.DISTRICT_STAFF)):
            decidable = decidable.none()
        own = (
            Enrollment.objects.restrict(user)
            .filter(subproject=sub, teacher__in=scope.ids(Role.TEACHER))
            .active()
            .first()
        )
        # School admins and district staff alike (the ``nominate`` rule).
        may_nominate = sub.status in services.OPEN_FOR_ENROLMENT and can(user, "nominate", Teacher)
        ctx.update(
            counts={s: counts.get(s, 0) for s in EnrollmentStatus.values},
            status_labels=dict(EnrollmentStatus.choices),
            quotas=sub.quotas.select_related("district", "school"),
            sessions=sub.sessions.all()[:100],
            rule=services.rule_for(sub),
            decidable=decidable[:100],
            can_change=SubProject.objects.restrict(user, "change").filter(pk=sub.pk).exists(),
            can_approve=self._may_approve(sub),
            own_enrollment=own,
            can_enrol=(
                scope.has_role(Role.TEACHER)
                and own is None
                and sub.status in services.OPEN_FOR_ENROLMENT
            ),
            nominate_form=NominateForm(user=user) if may_nominate else None,
            can_nominate_list=may_nominate,
            move_form=MoveForm(),
        )
        return ctx

    def _may_approve(self, sub):
        try:
            services._approver_check(self.request.user, sub.project.plan)
        except PermissionDenied:
            return False
        return sub.status == SubProjectStatus.SUBMITTED


class SubProjectCreateView(ScopedCreateView):
    model = SubProject
    form_class = SubProjectForm
    template_name = "training/subproject_form.html"

    def get_initial(self):
        initial = super().get_initial()
        if self.request.GET.get("project"):
            initial["project"] = self.request.GET["project"]
        return initial

    def form_valid(self, form):
        return _save_subproject(self, form)


class SubProjectUpdateView(ScopedUpdateView):
    model = SubProject
    form_class = SubProjectForm
    template_name = "training/subproject_form.html"

    def form_valid(self, form):
        return _save_subproject(self, form)


def _save_subproject(view, form):
    try:
        sub = services.save_subproject(subproject=form.instance, by=view.request.user)
    except ValidationError as exc:
        add_errors(form, exc)
        return view.form_invalid(form)
    except PermissionDenied:
        form.add_error("project", _("You may not add sub-projects to this project."))
        return view.form_invalid(form)
    messages.success(view.request, _("Saved."))
    return redirect(sub.get_absolute_url())


def _subproject(request, pk, action="view"):
    if not can(request.user, action, SubProject):
        raise PermissionDenied
    return get_object_or_404(SubProject.objects.restrict(request.user, action), pk=pk)


@login_required
@require_POST
def subproject_move(request, pk):
    sub = _subproject(request, pk)
    form = MoveForm(request.POST)
    if form.is_valid():
        try:
            outcome = services.move_subproject(
                subproject=sub,
                move=form.cleaned_data["move"],
                by=request.user,
                reason=form.cleaned_data["reason"],
            )
            if isinstance(outcome, dict):
                messages.success(
                    request,
                    _("Closed: %(posted)s trainees' hours posted.") % {"posted": outcome["posted"]},
                )
            else:
                messages.success(request, _("Done."))
        except (ValidationError, PermissionDenied) as exc:
            _errors(request, exc)
    return redirect(sub.get_absolute_url())


# --- Enrolment -------------------------------------------------------------------------


@login_required
@require_POST
def enrol(request, pk):
    sub = _subproject(request, pk)
    scope = get_scope(request.user)
    if "teacher" in request.POST:
        form = NominateForm(request.POST, user=request.user)
        if not form.is_valid():
            messages.error(request, _("Choose a teacher you may nominate."))
            return redirect(sub.get_absolute_url())
        teacher = form.cleaned_data["teacher"]
    else:
        teacher = (
            Teacher.objects.restrict(request.user).filter(pk__in=scope.ids(Role.TEACHER)).first()
        )
        if teacher is None:
            raise PermissionDenied
    try:
        services.apply(subproject=sub, teacher=teacher, by=request.user)
        messages.success(request, _("Enrolment sent: the district approves it."))
    except (ValidationError, PermissionDenied) as exc:
        _errors(request, exc)
    return redirect(sub.get_absolute_url())


class EnrollmentListView(ScopedListView):
    """Enrolments in reach: the district decides the pending ones here."""

    model = Enrollment
    filterset_class = EnrollmentFilterSet
    title = gettext_lazy("Enrolments")
    template_name = "training/enrollment_list.html"
    empty_message = gettext_lazy("No enrolments match.")

    def get_base_queryset(self):
        return Enrollment.objects.select_related("teacher", "school", "subproject").order_by(
            "-applied_at", "-id"
        )

    def get_context_data(self, **kwargs):
        ctx = super().get_context_data(**kwargs)
        scope = get_scope(self.request.user)
        ctx["may_decide"] = scope.superuser or scope.has_role(Role.DISTRICT_STAFF)
        ctx["may_nominate"] = can(self.request.user, "nominate", Teacher)
        return ctx


def _enrollment(request, pk, action="change"):
    if not can(request.user, action, Enrollment):
        raise PermissionDenied
    return get_object_or_404(
        Enrollment.objects.restrict(request.user, action).select_related("subproject", "teacher"),
        pk=pk,
    )


@login_required
@require_POST
def enrollment_decide(request, pk):
    enrollment = _enrollment(request, pk)
    form = ReasonForm(request.POST)
    form.is_valid()
    try:
        services.decide(
            enrollment=enrollment,
            by=request.user,
            approve=request.POST.get("decision") == "approve",
            reason=form.cleaned_data.get("reason", ""),
        )
        messages.success(request, _("Decided."))
    except (ValidationError, PermissionDenied) as exc:
        _errors(request, exc)
    return redirect(request.POST.get("next") or reverse("training:enrollment-list"))


@login_required
@require_POST
def enrollment_withdraw(request, pk):
    enrollment = _enrollment(request, pk)
    form = ReasonForm(request.POST)
    form.is_valid()
    try:
        services.withdraw(
            enrollment=enrollment, by=request.user, reason=form.cleaned_data.get("reason", "")
        )
        messages.success(request, _("Withdrawn."))
    except (ValidationError, PermissionDenied) as exc:
        _errors(request, exc)
    return redirect(request.POST.get("next") or reverse("training:mine"))


@login_required
@require_POST
def enrollment_acknowledge(request, pk):
    enrollment = _enrollment(request, pk)
    form = CommitmentForm(request.POST)
    form.is_valid()
    try:
        enrollment = services.acknowledge(
            enrollment=enrollment, by=request.user, **form.cleaned_data
        )
        if enrollment.is_confirmed:
            messages.success(request, _("Your seat is confirmed."))
        else:
            messages.info(request, _("Recorded."))
    except (ValidationError, PermissionDenied) as exc:
        _errors(request, exc)
    return redirect("training:mine")


# --- The vendor's class page -----------------------------------------------------------


@login_required
def class_page(request, pk):
    """Roster, today's sessions (check-in screen, sign-off), results."""
    sub = _subproject(request, pk, "change")
    roster = (
        Enrollment.objects.restrict(request.user)
        .filter(subproject=sub, status=EnrollmentStatus.ENROLLED)
        .select_related("teacher", "school", "result")
        .order_by("school__name", "teacher__name", "id")
    )
    page = Paginator(roster, ROSTER_PAGE).get_page(request.GET.get("page"))
    rates = services.attendance_rates(sub, [e.pk for e in page.object_list])
    rows = [(e, rates.get(e.pk, 0)) for e in page.object_list]
    sessions = list(
        Session.objects.restrict(request.user)
        .filter(subproject=sub)
        .annotate(n_present=Count("attendances", filter=Q(attendances__present=True)))
        .order_by("starts_at")
    )
    today = timezone.localdate()
    return render(
        request,
        "training/class_page.html",
        {
            "sub": sub,
            "page_obj": page,
            "rows": rows,
            "sessions": sessions,
            "today_sessions": [
                s for s in sessions if timezone.localtime(s.starts_at).date() == today
            ],
            "session_form": SessionForm(),
            "result_form": ResultForm(),
            "correction_form": CorrectionForm(),
            "rule": services.rule_for(sub),
            "waitlist": services.waitlist(sub).select_related("teacher")[:20],
        },
    )


@login_required
@require_POST
def session_add(request, pk):
    sub = _subproject(request, pk, "change")
    form = SessionForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Check the session's fields."))
    else:
        try:
            services.add_session(subproject=sub, by=request.user, **form.cleaned_data)
            messages.success(request, _("Session added."))
        except (ValidationError, PermissionDenied) as exc:
            _errors(request, exc)
    return redirect("training:class", pk=sub.pk)


def _session(request, pk, action="change"):
    if not can(request.user, action, Session):
        raise PermissionDenied
    return get_object_or_404(
        Session.objects.restrict(request.user, action).select_related("subproject"), pk=pk
    )


def qr_svg(text) -> str:
    """A QR code of ``text`` as inline SVG, drawn here (segno), no service."""
    out = io.BytesIO()
    segno.make(text, error="m").save(
        out, kind="svg", scale=10, border=2, xmldecl=False, omitsize=True
    )
    return out.getvalue().decode()


@login_required
def checkin_screen(request, pk):
    """The room screen: the current code, large, and its QR code; the page
    reloads when the code changes."""
    session = _session(request, pk)
    now = timezone.now()
    shown = services.checkin_code(session, now)
    url = request.build_absolute_uri(
        reverse("training:checkin", args=[session.pk]) + f"?code={shown.code}"
    )
    is_open = (
        session.checkin_opens_at <= now <= session.checkin_closes_at and not session.signed_off_at
    )
    return render(
        request,
        "training/checkin_screen.html",
        {
            "session": session,
            "shown": shown,
            "is_open": is_open,
            "qr": mark_safe(qr_svg(url)) if is_open else "",  # noqa: S308 - segno's own SVG
            "present": session.attendances.filter(present=True).count(),
            "enrolled": session.subproject.seats_taken,
        },
    )


@login_required
@require_POST
def session_sign_off(request, pk):
    session = _session(request, pk)
    try:
        services.sign_off(session=session, by=request.user)
        messages.success(request, _("Attendance signed off."))
    except (ValidationError, PermissionDenied) as exc:
        _errors(request, exc)
    return redirect("training:class", pk=session.subproject_id)


@login_required
@require_POST
def session_correct(request, pk):
    session = _session(request, pk)
    form = CorrectionForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Say why the attendance is corrected."))
        return redirect("training:class", pk=session.subproject_id)
    enrollment = get_object_or_404(
        Enrollment, pk=form.cleaned_data["enrollment"], subproject_id=session.subproject_id
    )
    try:
        services.correct_attendance(
            session=session,
            enrollment=enrollment,
            present=form.cleaned_data["present"],
            reason=form.cleaned_data["reason"],
            by=request.user,
        )
        messages.success(request, _("Attendance corrected."))
    except (ValidationError, PermissionDenied) as exc:
        _errors(request, exc)
    return redirect("training:class", pk=session.subproject_id)


@login_required
@require_POST
def result_enter(request, pk):
    enrollment = get_object_or_404(
        Enrollment.objects.restrict(request.user, "change")
        .filter(subproject__in=SubProject.objects.restrict(request.user, "change"))
        .select_related("subproject"),
        pk=pk,
    )
    form = ResultForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Scores are numbers from 0 to 100."))
    else:
        data = dict(form.cleaned_data)
        recommended = data.pop("recommended")
        try:
            result = services.enter_result(
                enrollment=enrollment, by=request.user, recommended=recommended, **data
            )
            messages.success(
                request,
                _("%(teacher)s: %(grade)s (%(score)s).")
                % {
                    "teacher": enrollment.teacher,
                    "grade": result.get_grade_display(),
                    "score": result.score,
                },
            )
        except (ValidationError, PermissionDenied) as exc:
            _errors(request, exc)
    return redirect("training:class", pk=enrollment.subproject_id)


# --- The teacher's "my training" -------------------------------------------------------


def _own_teacher(request):
    ids = get_scope(request.user).ids(Role.TEACHER)
    if not ids:
        raise PermissionDenied
    return get_object_or_404(Teacher, pk__in=ids, is_active=True)


@login_required
def mine(request):
    """A teacher's enrolments, next sessions, check-in, results and hours."""
    teacher = _own_teacher(request)
    enrollments = list(
        Enrollment.objects.restrict(request.user)
        .filter(teacher=teacher)
        .exclude(status=EnrollmentStatus.WITHDRAWN)
        .select_related("subproject", "result", "credit_entry")
        .order_by("-applied_at")[:50]
    )
    now = timezone.now()
    upcoming = {}
    for session in (
        Session.objects.restrict(request.user)
        .filter(
            subproject__in=[
                e.subproject_id for e in enrollments if e.status == EnrollmentStatus.ENROLLED
            ],
            ends_at__gte=now,
        )
        .order_by("starts_at")
    ):
        upcoming.setdefault(session.subproject_id, session)
    checked_in = set(
        Attendance.objects.restrict(request.user)
        .filter(enrollment__in=enrollments, session__in=list(upcoming.values()), present=True)
        .values_list("session_id", flat=True)
    )
    rows = [(e, upcoming.get(e.subproject_id)) for e in enrollments]
    # Result and hours held back until the sub-project's gate opens (the
    # satisfaction survey answered, where the sub-project says so).
    locked = registry.locked_results(request.user, [e.subproject_id for e in enrollments])
    return render(
        request,
        "training/mine.html",
        {
            "teacher": teacher,
            "rows": rows,
            "commitment_form": CommitmentForm(),
            "checkin_form": CheckinForm(),
            "checked_in": checked_in,
            "locked": locked,
            "now": now,
            "notices": list(request.user.training_notices.filter(read_at__isnull=True)[:5]),
        },
    )


@login_required
def checkin(request, pk):
    """The phone's check-in form (the QR code opens it with the code filled)."""
    if not get_scope(request.user).has_role(Role.TEACHER):
        raise PermissionDenied
    session = _session(request, pk, "view")
    form = CheckinForm(request.POST or None, initial={"code": request.GET.get("code", "")})
    if request.method == "POST" and form.is_valid():
        try:
            services.check_in(session=session, by=request.user, code=form.cleaned_data["code"])
        except services.CheckinRefused as exc:
            form.add_error("code", exc.messages[0])
        else:
            messages.success(request, _("Checked in: %(title)s.") % {"title": session.title})
            return redirect("training:mine")
    return render(request, "training/checkin.html", {"session": session, "form": form})


# --- The Excel nomination list ---------------------------------------------------------


def _may_nominate(request):
    if not can(request.user, "nominate", Teacher):
        raise PermissionDenied


@login_required
def nomination_upload(request):
    _may_nominate(request)
    form = NominationUploadForm(request.POST or None, request.FILES or None, user=request.user)
    if request.method == "GET" and request.GET.get("subproject", "").isdigit():
        form.initial["subproject"] = int(request.GET["subproject"])
    if request.method == "POST" and form.is_valid():
        try:
            batch = imports.stage_import(
                user=request.user,
                upload=form.cleaned_data["file"],
                subproject=form.cleaned_data["subproject"],
            )
        except imports.ImportRefused as exc:
            form.add_error("file", str(exc))
        else:
            return redirect("training:nomination-preview", pk=batch.pk)
    recent = NominationImport.objects.filter(owner=request.user)[:10]
    return render(
        request,
        "training/nomination_upload.html",
        {"form": form, "recent": recent, "title": _("Nominate from Excel")},
    )


def _own_import(request, pk):
    _may_nominate(request)
    return get_object_or_404(
        NominationImport.objects.select_related("subproject"), pk=pk, owner=request.user
    )


@login_required
def nomination_preview(request, pk):
    batch = _own_import(request, pk)
    rows = []
    labels = dict(imports.HEADERS)
    for row in batch.rows:
        errors = batch.errors.get(str(row.get("row")), {})
        rows.append(
            {
                "number": row.get("row"),
                "cells": [row.get(field, "") for field, _label in imports.HEADERS],
                "errors": [
                    (labels.get(field, "") if field != "__all__" else "", msgs)
                    for field, msgs in errors.items()
                ],
            }
        )
    page = Paginator(rows, 100).get_page(request.GET.get("page"))
    return render(
        request,
        "training/nomination_preview.html",
        {
            "batch": batch,
            "labels": [label for _field, label in imports.HEADERS],
            "page_obj": page,
            "rows": page.object_list,
            "general_errors": batch.errors.get("0", {}).get("__all__", []),
            "error_count": len([k for k in batch.errors if k != "0"]),
            "title": _("Nomination list"),
        },
    )


@login_required
@require_POST
def nomination_commit(request, pk):
    batch = _own_import(request, pk)
    if batch.status == ImportStatus.PREVIEW and not batch.has_errors:
        batch = imports.commit_import(user=request.user, batch=batch)
    if batch.status == ImportStatus.COMMITTED:
        messages.success(
            request,
            _("Nominated: %(created)s teachers; their district approves them.") % batch.summary,
        )
    else:
        messages.error(request, _("Nothing was imported: correct the rows marked below."))
    return redirect("training:nomination-preview", pk=batch.pk)


@login_required
@require_POST
def nomination_discard(request, pk):
    batch = _own_import(request, pk)
    if batch.status == ImportStatus.PREVIEW:
        batch.status = ImportStatus.DISCARDED
        batch.rows = []
        batch.save(update_fields=["status", "rows"])
        messages.info(request, _("The upload was discarded; nothing was imported."))
    return redirect("training:nomination-upload")


@login_required
def nomination_template(request):
    _may_nominate(request)
    response = HttpResponse(
        imports.template_workbook(request.user),
        content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    )
    response["Content-Disposition"] = 'attachment; filename="training-nominations-template.xlsx"'
    return response
