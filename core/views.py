from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.db import connection
from django.http import Http404, HttpResponse, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.crypto import constant_time_compare
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from . import twofactor
from .exports import check_download, start_export
from .exports import download as export_file
from .exports import registry as exporters
from .forms import AuditSearchForm, OtpTokenForm, TokenIssueForm
from .models import ApiToken, AuditEntry, ExportJob, ExportStatus
from .observability import metrics_text
from .permissions import can, get_scope
from .ratelimit import rate_limited
from .registry import registry
from .roles import roles
from .services import issue_token, revoke_token, token_accounts


@require_GET
def healthz(request):
    """For the container health check and load balancers: the app answers and
    reaches its database."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")
    return HttpResponse("ok", content_type="text/plain")


@require_GET
def metrics(request):
    """Prometheus' scrape (core.observability): served only when METRICS_TOKEN
    is set, to ``Authorization: Bearer <METRICS_TOKEN>``; otherwise 404."""
    token = settings.METRICS_TOKEN
    supplied = request.headers.get("Authorization", "").removeprefix("Bearer ").strip()
    if not token or not constant_time_compare(supplied, token):
        raise Http404
    body, content_type = metrics_text()
    return HttpResponse(body, content_type=content_type)


def locked_out(request, original_response=None, credentials=None):
    """django-axes' answer to a locked account: the page, or the API's error body."""
    minutes = int(settings.AXES_COOLOFF_TIME.total_seconds() // 60)
    headers = {"Retry-After": str(minutes * 60)}
    if request.path.startswith("/api/"):
        body = {
            "error": {
                "status": 429,
                "code": "locked",
                "message": _("Too many failed attempts: the account is locked for a while."),
            }
        }
        return JsonResponse(body, status=429, headers=headers)
    response = render(request, "registration/locked_out.html", {"minutes": minutes}, status=429)
    response["Retry-After"] = headers["Retry-After"]
    return response


@login_required
def home(request):
    """Each role's home page, assembled from the panels apps register."""
    scope = get_scope(request.user)
    title = next(
        (
            str(info.home_title)
            for info in roles.all()
            if info.home_title and info.code in scope.roles
        ),
        _("Home"),
    )
    panels = []
    for panel in registry.panels_for(request.user):
        context = panel.context(request)
        if context is not None:
            panels.append((panel, context))
    return render(request, "core/home.html", {"title": title, "panels": panels})


@login_required
def inbox_page(request):
    """待办: everything that waits for the user, one group per kind."""
    from .inbox import inbox

    return render(request, "core/inbox.html", {"title": _("To-do"), "groups": inbox(request.user)})


@login_required
def notification_list(request):
    """站内通知: the user's notifications; POST marks one (then follows its
    link) or all of them read."""
    from . import notifications

    if request.method == "POST":
        one = request.POST.get("id")
        ids = [one] if one and one.isdigit() else None
        notifications.mark_read(user=request.user, ids=ids)
        if ids:
            target = notifications.mine(request.user).filter(pk=ids[0]).first()
            if target is not None and target.url.startswith("/"):
                return redirect(target.url)
        return redirect("notifications")
    page = Paginator(notifications.mine(request.user), 30).get_page(request.GET.get("page"))
    return render(
        request,
        "core/notification_list.html",
        {"title": _("Notifications"), "page_obj": page, "items": page.object_list},
    )


@login_required
def announcement_list(request):
    """通知公告: every announcement addressed to the user."""
    from .models import Announcement

    items = Announcement.objects.restrict(request.user)
    page = Paginator(items, 20).get_page(request.GET.get("page"))
    return render(
        request,
        "core/announcement_list.html",
        {
            "title": _("Announcements"),
            "page_obj": page,
            "items": page.object_list,
            "may_publish": can(request.user, "add", Announcement),
        },
    )


@login_required
def announcement_detail(request, pk):
    from .models import Announcement

    item = get_object_or_404(
        Announcement.objects.restrict(request.user).select_related("withdrawn_by"), pk=pk
    )
    may_change = not item.withdrawn and can(request.user, "change", item)
    may_withdraw = not item.withdrawn and can(request.user, "withdraw", item)
    return render(
        request,
        "core/announcement_detail.html",
        {
            "title": item.title,
            "item": item,
            "may_change": may_change,
            "may_withdraw": may_withdraw,
        },
    )


@login_required
def announcement_create(request):
    from .forms import AnnouncementForm
    from .models import Announcement
    from .services import publish_announcement

    if not can(request.user, "add", Announcement):
        raise PermissionDenied
    form = AnnouncementForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        item = publish_announcement(by=request.user, request=request, **form.cleaned_data)
        messages.success(request, _("The announcement was published."))
        return redirect(item.get_absolute_url())
    return render(
        request, "core/announcement_form.html", {"title": _("New announcement"), "form": form}
    )


@login_required
def announcement_edit(request, pk):
    """Edit an announcement: its author, a colleague of the publishing
    organisation (``change`` scope); anyone else gets 404."""
    from .forms import AnnouncementForm
    from .models import Announcement
    from .services import ANNOUNCEMENT_FIELDS, edit_announcement

    if not can(request.user, "change", Announcement):
        raise PermissionDenied
    item = get_object_or_404(Announcement.objects.restrict(request.user, "change"), pk=pk)
    initial = {name: getattr(item, name) for name in ANNOUNCEMENT_FIELDS}
    form = AnnouncementForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            edit_announcement(
                announcement=item, by=request.user, request=request, **form.cleaned_data
            )
        except ValidationError as exc:
            form.add_error(None, exc)
        else:
            messages.success(request, _("The announcement was saved."))
            return redirect(item.get_absolute_url())
    return render(
        request,
        "core/announcement_form.html",
        {"title": _("Edit the announcement"), "form": form, "item": item},
    )


@login_required
@require_POST
def announcement_withdraw(request, pk):
    from .models import Announcement
    from .services import withdraw_announcement

    if not can(request.user, "withdraw", Announcement):
        raise PermissionDenied
    item = get_object_or_404(Announcement.objects.restrict(request.user, "withdraw"), pk=pk)
    withdraw_announcement(
        announcement=item,
        by=request.user,
        reason=request.POST.get("reason", "").strip(),
        request=request,
    )
    messages.success(request, _("The announcement was withdrawn."))
    return redirect(item.get_absolute_url())


@login_required
def site_search(request):
    """Search teachers, schools, projects and studios the user may see."""
    from .search import search

    q = request.GET.get("q", "").strip()[:100]
    return render(
        request,
        "core/search.html",
        {"title": _("Search"), "q": q, "groups": search(request.user, q)},
    )


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
    form = exporter_cls.options_form(
        data=request.POST if request.method == "POST" else None, user=request.user
    )
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
    check_download(request.user, job)
    return export_file(job)


@login_required
def audit_log(request):
    """The bureau's searchable audit log."""
    if not can(request.user, "view", AuditEntry):
        raise PermissionDenied
    # The template shows actor_name (kept even if the user is renamed), so no join.
    entries = AuditEntry.objects.restrict(request.user)
    form = AuditSearchForm(request.GET or None)
    if form.is_valid():
        data = form.cleaned_data
        if data["q"]:
            from django.db.models import Q

            entries = entries.filter(
                Q(object_repr__icontains=data["q"])
                | Q(message__icontains=data["q"])
                | Q(path__icontains=data["q"])
                | Q(object_id=data["q"])
                | Q(ip__startswith=data["q"])
            )
        if data["action"]:
            entries = entries.filter(action=data["action"])
        if data["actor"]:
            entries = entries.filter(actor_name__icontains=data["actor"])
        if data["object_type"]:
            entries = entries.filter(object_type=data["object_type"])
        if data["since"]:
            entries = entries.filter(at__date__gte=data["since"])
        if data["until"]:
            entries = entries.filter(at__date__lte=data["until"])
    page = Paginator(entries, 50).get_page(request.GET.get("page"))
    page.object_list = list(page.object_list)
    AuditEntry.attach_people(page.object_list)  # names, not user ids, in the changes
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


@login_required
def token_list(request):
    """District staff manage their district systems' API tokens: list, issue
    (the key is shown once), revoke."""
    if not can(request.user, "view", ApiToken):
        raise PermissionDenied
    may_issue = can(request.user, "add", ApiToken)
    accounts = token_accounts(request.user)
    form = TokenIssueForm(request.POST or None, accounts=accounts)
    issued = None
    if request.method == "POST":
        if not may_issue:
            raise PermissionDenied
        if form.is_valid():
            data = form.cleaned_data
            token, raw_key = issue_token(
                actor=request.user,
                membership=data["account"],
                name=data["name"],
                days=data["days"],
                request=request,
            )
            issued = {"token": token, "key": raw_key}
            form = TokenIssueForm(accounts=accounts)
    tokens = (
        ApiToken.objects.restrict(request.user)
        .select_related("membership__user")
        .order_by("revoked_at", "-created_at")
    )
    page = Paginator(tokens, 25).get_page(request.GET.get("page"))
    response = render(
        request,
        "core/token_list.html",
        {
            "title": _("API tokens"),
            "page_obj": page,
            "tokens": page.object_list,
            "form": form if may_issue else None,
            "issued": issued,
            "has_accounts": accounts.exists(),
            "may_revoke": can(request.user, "delete", ApiToken),
        },
    )
    if issued:
        response["Cache-Control"] = "no-store"
    return response


@login_required
@require_POST
def token_revoke(request, pk):
    if not can(request.user, "delete", ApiToken):
        raise PermissionDenied
    token = get_object_or_404(ApiToken.objects.restrict(request.user, "delete"), pk=pk)
    revoke_token(actor=request.user, token=token, request=request)
    messages.success(request, _("The token “%(name)s” was revoked.") % {"name": token.name})
    return redirect("api-tokens")


def _next_url(request, default="home"):
    from django.utils.http import url_has_allowed_host_and_scheme

    target = request.POST.get("next") or request.GET.get("next") or ""
    if target and url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return target
    return reverse(default)


@login_required
@rate_limited("login", methods=("POST",))
def two_factor_verify(request):
    """The step after the password for whoever has enrolled: a code from the
    authenticator app, or a recovery code (each works once)."""
    if not twofactor.is_enrolled(request.user):
        return redirect("two-factor-setup")
    form = OtpTokenForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        if twofactor.verify(request, form.cleaned_data["token"]):
            left = twofactor.remaining_recovery_codes(request.user)
            if left <= 2:
                messages.warning(
                    request,
                    _("Only %(n)d recovery codes are left: make new ones.") % {"n": left},
                )
            return redirect(_next_url(request))
        form.add_error("token", _("Wrong or expired code. Try the newest code of the app."))
    return render(
        request,
        "registration/two_factor_verify.html",
        {"title": _("Two-factor sign-in"), "form": form, "next": _next_url(request)},
    )


@login_required
@rate_limited("login", methods=("POST",))
def two_factor_setup(request):
    """Enrol an authenticator app (QR code drawn here) and receive recovery
    codes; or, once verified, make new recovery codes."""
    if twofactor.is_enrolled(request.user):
        if not request.user.is_verified():
            return redirect("two-factor-verify")
        codes = None
        if request.method == "POST" and request.POST.get("action") == "new-codes":
            codes = twofactor.new_recovery_codes(request.user)
            twofactor.audit(request, "two-factor recovery codes renewed")
        response = render(
            request,
            "registration/two_factor_setup.html",
            {
                "title": _("Two-factor sign-in"),
                "enrolled": True,
                "codes": codes,
                "left": twofactor.remaining_recovery_codes(request.user),
            },
        )
        response["Cache-Control"] = "no-store"
        return response
    device = twofactor.pending_device(request.user)
    form = OtpTokenForm(request.POST or None)
    codes = None
    if request.method == "POST" and form.is_valid():
        codes = twofactor.confirm_enrolment(request, device, form.cleaned_data["token"])
        if codes is None:
            form.add_error("token", _("Wrong or expired code. Try the newest code of the app."))
    response = render(
        request,
        "registration/two_factor_setup.html",
        {
            "title": _("Two-factor sign-in"),
            "enrolled": codes is not None,
            "codes": codes,
            "form": form,
            "qr": mark_safe(twofactor.qr_svg(device)) if codes is None else "",  # noqa: S308
            "secret": twofactor.secret_text(device) if codes is None else "",
            "required": twofactor.required_for(request.user),
            "next": _next_url(request),
        },
    )
    response["Cache-Control"] = "no-store"
    return response
