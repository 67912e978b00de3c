from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import FileResponse, Http404, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from .exports import registry as exporters
from .exports import start_export
from .forms import AuditSearchForm
from .models import AuditEntry, ExportJob, ExportStatus
from .permissions import can, get_scope
from .registry import registry
from .roles import Role

HOME_TITLES = [
    (Role.BUREAU, _("Bureau dashboard")),
    (Role.SECRETARIAT, _("Alliance secretariat")),
    (Role.CENTER_STAFF, _("Center workspace")),
    (Role.DISTRICT_STAFF, _("District workspace")),
    (Role.SCHOOL_ADMIN, _("School workspace")),
    (Role.VENDOR, _("Vendor workspace")),
    (Role.TEACHER, _("My learning")),
    (Role.DISTRICT_SYSTEM, _("District system")),
]


@login_required
def home(request):
    """Each role's home page, assembled from the panels apps register."""
    scope = get_scope(request.user)
    title = next((str(t) for role, t in HOME_TITLES if role in scope.roles), _("Home"))
    panels = []
    for panel in registry.panels_for(request.user):
        context = panel.context(request)
        if context is not None:
            panels.append((panel, context))
    return render(request, "core/home.html", {"title": title, "panels": panels})


@login_required
def export_list(request):
    """My exports: every job the user started, with progress and download."""
    jobs = ExportJob.objects.restrict(request.user).filter(owner=request.user)
    page = Paginator(jobs, 20).get_page(request.GET.get("page"))
    running = any(not job.is_finished for job in page.object_list)
    return render(
        request,
        "core/export_list.html",
        {
            "page_obj": page,
            "jobs": page.object_list,
            "running": running,
            "exporters": exporters.available_to(request.user),
        },
    )


@login_required
def export_start(request, identifier):
    exporter_cls = exporters.get(identifier)
    if exporter_cls is None:
        raise Http404
    if not exporter_cls.allowed(request.user):
        raise PermissionDenied
    form = exporter_cls.options_form(data=request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            start_export(user=request.user, identifier=identifier, data=request.POST)
        except ValidationError:
            pass
        else:
            messages.success(request, _("Your export has started; it appears below when ready."))
            return redirect("exports")
    return render(request, "core/export_start.html", {"exporter": exporter_cls, "form": form})


@login_required
@require_GET
def export_status(request, pk):
    job = get_object_or_404(ExportJob.objects.restrict(request.user), pk=pk)
    return JsonResponse(
        {
            "id": job.pk,
            "status": job.status,
            "progress": job.progress,
            "rows_written": job.rows_written,
            "error": job.error,
        }
    )


@login_required
def export_download(request, pk):
    job = get_object_or_404(
        ExportJob.objects.restrict(request.user), pk=pk, status=ExportStatus.DONE
    )
    if not job.file:
        raise Http404
    return FileResponse(
        job.file.open("rb"), as_attachment=True, filename=job.file.name.rsplit("/", 1)[-1]
    )


@login_required
def audit_log(request):
    """The bureau's searchable audit log."""
    if not can(request.user, "view", AuditEntry):
        raise PermissionDenied
    entries = AuditEntry.objects.restrict(request.user).select_related("actor")
    form = AuditSearchForm(request.GET or None)
    if form.is_valid():
        data = form.cleaned_data
        if data["q"]:
            from django.db.models import Q

            entries = entries.filter(
                Q(object_repr__icontains=data["q"])
                | Q(message__icontains=data["q"])
                | Q(path__icontains=data["q"])
            )
        if data["action"]:
            entries = entries.filter(action=data["action"])
        if data["actor"]:
            entries = entries.filter(actor_name__icontains=data["actor"])
        if data["object_type"]:
            entries = entries.filter(object_type__icontains=data["object_type"])
        if data["since"]:
            entries = entries.filter(at__date__gte=data["since"])
        if data["until"]:
            entries = entries.filter(at__date__lte=data["until"])
    page = Paginator(entries, 50).get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    return render(
        request,
        "core/audit_log.html",
        {
            "form": form,
            "page_obj": page,
            "entries": page.object_list,
            "querystring": query.urlencode(),
        },
    )
