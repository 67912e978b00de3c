"""Pages of the centers app. Every list, detail and form goes through
``core.generic`` (``restrict`` + 403/404); business rules live in services."""

from datetime import date

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.db.models import Count, Max, Prefetch, Q, Sum
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_http_methods, require_POST

from core.generic import (
    ScopedCreateView,
    ScopedDetailView,
    ScopedListView,
    ScopedUpdateView,
)
from core.permissions import can

from . import imports, services
from .filtersets import (
    CampusFilterSet,
    CenterFilterSet,
    DistrictFilterSet,
    MandateFilterSet,
    RoomFilterSet,
    SchoolFilterSet,
    StaffMemberFilterSet,
    StandardCenterFilterSet,
    TeacherFilterSet,
)
from .forms import (
    AppointmentForm,
    CampusForm,
    DistrictForm,
    ImportUploadForm,
    RoomForm,
    SchoolForm,
    StaffMemberForm,
    StaffYearRecordForm,
    TeacherForm,
)
from .models import (
    TEACHING_FUNCTIONS,
    Campus,
    Center,
    District,
    Employment,
    ImportBatch,
    ImportStatus,
    Mandate,
    Room,
    RoomFunction,
    School,
    StaffAppointment,
    StaffMember,
    StaffYearRecord,
    Standard,
    Teacher,
)
from .validators import mask_id_number

# --- Centers ----------------------------------------------------------------


class CenterListView(ScopedListView):
    model = Center
    filterset_class = CenterFilterSet
    title = _("Centers")
    columns = [
        (_("Name"), "name"),
        (_("Kind"), "kind"),
        (_("District"), "district"),
        (_("Host institution"), "host_institution"),
        (_("Established on"), "established_on"),
    ]

    def get_base_queryset(self):
        return Center.objects.select_related("district")


def facilities_summary(campuses):
    """Totals of a center's prefetched campuses and rooms."""
    summary = {
        "floor_area": sum((c.floor_area or 0) for c in campuses),
        "teaching_seats": 0,
        "largest_room": 0,
        "canteen": 0,
        "dormitory": 0,
        "sports": 0,
    }
    for campus in campuses:
        for room in campus.rooms.all():
            if room.function in TEACHING_FUNCTIONS:
                summary["teaching_seats"] += room.seats
                summary["largest_room"] = max(summary["largest_room"], room.seats)
            elif room.function == RoomFunction.CANTEEN:
                summary["canteen"] += room.seats
            elif room.function == RoomFunction.DORMITORY:
                summary["dormitory"] += room.seats
            elif room.function == RoomFunction.SPORTS:
                summary["sports"] += 1
    return summary


class CenterDetailView(ScopedDetailView):
    """A center: its facts, mandates, facilities (campuses and rooms by
    function) and staff make-up."""

    model = Center
    template_name = "centers/center_detail.html"

    def get_base_queryset(self):
        return Center.objects.select_related("district").prefetch_related(
            Prefetch("campuses", queryset=Campus.objects.prefetch_related("rooms")),
            "mandates",
        )

    def get_context_data(self, **kwargs):
        ctx = super().get_context_data(**kwargs)
        center = self.object
        user = self.request.user
        campuses = list(center.campuses.all())
        ctx["campuses"] = campuses
        ctx["facilities"] = facilities_summary(campuses)
        ctx["mandates"] = list(center.mandates.all())
        if can(user, "view", StaffMember):
            ctx["staff_make_up"] = (
                StaffMember.objects.restrict(user)
                .filter(center=center, is_active=True)
                .aggregate(
                    total=Count("pk"),
                    full_time=Count("pk", filter=Q(employment=Employment.FULL_TIME)),
                    part_time=Count("pk", filter=Q(employment=Employment.PART_TIME)),
                    research=Count("pk", filter=Q(is_research_staff=True)),
                )
            )
        ctx["can_see_standards"] = can(user, "standards", center)
        ctx["can_add_campus"] = can(user, "add", Campus)
        if can(user, "view", StaffAppointment):
            ctx["appointments"] = services.register_appointments(center, user)
            ctx["can_confirm"] = can(user, "confirm_for", center)
            ctx["can_appoint"] = can(user, "appoint_for", center)
            if can(user, "appoint_for", center):
                ctx["appointment_form"] = AppointmentForm(user=user, center=center)
        return ctx


@login_required
@require_POST
def appointment_create(request, pk):
    """互聘: the center ``pk`` appoints a trainer of another member center."""
    center = get_object_or_404(Center.objects.restrict(request.user), pk=pk)
    form = AppointmentForm(request.POST, user=request.user, center=center)
    if form.is_valid():
        try:
            services.appoint(user=request.user, center=center, **form.cleaned_data)
        except ValidationError as exc:
            messages.error(request, "；".join(exc.messages))
        else:
            messages.success(request, gettext("The appointment is recorded."))
    else:
        messages.error(request, "；".join(e for errs in form.errors.values() for e in errs))
    return redirect("centers:center-detail", pk=center.pk)


def _appointment_step(request, step, done="", **kwargs):
    """Take a 互聘 step of the service; its refusal (in Chinese) or ``done`` is
    the page's message."""
    try:
        step(user=request.user, **kwargs)
    except ValidationError as exc:
        messages.error(request, "；".join(exc.messages))
    except PermissionDenied as exc:
        messages.error(request, str(exc))
    else:
        if done:
            messages.success(request, done)


@login_required
@require_POST
def appointment_decide(request, pk):
    """互聘: the trainer's home center confirms or declines (with a reason) an
    appointment."""
    appointment = get_object_or_404(
        StaffAppointment.objects.restrict(request.user).select_related("staff"), pk=pk
    )
    confirm = request.POST.get("confirm") == "1"
    _appointment_step(
        request,
        services.decide_appointment,
        gettext("The appointment is confirmed.")
        if confirm
        else gettext("The appointment is declined."),
        appointment=appointment,
        confirm=confirm,
        note=request.POST.get("note" if confirm else "reason", "")[:300],
    )
    return redirect("centers:center-detail", pk=appointment.staff.center_id)


@login_required
@require_POST
def appointment_withdraw(request, pk):
    """互聘: the appointing center withdraws an appointment still awaiting
    the home center."""
    appointment = get_object_or_404(StaffAppointment.objects.restrict(request.user), pk=pk)
    _appointment_step(
        request,
        services.withdraw_appointment,
        gettext("The appointment is withdrawn."),
        appointment=appointment,
        reason=request.POST.get("reason", "")[:300],
    )
    return redirect("centers:center-detail", pk=appointment.center_id)


@login_required
@require_POST
def appointment_end(request, pk):
    """互聘: end an appointment before its term, with its last day and why."""
    appointment = get_object_or_404(
        StaffAppointment.objects.restrict(request.user).select_related("staff"), pk=pk
    )
    raw = request.POST.get("ended_on", "")
    try:
        ended_on = date.fromisoformat(raw) if raw else None
    except ValueError:
        ended_on = None
    _appointment_step(
        request,
        services.end_appointment,
        appointment=appointment,
        ended_on=ended_on,
        reason=request.POST.get("reason", "")[:300],
    )
    return redirect("centers:center-detail", pk=appointment.staff.center_id)


# --- Districts --------------------------------------------------------------


class DistrictListView(ScopedListView):
    model = District
    filterset_class = DistrictFilterSet
    title = _("Districts")
    create_url_name = "centers:district-create"
    columns = [(_("Name"), "name"), (_("Code"), "code"), (_("Schools"), "school_count")]

    def get_base_queryset(self):
        return District.objects.annotate(school_count=Count("schools")).order_by("order", "name")


class DistrictDetailView(ScopedDetailView):
    model = District
    template_name = "centers/district_detail.html"

    def get_context_data(self, **kwargs):
        ctx = super().get_context_data(**kwargs)
        user = self.request.user
        ctx["center"] = Center.objects.restrict(user).filter(district=self.object).first()
        if can(user, "view", School):
            ctx["schools"] = (
                School.objects.restrict(user)
                .filter(district=self.object)
                .annotate(teacher_count=Count("teachers"))
                .order_by("name")
            )
        ctx["can_change"] = can(user, "change", District)
        return ctx


class DistrictCreateView(ScopedCreateView):
    model = District
    form_class = DistrictForm


class DistrictUpdateView(ScopedUpdateView):
    model = District
    form_class = DistrictForm


# --- Schools ----------------------------------------------------------------


class SchoolListView(ScopedListView):
    model = School
    filterset_class = SchoolFilterSet
    title = _("Schools")
    create_url_name = "centers:school-create"
    columns = [
        (_("Name"), "name"),
        (_("District"), "district"),
        (_("Stage"), "stage"),
        (_("Ownership"), "ownership"),
        (_("District system id"), "external_id"),
    ]
    empty_message = _(
        "No schools match. District staff add schools here or sync them from the district system."
    )

    def get_base_queryset(self):
        return School.objects.select_related("district")


class SchoolDetailView(ScopedDetailView):
    model = School
    template_name = "centers/school_detail.html"

    def get_base_queryset(self):
        return School.objects.select_related("district")

    def get_context_data(self, **kwargs):
        ctx = super().get_context_data(**kwargs)
        user = self.request.user
        if can(user, "view", Teacher):
            teachers = Teacher.objects.restrict(user).filter(school=self.object)
            ctx["teacher_count"] = teachers.count()
            ctx["teachers"] = teachers.order_by("name")[:50]
        ctx["can_change"] = (
            School.objects.restrict(user, "change").filter(pk=self.object.pk).exists()
        )
        return ctx


class SchoolCreateView(ScopedCreateView):
    model = School
    form_class = SchoolForm


class SchoolUpdateView(ScopedUpdateView):
    model = School
    form_class = SchoolForm


# --- Teachers ---------------------------------------------------------------


class TeacherListView(ScopedListView):
    model = Teacher
    filterset_class = TeacherFilterSet
    title = _("Teachers")
    create_url_name = "centers:teacher-create"
    columns = [
        (_("Name"), "name"),
        (_("School"), "school"),
        (_("District"), "district"),
        (_("ID number"), "masked_id_number"),
        (_("Subject"), "subject"),
        (_("Professional title"), "title"),
        (_("Career stage"), "career_stage"),
    ]

    def get_base_queryset(self):
        return Teacher.objects.select_related("school", "district")


class TeacherDetailView(ScopedDetailView):
    model = Teacher
    template_name = "centers/teacher_detail.html"

    def get_base_queryset(self):
        return Teacher.objects.select_related("school", "district")

    def get_context_data(self, **kwargs):
        ctx = super().get_context_data(**kwargs)
        user = self.request.user
        ctx["can_reveal"] = can(user, "reveal_id", Teacher) and can(user, "reveal_id", self.object)
        ctx["can_change"] = (
            Teacher.objects.restrict(user, "change").filter(pk=self.object.pk).exists()
        )
        return ctx


class TeacherCreateView(ScopedCreateView):
    model = Teacher
    form_class = TeacherForm


class TeacherUpdateView(ScopedUpdateView):
    model = Teacher
    form_class = TeacherForm


@login_required
@require_POST
def teacher_reveal_id(request, pk):
    """Show a teacher's whole ID number once, to a user allowed to see it;
    audited. A POST so that no link, prefetch or crawler shows it."""
    if not can(request.user, "view", Teacher):
        raise PermissionDenied
    teacher = get_object_or_404(
        Teacher.objects.restrict(request.user).select_related("school", "district"), pk=pk
    )
    whole = services.reveal_id_number(user=request.user, teacher=teacher, request=request)
    response = render(
        request,
        "centers/teacher_detail.html",
        {
            "object": teacher,
            "teacher": teacher,
            "whole_id_number": whole,
            "can_reveal": True,
            "can_change": Teacher.objects.restrict(request.user, "change")
            .filter(pk=teacher.pk)
            .exists(),
        },
    )
    response["Cache-Control"] = "no-store"
    return response


# --- Facilities -------------------------------------------------------------


class CampusListView(ScopedListView):
    model = Campus
    filterset_class = CampusFilterSet
    title = _("Facilities")
    template_name = "centers/campus_list.html"
    create_url_name = "centers:campus-create"
    empty_message = _("No campuses recorded yet.")

    def get_base_queryset(self):
        return (
            Campus.objects.select_related("center")
            .annotate(
                room_count=Count("rooms"),
                teaching_seats=Sum(
                    "rooms__seats", filter=Q(rooms__function__in=TEACHING_FUNCTIONS)
                ),
                canteen_seats=Sum("rooms__seats", filter=Q(rooms__function=RoomFunction.CANTEEN)),
                dormitory_beds=Sum(
                    "rooms__seats", filter=Q(rooms__function=RoomFunction.DORMITORY)
                ),
                largest_room=Max("rooms__seats", filter=Q(rooms__function__in=TEACHING_FUNCTIONS)),
            )
            .order_by("center__kind", "center__code", "kind", "name")
        )


class CampusDetailView(ScopedDetailView):
    model = Campus
    template_name = "centers/campus_detail.html"

    def get_base_queryset(self):
        return Campus.objects.select_related("center").prefetch_related("rooms")

    def get_context_data(self, **kwargs):
        ctx = super().get_context_data(**kwargs)
        rooms = list(self.object.rooms.all())
        by_function = []
        for value, label in RoomFunction.choices:
            group = [r for r in rooms if r.function == value]
            if group:
                by_function.append((label, group, sum(r.seats for r in group)))
        ctx["by_function"] = by_function
        ctx["facilities"] = facilities_summary([self.object])
        user = self.request.user
        ctx["can_change"] = (
            Campus.objects.restrict(user, "change").filter(pk=self.object.pk).exists()
        )
        ctx["can_add_room"] = ctx["can_change"] and can(user, "add", Room)
        return ctx


class CampusCreateView(ScopedCreateView):
    model = Campus
    form_class = CampusForm

    def get_initial(self):
        return {"center": self.request.GET.get("center")}


class CampusUpdateView(ScopedUpdateView):
    model = Campus
    form_class = CampusForm


class RoomListView(ScopedListView):
    model = Room
    filterset_class = RoomFilterSet
    title = _("Rooms and facilities")
    columns = [
        (_("Name"), "name"),
        (_("Campus"), "campus"),
        (_("Center"), "campus.center"),
        (_("Function"), "function"),
        (_("Seats / capacity"), "seats"),
        (_("Bookable"), "bookable"),
    ]

    def get_base_queryset(self):
        return Room.objects.select_related("campus__center")


class RoomCreateView(ScopedCreateView):
    model = Room
    form_class = RoomForm

    def get_initial(self):
        return {"campus": self.request.GET.get("campus")}

    def get_success_url(self):
        return self.object.campus.get_absolute_url()


class RoomUpdateView(ScopedUpdateView):
    model = Room
    form_class = RoomForm

    def get_success_url(self):
        return self.object.campus.get_absolute_url()


# --- Staff ------------------------------------------------------------------


class StaffListView(ScopedListView):
    model = StaffMember
    filterset_class = StaffMemberFilterSet
    title = _("Staff")
    create_url_name = "centers:staff-create"
    columns = [
        (_("Name"), "name"),
        (_("Center"), "center"),
        (_("Employment"), "employment"),
        (_("Research staff"), "is_research_staff"),
        (_("Professional title"), "title"),
        (_("Honour"), "honour"),
        (_("Subject"), "subject"),
        (_("Years teaching"), "years_teaching"),
    ]
    empty_message = _("No staff recorded. Add them one by one or import a workbook.")

    def get_base_queryset(self):
        return StaffMember.objects.select_related("center")


class StaffDetailView(ScopedDetailView):
    model = StaffMember
    template_name = "centers/staff_detail.html"

    def get_base_queryset(self):
        return StaffMember.objects.select_related("center").prefetch_related(
            "year_records", "status_changes"
        )

    def get_context_data(self, **kwargs):
        ctx = super().get_context_data(**kwargs)
        staff = self.object
        user = self.request.user
        ctx["records"] = sorted(staff.year_records.all(), key=lambda r: -r.year)
        ctx["conditions"] = services.entry_conditions(staff)
        ctx["meets_standard"] = services.staff_meets_standard(staff)
        ctx["trainer_conditions"] = services.trainer_conditions(staff)
        ctx["status_changes"] = list(staff.status_changes.all())
        ctx["appointments"] = list(
            StaffAppointment.objects.restrict(user)
            .filter(staff=staff)
            .select_related("staff__center", "center")
        )
        ctx["inactive"] = services.is_inactive(staff)
        ctx["can_change"] = (
            StaffMember.objects.restrict(user, "change").filter(pk=staff.pk).exists()
        )
        return ctx


class StaffCreateView(ScopedCreateView):
    model = StaffMember
    form_class = StaffMemberForm

    def get_initial(self):
        return {"center": self.request.GET.get("center")}


class StaffUpdateView(ScopedUpdateView):
    model = StaffMember
    form_class = StaffMemberForm


class StaffYearRecordCreateView(ScopedCreateView):
    model = StaffYearRecord
    form_class = StaffYearRecordForm

    def get_initial(self):
        return {"staff": self.request.GET.get("staff"), "year": services.current_school_year() - 1}

    def get_success_url(self):
        return self.object.staff.get_absolute_url()


class StaffYearRecordUpdateView(ScopedUpdateView):
    model = StaffYearRecord
    form_class = StaffYearRecordForm

    def get_success_url(self):
        return self.object.staff.get_absolute_url()


# --- Mandates ---------------------------------------------------------------


class MandateListView(ScopedListView):
    model = Mandate
    filterset_class = MandateFilterSet
    title = _("Mandates")
    columns = [
        (_("Center"), "center"),
        (_("Training kind"), "training_kind"),
        (_("Target group"), "target_group"),
        (_("Stage"), "stage"),
        (_("Ownership"), "ownership"),
        (_("Description"), "description"),
    ]

    def get_base_queryset(self):
        return Mandate.objects.select_related("center")


# --- Standards --------------------------------------------------------------


def _require_standards(user):
    if not can(user, "view", Standard):
        raise PermissionDenied


@login_required
def center_standards(request, pk):
    """Each rule in force for one center: its figure and its verdict."""
    _require_standards(request.user)
    center = get_object_or_404(
        Center.objects.restrict(request.user, "standards").select_related("district"), pk=pk
    )
    evaluation = services.evaluate_center(center)
    return render(
        request,
        "centers/center_standards.html",
        {
            "center": center,
            "evaluation": evaluation,
            "title": gettext("Standards"),
            "can_keep": can(request.user, "keep", center),
        },
    )


@login_required
@require_POST
def move_out_inactive(request, pk):
    """003: 两年以上未参与教研或培训工作的要调离 — move the center's staff idle
    for two years out, each with a recorded change (date, reason)."""
    center = get_object_or_404(Center.objects.restrict(request.user, "keep"), pk=pk)
    changes = services.move_out_inactive(center, user=request.user)
    messages.success(
        request,
        gettext("%(n)s staff members moved out.") % {"n": len(changes)},
    )
    return redirect("centers:center-standards", pk=center.pk)


@login_required
def standards_matrix(request):
    """All centers × all rules (the bureau's view)."""
    _require_standards(request.user)
    if not can(request.user, "matrix", Center):
        raise PermissionDenied
    filterset = StandardCenterFilterSet(
        request.GET or None,
        queryset=Center.objects.restrict(request.user, "standards")
        .select_related("district")
        .order_by("-kind", "code"),
        request=request,
    )
    if filterset.is_bound and not filterset.is_valid():
        centers = Center.objects.none()
    else:
        centers = filterset.qs
    rules = services.active_rules()
    evaluations = services.evaluate_centers(centers, rules=rules)
    return render(
        request,
        "centers/standards_matrix.html",
        {
            "title": gettext("Standards matrix"),
            "filterset": filterset,
            "rules": rules,
            "evaluations": evaluations,
            "passed_all": sum(1 for e in evaluations if e.all_passed),
        },
    )


# --- Imports ----------------------------------------------------------------

IMPORT_MODELS = {"staff": StaffMember, "schools": School, "teachers": Teacher}


def _may_import(user, kind):
    model = IMPORT_MODELS.get(kind)
    return model is not None and can(user, "add", model) and can(user, "change", model)


@login_required
@require_http_methods(["GET", "POST"])
def import_upload(request):
    kinds = [(k, label) for k, label in imports.IMPORT_TITLES if _may_import(request.user, k)]
    if not kinds:
        raise PermissionDenied
    form = ImportUploadForm(request.POST or None, request.FILES or None)
    form.fields["kind"].choices = kinds
    if request.method == "GET" and request.GET.get("kind") in dict(kinds):
        form.initial["kind"] = request.GET["kind"]
    if request.method == "POST" and form.is_valid():
        try:
            batch = imports.stage_import(
                user=request.user, kind=form.cleaned_data["kind"], upload=form.cleaned_data["file"]
            )
        except imports.ImportRefused as exc:
            form.add_error("file", str(exc))
        else:
            return redirect("centers:import-preview", pk=batch.pk)
    recent = ImportBatch.objects.filter(owner=request.user)[:10]
    return render(
        request,
        "centers/import_upload.html",
        {"form": form, "kinds": kinds, "recent": recent, "title": gettext("Import from Excel")},
    )


def _own_batch(request, pk):
    batch = get_object_or_404(ImportBatch, pk=pk, owner=request.user)
    if not _may_import(request.user, batch.kind):
        raise PermissionDenied
    return batch


@login_required
def import_preview(request, pk):
    batch = _own_batch(request, pk)
    fields = [f for f, _label in imports.headers_for(batch.kind)]
    labels = dict(imports.headers_for(batch.kind))
    rows = []
    for index, row in enumerate(batch.rows):
        number = str(index + imports.FIRST_ROW)
        errors = batch.errors.get(number, {})
        rows.append(
            {
                "number": number,
                # ID numbers stay masked here too.
                "cells": [
                    mask_id_number(row.get(f, "")) if f == "id_number" else row.get(f, "")
                    for f in fields
                ],
                "errors": [
                    (labels.get(field, "") if field != "__all__" else "", msgs)
                    for field, msgs in errors.items()
                ],
            }
        )
    general = batch.errors.get("0", {}).get("__all__", [])
    page = Paginator(rows, 100).get_page(request.GET.get("page"))
    return render(
        request,
        "centers/import_preview.html",
        {
            "batch": batch,
            "labels": [labels[f] for f in fields],
            "page_obj": page,
            "rows": page.object_list,
            "general_errors": general,
            "error_count": len([k for k in batch.errors if k != "0"]),
            "title": gettext("Import preview"),
        },
    )


@login_required
@require_POST
def import_commit(request, pk):
    batch = _own_batch(request, pk)
    if batch.status == ImportStatus.PREVIEW and not batch.has_errors:
        batch = imports.commit_import(user=request.user, batch=batch)
    if batch.status == ImportStatus.COMMITTED:
        messages.success(
            request,
            gettext("Imported: %(created)s new, %(updated)s changed, %(unchanged)s unchanged.")
            % batch.summary,
        )
    else:
        messages.error(request, gettext("Nothing was imported: correct the rows marked below."))
    return redirect("centers:import-preview", pk=batch.pk)


@login_required
@require_POST
def import_discard(request, pk):
    batch = _own_batch(request, pk)
    if batch.status == ImportStatus.PREVIEW:
        batch.status = ImportStatus.DISCARDED
        batch.rows = []
        batch.save(update_fields=["status", "rows"])
        messages.info(request, gettext("The upload was discarded; nothing was imported."))
    return redirect("centers:import-upload")


@login_required
def import_template(request, kind):
    if kind not in IMPORT_MODELS:
        raise Http404
    if not _may_import(request.user, kind):
        raise PermissionDenied
    response = HttpResponse(
        imports.template_workbook(kind),
        content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    )
    response["Content-Disposition"] = f'attachment; filename="import-{kind}-template.xlsx"'
    return response
