"""Credit pages: a teacher's own hours and transcript, the public
verification page, the ledger, claims and their approval, completion and
at-risk views for schools, districts and the bureau, and the policies."""

from io import BytesIO

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Page, Paginator
from django.db import transaction
from django.forms import inlineformset_factory
from django.http import FileResponse, Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from centers.models import District, School, Teacher
from core.files import private_file_response
from core.forms import add_errors
from core.generic import ScopedCreateView, ScopedDetailView, ScopedListView, ScopedUpdateView
from core.permissions import can, sees_all
from core.ratelimit import rate_limited

from . import services, teacher_page
from .filtersets import AtRiskFilterSet, CreditClaimFilterSet, CreditEntryFilterSet
from .forms import AwardForm, ClaimForm, MinimumForm, PolicyForm, ReasonForm, VerifyForm
from .models import (
    CategoryMinimum,
    ClaimEvidence,
    CreditClaim,
    CreditEntry,
    CreditPolicy,
    Reminder,
    Transcript,
)
from .teacher_page import HISTORY_PAGE
from .transcripts import net_entries, transcript_filename, transcript_workbook


def _own_teacher(user):
    if not can(user, "self", Teacher):
        raise PermissionDenied
    return teacher_page.own_teacher(user)


def _history_page(user, teacher, number):
    """``Paginator(entries, HISTORY_PAGE).get_page(number)`` in one query: the
    page's rows carry the count of all (a window ``COUNT(*) OVER ()``), so no
    ``COUNT`` goes first (``teacher_page.history_rows``). A page past the end
    (or not a page) takes ``get_page``'s way: the count, then the last page."""
    try:
        number = int(number or 1)
    except (TypeError, ValueError):
        number = 1
    if number >= 1:
        start = (number - 1) * HISTORY_PAGE
        rows = teacher_page.history_rows(user, teacher, start)
        if rows or number == 1:
            paginator = Paginator(rows, HISTORY_PAGE)  # the page's rows; the count is all
            paginator.count = rows[0].history_count if rows else 0  # a cached_property
            return Page(rows, number, paginator)
    return Paginator(teacher_page.entries_queryset(user, teacher), HISTORY_PAGE).get_page(number)


def _teacher_page(request, teacher, *, own):
    # Each list goes through the user's own scope: staff who may see the
    # teacher need not see every claim or transcript of theirs.
    user = request.user
    summary = services.teacher_summary(teacher)
    page = _history_page(user, teacher, request.GET.get("page"))
    pending = teacher_page.pending(user, teacher)
    transcripts = teacher_page.transcripts(user, teacher)
    return render(
        request,
        "credits/teacher_credits.html",
        {
            "title": _("My learning hours") if own else teacher.name,
            "teacher": teacher,
            "summary": summary,
            "page_obj": page,
            "entries": page.object_list,
            "pending": pending,
            "transcripts": transcripts,
            "own": own,
            "can_claim": own and can(request.user, "add", CreditClaim),
        },
    )


@login_required
def my_credits(request):
    """A teacher's hours this cycle, by category, pending claims, history."""
    return _teacher_page(request, _own_teacher(request.user), own=True)


@login_required
def teacher_credits(request, pk):
    """Drill-down from completion and at-risk views to one teacher in scope."""
    if not can(request.user, "view", CreditEntry):
        raise PermissionDenied
    teacher = get_object_or_404(
        Teacher.objects.restrict(request.user, "view_credits").select_related("school", "district"),
        pk=pk,
    )
    own = can(request.user, "self", teacher)
    return _teacher_page(request, teacher, own=own)


@login_required
@require_POST
def issue_transcript(request):
    teacher = _own_teacher(request.user)
    try:
        transcript = services.issue_transcript(teacher=teacher, by=request.user)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
        return redirect("credits:mine")
    return redirect(transcript.get_absolute_url())


def _transcript_or_404(request, code):
    if not can(request.user, "view", Transcript):
        raise PermissionDenied
    return get_object_or_404(
        Transcript.objects.restrict(request.user).select_related("teacher", "policy"), code=code
    )


def _transcript_context(request, transcript):
    lines = [
        (label, transcript.by_category.get(value))
        for value, label in services.Category.choices
        if value in transcript.by_category
    ]
    verify_url = request.build_absolute_uri(reverse("credits:verify-code", args=[transcript.code]))
    return {"transcript": transcript, "lines": lines, "verify_url": verify_url}


@login_required
def transcript_page(request, code):
    """The printable transcript with its verification code."""
    transcript = _transcript_or_404(request, code)
    ctx = _transcript_context(request, transcript)
    ctx["entries"] = net_entries(services.transcript_entries(transcript))
    ctx["title"] = _("Learning-hour transcript")
    return render(request, "credits/transcript.html", ctx)


@login_required
def transcript_xlsx(request, code):
    transcript = _transcript_or_404(request, code)
    ctx = _transcript_context(request, transcript)
    workbook = transcript_workbook(transcript, ctx["verify_url"])
    buffer = BytesIO()
    workbook.save(buffer)
    buffer.seek(0)
    return FileResponse(
        buffer,
        as_attachment=True,
        filename=transcript_filename(transcript),
        content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    )


@rate_limited("verify")
def verify(request, code=None):
    """Public: anyone with a code sees whether the transcript is genuine,
    with the name partly masked and the totals."""
    form = VerifyForm(request.GET or None, initial={"code": code} if code else None)
    transcript, checked = None, False
    if code is None and form.is_valid():
        code = form.cleaned_data["code"]
    if code:
        checked = True
        transcript = services.find_transcript(code)
    lines = []
    if transcript is not None:
        lines = [
            (label, transcript.by_category.get(value))
            for value, label in services.Category.choices
            if value in transcript.by_category
        ]
    response = render(
        request,
        "credits/verify.html",
        {
            "title": _("Verify a transcript"),
            "form": form,
            "transcript": transcript,
            "checked": checked,
            "lines": lines,
        },
        status=404 if checked and transcript is None else 200,
    )
    response["X-Robots-Tag"] = "noindex"
    return response


# --- The ledger ---------------------------------------------------------------------


class EntryListView(ScopedListView):
    model = CreditEntry
    filterset_class = CreditEntryFilterSet
    title = gettext_lazy("Credit ledger")
    template_name = "credits/entry_list.html"
    empty_message = gettext_lazy("No credit entries match.")

    def get_base_queryset(self):
        return CreditEntry.objects.select_related("teacher", "teacher__school", "reverses")

    def get_context_data(self, **kwargs):
        ctx = super().get_context_data(**kwargs)
        ctx["can_add"] = can(self.request.user, "add", CreditEntry)
        return ctx


class EntryDetailView(ScopedDetailView):
    model = CreditEntry
    template_name = "credits/entry_detail.html"

    def get_base_queryset(self):
        return CreditEntry.objects.select_related(
            "teacher", "teacher__school", "registered_by", "reverses"
        )

    def get_context_data(self, **kwargs):
        ctx = super().get_context_data(**kwargs)
        entry = self.object
        reversal = CreditEntry.objects.restrict(self.request.user).filter(reverses=entry).first()
        ctx["reversal"] = reversal
        ctx["can_reverse"] = (
            reversal is None
            and not entry.is_reversal
            and CreditEntry.objects.restrict(self.request.user, "add").filter(pk=entry.pk).exists()
        )
        ctx["reason_form"] = ReasonForm()
        return ctx


@login_required
@require_POST
def entry_reverse(request, pk):
    if not can(request.user, "add", CreditEntry):
        raise PermissionDenied
    entry = get_object_or_404(CreditEntry.objects.restrict(request.user, "add"), pk=pk)
    form = ReasonForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Say why the entry is reversed."))
        return redirect(entry)
    try:
        reversal = services.reverse_entry(
            entry=entry, reason=form.cleaned_data["reason"], by=request.user
        )
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
        return redirect(entry)
    messages.success(request, _("The entry was reversed."))
    return redirect(reversal)


@login_required
def entry_award(request):
    """District staff register hours for a teacher of their district."""
    if not can(request.user, "add", CreditEntry):
        raise PermissionDenied
    teachers = Teacher.objects.restrict(request.user, "award_credits")
    form = AwardForm(request.POST or None, teachers=teachers)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            award = services.award_hours(
                teacher=data["teacher"],
                hours=data["hours"],
                category=data["category"],
                source=data["source"],
                earned_on=data["earned_on"],
                registered_by=request.user,
                activity_key=data["activity_key"],
                title=data["title"],
                evidence=data["evidence"],
            )
        except ValidationError as exc:
            form.add_error(None, exc)
        else:
            if award.created:
                messages.success(request, _("The hours were posted."))
            else:
                messages.warning(request, _("This activity already counts for the teacher."))
            return redirect(award.entry)
    return render(
        request,
        "credits/form.html",
        {"form": form, "title": _("Register hours"), "multipart": False},
    )


# --- Claims --------------------------------------------------------------------------------


class ClaimListView(ScopedListView):
    model = CreditClaim
    filterset_class = CreditClaimFilterSet
    title = gettext_lazy("Credit claims")
    template_name = "credits/claim_list.html"
    empty_message = gettext_lazy("No claims match.")

    def get_base_queryset(self):
        return CreditClaim.objects.select_related("teacher", "school")


class ClaimDetailView(ScopedDetailView):
    model = CreditClaim
    template_name = "credits/claim_detail.html"

    def get_base_queryset(self):
        return CreditClaim.objects.select_related(
            "teacher",
            "school",
            "district",
            "responsible_center",
            "submitted_by",
            "school_reviewed_by",
            "final_reviewed_by",
            "entry",
        )

    def get_context_data(self, **kwargs):
        ctx = super().get_context_data(**kwargs)
        ctx["evidence"] = list(self.object.evidence.all())
        ctx["step"] = services.next_step_for(self.request.user, self.object)
        ctx["reason_form"] = ReasonForm()
        return ctx


@login_required
def claim_create(request):
    """A teacher claims hours; a school admin registers school-based
    training for a teacher of their school."""
    if not can(request.user, "add", CreditClaim):
        raise PermissionDenied
    teachers = None
    if not can(request.user, "self", Teacher):
        teachers = (
            Teacher.objects.restrict(request.user, "claim_for")
            .filter(is_active=True)
            .select_related("school")
        )
    form = ClaimForm(
        request.POST or None, request.FILES or None, user=request.user, teachers=teachers
    )
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        teacher = data["teacher"] if teachers is not None else _own_teacher(request.user)
        try:
            claim = services.submit_claim(
                teacher=teacher,
                by=request.user,
                title=data["title"],
                category=data["category"],
                hours=data["hours"],
                earned_on=data["earned_on"],
                description=data["description"],
                source=data.get("source") or None,
                responsible_center=data["responsible_center"],
                files=data["files"],
            )
        except ValidationError as exc:
            add_errors(form, exc)
        else:
            messages.success(request, _("Your claim was submitted."))
            return redirect(claim)
    return render(
        request,
        "credits/form.html",
        {"form": form, "title": _("Claim hours"), "multipart": True},
    )


def _claim_in_scope(request, pk):
    if not can(request.user, "view", CreditClaim):
        raise PermissionDenied
    return get_object_or_404(CreditClaim.objects.restrict(request.user), pk=pk)


@login_required
@require_POST
def claim_approve(request, pk):
    claim = _claim_in_scope(request, pk)
    try:
        claim = services.approve_claim(claim=claim, by=request.user)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(request, _("Approved."))
    return redirect(claim)


@login_required
@require_POST
def claim_reject(request, pk):
    claim = _claim_in_scope(request, pk)
    form = ReasonForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Say why the claim is rejected."))
        return redirect(claim)
    try:
        services.reject_claim(claim=claim, by=request.user, reason=form.cleaned_data["reason"])
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(request, _("Rejected."))
    return redirect(claim)


@login_required
def claim_evidence(request, pk, evidence_pk):
    claim = _claim_in_scope(request, pk)
    evidence = get_object_or_404(ClaimEvidence, pk=evidence_pk, claim=claim)
    return private_file_response(evidence.file, evidence.name)


# --- Completion and at-risk -------------------------------------------------------------


@login_required
def completion_view(request):
    """Completion rate per district (bureau) or per school (a district, a
    school admin), with the at-risk count; ``?district=`` drills down."""
    user = request.user
    if not can(user, "follow_credits", Teacher):
        raise PermissionDenied
    followed = District.objects.restrict(user, "follow_credits")
    districts = (
        None
        if sees_all(user, "follow_credits", District)
        else list(followed.values_list("pk", flat=True))
    )
    school_ids = None
    # The policies in force from this process's copy (``policy_in_force``):
    # the page's figures by the one definition, without reading the policies.
    pmap = services.policy_map_in_force()
    drill = request.GET.get("district")
    district = None
    if districts is None and not drill:
        level = "district"
        rows = services.completion(by="district", pmap=pmap)
    else:
        level = "school"
        if drill:
            if not drill.isdigit() or (districts is not None and int(drill) not in districts):
                raise Http404
            district = get_object_or_404(followed, pk=int(drill))
            rows = services.completion(by="school", district_ids=[district.pk], pmap=pmap)
        elif districts:
            rows = services.completion(by="school", district_ids=districts, pmap=pmap)
        else:
            # A school admin sees their schools; staff of a municipal center
            # have no district of their own: an empty table.
            schools = School.objects.restrict(user, "follow_credits")
            school_ids = list(schools.values_list("pk", flat=True))
            district_ids = list(schools.values_list("district_id", flat=True))
            rows = services.completion(
                by="school", district_ids=district_ids, school_ids=school_ids, pmap=pmap
            )
    return render(
        request,
        "credits/completion.html",
        {
            "title": _("Credit completion"),
            "level": level,
            "rows": rows,
            "total": services.completion_total(rows),
            "district": district,
            "policy": services.policy_in_force(
                district.pk if district else (districts[0] if districts else None)
            ),
        },
    )


class AtRiskListView(ScopedListView):
    """Teachers who will miss the cycle at their pace so far."""

    model = CreditEntry  # the right to see credits
    filterset_class = AtRiskFilterSet
    template_name = "credits/at_risk.html"
    title = gettext_lazy("Teachers at risk")
    empty_message = gettext_lazy("No teacher is behind their pace. Well done!")

    def dispatch(self, request, *args, **kwargs):
        if request.user.is_authenticated and not can(request.user, "follow_credits", Teacher):
            raise PermissionDenied
        return super().dispatch(request, *args, **kwargs)

    def get_queryset(self):
        teachers = Teacher.objects.restrict(self.request.user, "follow_credits").filter(
            is_active=True
        )
        self.filterset = self.filterset_class(
            self.request.GET or None, queryset=teachers, request=self.request
        )
        if self.filterset.is_bound and not self.filterset.is_valid():
            return teachers.none()
        return (
            services.at_risk(self.filterset.qs)
            .select_related("school", "district")
            .order_by("cycle_hours", "pk")
        )

    def get_context_data(self, **kwargs):
        ctx = super().get_context_data(**kwargs)
        for teacher in ctx["object_list"]:
            teacher.projected = services.projected_hours(teacher)
            teacher.cycle_hours = services.as_hours(teacher.cycle_hours)
            teacher.required = services.as_hours(teacher.required)
        ctx["can_add"] = False
        return ctx


# --- Policies ---------------------------------------------------------------------------------

MinimumFormSet = inlineformset_factory(
    CreditPolicy, CategoryMinimum, form=MinimumForm, extra=3, can_delete=True
)


class PolicyListView(ScopedListView):
    model = CreditPolicy
    title = gettext_lazy("Credit policies")
    template_name = "credits/policy_list.html"
    create_url_name = "credits:policy-create"

    def get_base_queryset(self):
        return CreditPolicy.objects.select_related("district").prefetch_related("minimums")


class PolicyFormMixin:
    model = CreditPolicy
    form_class = PolicyForm
    template_name = "credits/policy_form.html"
    success_message = gettext_lazy("The policy was saved.")

    def get_context_data(self, **kwargs):
        ctx = super().get_context_data(**kwargs)
        ctx["minimums"] = getattr(self, "_formset", None) or MinimumFormSet(
            instance=getattr(self, "object", None)
        )
        return ctx

    def post(self, request, *args, **kwargs):
        self.object = self.get_object() if "pk" in kwargs else None
        form = self.get_form()
        self._formset = MinimumFormSet(request.POST, instance=self.object)
        if form.is_valid() and self._formset.is_valid():
            with transaction.atomic():
                self.object = form.save()
                self._formset.instance = self.object
                self._formset.save()
            messages.success(request, self.success_message)
            return redirect("credits:policy-list")
        return self.render_to_response(self.get_context_data(form=form))


class PolicyCreateView(PolicyFormMixin, ScopedCreateView):
    pass


class PolicyUpdateView(PolicyFormMixin, ScopedUpdateView):
    pass


@login_required
@require_POST
def reminder_dismiss(request, pk):
    reminder = get_object_or_404(Reminder.objects.restrict(request.user, "change"), pk=pk)
    if reminder.read_at is None:
        Reminder.objects.restrict(request.user, "change").filter(pk=reminder.pk).update(
            read_at=timezone.now()
        )
    return redirect("home")
