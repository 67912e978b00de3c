"""The alliance's pages. Every one goes through ``core.generic`` (403 without
the right, 404 outside the scope). Serving a page never writes: the
secretariat handover runs from the periodic task and on sign-in."""

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Prefetch
from django.http import Http404, HttpResponseRedirect
from django.shortcuts import get_object_or_404, redirect
from django.utils import timezone
from django.utils.translation import gettext, pgettext_lazy
from django.utils.translation import gettext_lazy as _
from django.views import View
from django.views.generic import TemplateView

from centers.services import staff_meets_standard
from core.generic import (
    ScopedCreateView,
    ScopedDetailView,
    ScopedListView,
    ScopedMixin,
    ScopedUpdateView,
)
from core.permissions import can, get_scope
from core.roles import Role

from . import services
from .filtersets import (
    AchievementFilterSet,
    AssistancePairFilterSet,
    BookingFilterSet,
    CenterPlanFilterSet,
    ChairTermFilterSet,
    CouncilMemberFilterSet,
    DigitalResourceFilterSet,
    FacultyEngagementFilterSet,
    FollowUpFilterSet,
    GuidanceVisitFilterSet,
    JointProjectFilterSet,
    MeetingFilterSet,
    ProposalFilterSet,
    ResolutionFilterSet,
    SharedFacultyFilterSet,
    TeacherDevelopmentSchoolFilterSet,
    WorkDocumentFilterSet,
)
from .forms import (
    AchievementForm,
    AssistanceActivityForm,
    AssistancePairForm,
    BookingForm,
    CenterPlanForm,
    ChairTermForm,
    CommentForm,
    CouncilMemberForm,
    DigitalResourceForm,
    DocumentCreateForm,
    DocumentEditForm,
    FacultyEngagementForm,
    FollowUpForm,
    GuidanceVisitForm,
    JointProjectForm,
    MeetingForm,
    PlanSummaryForm,
    ProposalForm,
    ProposalStepForm,
    ResolutionForm,
    SharedFacultyForm,
    TeacherDevelopmentSchoolForm,
    TransitionForm,
    add_errors,
)
from .models import (
    Achievement,
    AssistanceActivity,
    AssistancePair,
    Booking,
    CenterPlan,
    ChairTerm,
    CouncilMember,
    DigitalResource,
    DocumentVersion,
    FacultyEngagement,
    FollowUp,
    GuidanceVisit,
    JointProject,
    Meeting,
    MeetingKind,
    Proposal,
    Resolution,
    SharedFaculty,
    TeacherDevelopmentSchool,
    WorkDocument,
)


class DetailFieldsMixin:
    """Detail pages that list (label, attribute) pairs in the shared
    ``alliance/detail.html``; subclasses may add a template of their own."""

    template_name = "alliance/detail.html"
    fields: list = []
    edit_url_name = ""
    list_url = ""

    def get_context_data(self, **kwargs):
        ctx = super().get_context_data(**kwargs)
        ctx["fields"] = self.fields
        ctx["can_change"] = bool(self.edit_url_name) and (
            self.model._default_manager.restrict(self.request.user, "change")
            .filter(pk=self.object.pk)
            .exists()
        )
        ctx["edit_url_name"] = self.edit_url_name
        ctx["list_url"] = self.list_url
        return ctx


# --- Council and rotation ------------------------------------------------------


class CouncilView(ScopedListView):
    model = CouncilMember
    filterset_class = CouncilMemberFilterSet
    template_name = "alliance/council.html"
    title = _("Alliance council")
    create_url_name = "alliance:member-add"
    empty_message = _("No council members recorded yet.")

    def get_base_queryset(self):
        return CouncilMember.objects.select_related("center", "representative", "liaison")

    def get_context_data(self, **kwargs):
        ctx = super().get_context_data(**kwargs)
        today = timezone.localdate()
        ctx["today"] = today
        ctx["current_term"] = services.term_on(today)
        ctx["next_term"] = services.next_term(today)
        ctx["terms"] = ChairTerm.objects.restrict(self.request.user).select_related(
            "center", "secretary_general"
        )[:12]
        ctx["can_add_term"] = can(self.request.user, "add", ChairTerm)
        return ctx


class MemberDetailView(DetailFieldsMixin, ScopedDetailView):
    model = CouncilMember
    edit_url_name = "alliance:member-edit"
    list_url = "alliance:council"
    fields = [
        (_("Center"), "center"),
        (_("Rotation order"), "order"),
        (_("Council representative"), "representative"),
        (_("Liaison"), "liaison"),
        (_("Joined on"), "joined_on"),
        (_("Active"), "is_active"),
    ]

    def get_base_queryset(self):
        return CouncilMember.objects.select_related("center", "representative", "liaison")


class MemberCreateView(ScopedCreateView):
    template_name = "alliance/form.html"
    model = CouncilMember
    form_class = CouncilMemberForm


class MemberUpdateView(ScopedUpdateView):
    template_name = "alliance/form.html"
    model = CouncilMember
    form_class = CouncilMemberForm


class TermListView(ScopedListView):
    template_name = "alliance/list.html"
    model = ChairTerm
    filterset_class = ChairTermFilterSet
    title = _("Chair rotation")
    create_url_name = "alliance:term-add"
    columns = [
        (_("Term"), "__str__"),
        (_("Term number"), "sequence"),
        (_("Chair center"), "center"),
        (_("Secretary-general"), "secretary_general"),
        (_("Secretariat handed over at"), "handed_over_at"),
    ]
    empty_message = _("No chair terms yet: record the rotation schedule.")

    def get_base_queryset(self):
        return ChairTerm.objects.select_related("center", "secretary_general")


class TermDetailView(DetailFieldsMixin, ScopedDetailView):
    model = ChairTerm
    edit_url_name = "alliance:term-edit"
    list_url = "alliance:term-list"
    fields = [
        (_("Term number"), "sequence"),
        (_("Chair center"), "center"),
        (_("Starts on"), "starts_on"),
        (_("Ends on"), "ends_on"),
        (_("Secretary-general"), "secretary_general"),
        (_("Secretariat handed over at"), "handed_over_at"),
        (_("Note"), "note"),
    ]

    def get_base_queryset(self):
        return ChairTerm.objects.select_related("center", "secretary_general")


class TermCreateView(ScopedCreateView):
    template_name = "alliance/form.html"
    model = ChairTerm
    form_class = ChairTermForm

    def get_initial(self):
        term = services.propose_next_term()
        initial = {"sequence": term.sequence, "starts_on": term.starts_on, "ends_on": term.ends_on}
        if term.center_id:
            initial["center"] = term.center_id
        return initial


class TermUpdateView(ScopedUpdateView):
    template_name = "alliance/form.html"
    model = ChairTerm
    form_class = ChairTermForm


class TermExtendView(ScopedMixin, View):
    """Add the next term of the rotation in one click (POST)."""

    model = ChairTerm
    action = "add"

    def post(self, request):
        try:
            (term,) = services.extend_rotation(years=1, user=request.user)
        except ValidationError as exc:
            messages.error(request, " ".join(exc.messages))
        else:
            messages.success(request, gettext("Added the term of %(term)s.") % {"term": term})
        return redirect("alliance:council")


# --- Plans and reports -----------------------------------------------------------


class DocumentListView(ScopedListView):
    template_name = "alliance/list.html"
    model = WorkDocument
    filterset_class = WorkDocumentFilterSet
    title = _("Annual plans and reports")
    create_url_name = "alliance:document-add"
    columns = [
        (_("Document"), "__str__"),
        (_("Title"), "title"),
        (_("Status"), "status"),
        (_("Version"), "version"),
        (_("Updated at"), "updated_at"),
    ]
    empty_message = _("No plan or report yet. The secretariat drafts them.")


class DocumentDetailView(ScopedDetailView):
    model = WorkDocument
    template_name = "alliance/document_detail.html"

    def get_base_queryset(self):
        return WorkDocument.objects.select_related("created_by", "approved_at_meeting")

    def get_context_data(self, **kwargs):
        ctx = super().get_context_data(**kwargs)
        doc, user = self.object, self.request.user
        ctx["versions"] = (
            DocumentVersion.objects.restrict(user).filter(document=doc).select_related("author")
        )
        ctx["steps"] = doc.steps.select_related("actor")
        ctx["comments"] = doc.comments.select_related("center", "author")
        ctx["transitions"] = services.transitions_for(doc, user)
        ctx["transition_form"] = TransitionForm(user=user)
        ctx["comment_form"] = CommentForm()
        ctx["can_edit"] = doc.is_editable and can(user, "change", WorkDocument)
        ctx["can_comment"] = services.can_comment(doc, user=user)
        return ctx


class DocumentCreateView(ScopedCreateView):
    template_name = "alliance/form.html"
    model = WorkDocument
    form_class = DocumentCreateForm

    def form_valid(self, form):
        try:
            self.object = services.create_document(user=self.request.user, **form.cleaned_data)
        except ValidationError as exc:
            add_errors(form, exc)
            return self.form_invalid(form)
        messages.success(self.request, self.success_message)
        return HttpResponseRedirect(self.object.get_absolute_url())


class DocumentUpdateView(ScopedUpdateView):
    template_name = "alliance/form.html"
    model = WorkDocument
    form_class = DocumentEditForm

    def form_valid(self, form):
        try:
            self.object = services.edit_document(
                WorkDocument.objects.restrict(self.request.user, "change").get(pk=self.object.pk),
                user=self.request.user,
                title=form.cleaned_data["title"],
                body=form.cleaned_data["body"],
            )
        except ValidationError as exc:
            add_errors(form, exc)
            return self.form_invalid(form)
        messages.success(
            self.request, gettext("Saved as version %(n)s.") % {"n": self.object.version}
        )
        return HttpResponseRedirect(self.object.get_absolute_url())


class VersionDetailView(ScopedMixin, TemplateView):
    model = DocumentVersion
    template_name = "alliance/version_detail.html"

    def get_context_data(self, **kwargs):
        ctx = super().get_context_data(**kwargs)
        version = get_object_or_404(
            DocumentVersion.objects.restrict(self.request.user).select_related(
                "document", "author"
            ),
            document_id=kwargs["pk"],
            number=kwargs["number"],
        )
        ctx["version"] = version
        ctx["document"] = version.document
        return ctx


class DocumentTransitionView(ScopedMixin, View):
    model = WorkDocument

    def post(self, request, pk, name):
        document = get_object_or_404(WorkDocument.objects.restrict(request.user), pk=pk)
        form = TransitionForm(request.POST, user=request.user)
        form.is_valid()
        try:
            services.transition(
                document,
                name,
                user=request.user,
                note=form.cleaned_data.get("note", ""),
                meeting=form.cleaned_data.get("meeting"),
            )
        except ValidationError as exc:
            messages.error(request, " ".join(exc.messages))
        else:
            messages.success(
                request, gettext("Done: %(status)s.") % {"status": document.get_status_display()}
            )
        return redirect(document.get_absolute_url())


class DocumentCommentView(ScopedMixin, View):
    model = WorkDocument

    def post(self, request, pk):
        document = get_object_or_404(WorkDocument.objects.restrict(request.user), pk=pk)
        try:
            services.check_can_comment(document, user=request.user)  # 403 when not allowed
        except ValidationError as exc:
            messages.error(request, " ".join(exc.messages))
            return redirect(document.get_absolute_url())
        form = CommentForm(request.POST)
        if not form.is_valid():
            messages.error(request, gettext("Write a comment."))
            return redirect(document.get_absolute_url())
        try:
            services.add_comment(document, user=request.user, body=form.cleaned_data["body"])
        except ValidationError as exc:
            messages.error(request, " ".join(exc.messages))
        else:
            messages.success(request, gettext("Comment added."))
        return redirect(document.get_absolute_url())


# --- Meetings and forums ----------------------------------------------------------


class MeetingListView(ScopedListView):
    template_name = "alliance/list.html"
    model = Meeting
    filterset_class = MeetingFilterSet
    title = _("Meetings and forums")
    create_url_name = "alliance:meeting-add"
    columns = [
        (_("Meeting"), "title"),
        (_("Kind"), "kind"),
        (_("Date"), "held_on"),
        (_("Theme"), "theme"),
        (_("Venue"), "venue"),
        (_("Host center"), "host_center"),
    ]
    empty_message = _("No meetings or forums recorded yet.")

    def get_base_queryset(self):
        return Meeting.objects.select_related("host_center")


class MeetingDetailView(ScopedDetailView):
    model = Meeting
    template_name = "alliance/meeting_detail.html"

    def get_base_queryset(self):
        return Meeting.objects.select_related("host_center").prefetch_related(
            "problem_shared_by", "participant_centers", "participants"
        )

    def get_context_data(self, **kwargs):
        ctx = super().get_context_data(**kwargs)
        ctx["can_change"] = can(self.request.user, "change", Meeting)
        ctx["resolutions"] = (
            Resolution.objects.restrict(self.request.user).filter(meeting=self.object)
            if self.object.kind == MeetingKind.COUNCIL
            else Resolution.objects.none()
        )
        ctx["can_add_resolution"] = self.object.kind == MeetingKind.COUNCIL and can(
            self.request.user, "add", Resolution
        )
        return ctx


class MeetingCreateView(ScopedCreateView):
    template_name = "alliance/form.html"
    model = Meeting
    form_class = MeetingForm


class MeetingUpdateView(ScopedUpdateView):
    template_name = "alliance/form.html"
    model = Meeting
    form_class = MeetingForm


# --- Results statistics -------------------------------------------------------------


class AchievementListView(ScopedListView):
    model = Achievement
    filterset_class = AchievementFilterSet
    template_name = "alliance/achievement_list.html"
    title = _("Results statistics")
    create_url_name = "alliance:achievement-add"
    columns = [
        (_("Member"), "center"),
        (_("Year"), "year"),
        (_("Kind"), "kind"),
        (_("Count"), "count"),
        (_("Reported by"), "reported_by"),
    ]
    empty_message = _("No results reported yet. Each member reports its own results per year.")

    def get_base_queryset(self):
        return Achievement.objects.select_related("center", "reported_by")


class AchievementDetailView(DetailFieldsMixin, ScopedDetailView):
    model = Achievement
    edit_url_name = "alliance:achievement-edit"
    list_url = "alliance:achievement-list"
    fields = [
        (_("Member"), "center"),
        (_("Year"), "year"),
        (_("Kind"), "kind"),
        (_("Count"), "count"),
        (_("Details"), "description"),
        (_("Reported by"), "reported_by"),
        (_("Updated at"), "updated_at"),
    ]

    def get_base_queryset(self):
        return Achievement.objects.select_related("center", "reported_by")


class AchievementCreateView(ScopedCreateView):
    template_name = "alliance/form.html"
    model = Achievement
    form_class = AchievementForm


class AchievementUpdateView(ScopedUpdateView):
    template_name = "alliance/form.html"
    model = Achievement
    form_class = AchievementForm


class RollupView(ScopedMixin, TemplateView):
    """The year's results per member and kind, as the annual report states them."""

    model = Achievement
    template_name = "alliance/rollup.html"

    def get_context_data(self, **kwargs):
        ctx = super().get_context_data(**kwargs)
        try:
            year = int(self.request.GET.get("year") or timezone.localdate().year)
        except ValueError as exc:
            raise Http404 from exc
        ctx["rollup"] = services.results_rollup(year=year, user=self.request.user)
        ctx["years"] = list(
            Achievement.objects.restrict(self.request.user)
            .order_by("-year")
            .values_list("year", flat=True)
            .distinct()
        )
        return ctx


# --- Bookings -----------------------------------------------------------------------


class BookingListView(ScopedListView):
    template_name = "alliance/list.html"
    model = Booking
    filterset_class = BookingFilterSet
    title = _("Shared facility bookings")
    create_url_name = "alliance:booking-add"
    columns = [
        (_("Facility"), "room"),
        (_("Booked for"), "center"),
        (pgettext_lazy("booking", "From"), "starts_at"),
        (_("Until"), "ends_at"),
        (_("Purpose"), "purpose"),
        (_("People"), "attendees"),
        (_("Cancelled at"), "cancelled_at"),
    ]
    empty_message = _(
        "No bookings. Members book each other's shared rooms, dormitories and canteens here."
    )

    def get_base_queryset(self):
        return Booking.objects.select_related("room__campus__center", "center")


class BookingDetailView(DetailFieldsMixin, ScopedDetailView):
    model = Booking
    template_name = "alliance/booking_detail.html"
    edit_url_name = "alliance:booking-edit"
    list_url = "alliance:booking-list"
    fields = [
        (_("Facility"), "room"),
        (_("Booked for"), "center"),
        (pgettext_lazy("booking", "From"), "starts_at"),
        (_("Until"), "ends_at"),
        (_("Purpose"), "purpose"),
        (_("People"), "attendees"),
        (_("Booked by"), "booked_by"),
        (_("Cancelled at"), "cancelled_at"),
    ]

    def get_base_queryset(self):
        return Booking.objects.select_related("room__campus__center", "center", "booked_by")


class BookingFormMixin:
    def form_valid(self, form):
        try:
            self.object = form.save()
        except ValidationError:
            return self.form_invalid(form)
        messages.success(self.request, self.success_message)
        return HttpResponseRedirect(self.object.get_absolute_url())


class BookingCreateView(BookingFormMixin, ScopedCreateView):
    template_name = "alliance/form.html"
    model = Booking
    form_class = BookingForm

    def get_initial(self):
        initial = super().get_initial()
        if self.request.GET.get("room"):
            initial["room"] = self.request.GET["room"]
        return initial


class BookingUpdateView(BookingFormMixin, ScopedUpdateView):
    template_name = "alliance/form.html"
    model = Booking
    form_class = BookingForm

    def get_queryset(self):
        return super().get_queryset().filter(cancelled_at__isnull=True)


class BookingCancelView(ScopedMixin, View):
    model = Booking
    action = "change"

    def post(self, request, pk):
        booking = get_object_or_404(Booking.objects.restrict(request.user, "change"), pk=pk)
        services.cancel_booking(booking, user=request.user)
        messages.success(request, gettext("Booking cancelled."))
        return redirect(booking.get_absolute_url())


# --- Faculty register ----------------------------------------------------------------


class FacultyListView(ScopedListView):
    template_name = "alliance/list.html"
    model = SharedFaculty
    filterset_class = SharedFacultyFilterSet
    title = _("Faculty-sharing register")
    create_url_name = "alliance:faculty-add"
    columns = [
        (_("Staff member"), "staff"),
        (_("Center"), "staff.center"),
        (_("Expertise"), "expertise"),
        (_("Professional title"), "staff.title"),
        (_("Listed on"), "listed_on"),
        (_("Withdrawn on"), "withdrawn_on"),
    ]
    empty_message = _("Nobody listed yet. Members list trainers who meet the standard.")

    def get_base_queryset(self):
        return SharedFaculty.objects.select_related("staff__center")


class FacultyDetailView(DetailFieldsMixin, ScopedDetailView):
    model = SharedFaculty
    template_name = "alliance/faculty_detail.html"
    edit_url_name = "alliance:faculty-edit"
    list_url = "alliance:faculty-list"
    fields = [
        (_("Staff member"), "staff"),
        (_("Center"), "staff.center"),
        (_("Professional title"), "staff.title"),
        (_("Honour"), "staff.honour"),
        (_("Subject"), "staff.subject"),
        (_("Expertise"), "expertise"),
        (_("Available for"), "available_for"),
        (_("Listed by"), "listed_by"),
        (_("Listed on"), "listed_on"),
        (_("Withdrawn on"), "withdrawn_on"),
    ]

    def get_base_queryset(self):
        return SharedFaculty.objects.select_related("staff__center", "listed_by").prefetch_related(
            Prefetch("staff__year_records")
        )

    def get_context_data(self, **kwargs):
        ctx = super().get_context_data(**kwargs)
        ctx["meets_standard"] = staff_meets_standard(self.object.staff)
        return ctx


class FacultyCreateView(ScopedCreateView):
    template_name = "alliance/form.html"
    model = SharedFaculty
    form_class = SharedFacultyForm

    def form_valid(self, form):
        try:
            self.object = form.save()
        except (ValidationError, PermissionDenied) as exc:
            add_errors(form, exc if isinstance(exc, ValidationError) else ValidationError(str(exc)))
            return self.form_invalid(form)
        messages.success(self.request, self.success_message)
        return HttpResponseRedirect(self.object.get_absolute_url())


class FacultyUpdateView(ScopedUpdateView):
    template_name = "alliance/form.html"
    model = SharedFaculty
    form_class = SharedFacultyForm


class FacultyWithdrawView(ScopedMixin, View):
    model = SharedFaculty
    action = "change"

    def post(self, request, pk):
        listing = get_object_or_404(SharedFaculty.objects.restrict(request.user, "change"), pk=pk)
        services.withdraw_faculty(listing, user=request.user)
        messages.success(request, gettext("Withdrawn from the register."))
        return redirect(listing.get_absolute_url())


# --- Digital resources ----------------------------------------------------------------


class ResourceListView(ScopedListView):
    model = DigitalResource
    filterset_class = DigitalResourceFilterSet
    template_name = "alliance/resource_list.html"
    title = _("Digital resource catalogue")
    create_url_name = "alliance:resource-add"
    columns = [
        (_("Title"), "title"),
        (_("Kind"), "kind"),
        (_("Contributed by"), "center"),
        (_("Subject or topic"), "subject"),
        (_("Year added"), "year_added"),
        (_("Year last renewed"), "year_renewed"),
        (_("Year retired"), "year_retired"),
    ]
    empty_message = _("No resources in the catalogue yet.")

    def get_base_queryset(self):
        return DigitalResource.objects.select_related("center")

    def get_context_data(self, **kwargs):
        ctx = super().get_context_data(**kwargs)
        # the five-year KPI is the administrators' figure, not a teacher's
        if set(get_scope(self.request.user).roles) - {Role.TEACHER}:
            ctx["renewal"] = services.renewal_rate(
                queryset=DigitalResource.objects.restrict(self.request.user)
            )
        return ctx


class ResourceDetailView(DetailFieldsMixin, ScopedDetailView):
    model = DigitalResource
    edit_url_name = "alliance:resource-edit"
    list_url = "alliance:resource-list"
    fields = [
        (_("Title"), "title"),
        (_("Kind"), "kind"),
        (_("Contributed by"), "center"),
        (_("Subject or topic"), "subject"),
        (_("Target group"), "audience"),
        (_("Address on the platform"), "url"),
        (_("Year added"), "year_added"),
        (_("Year last renewed"), "year_renewed"),
        (_("Year retired"), "year_retired"),
    ]

    def get_base_queryset(self):
        return DigitalResource.objects.select_related("center")


class ResourceCreateView(ScopedCreateView):
    template_name = "alliance/form.html"
    model = DigitalResource
    form_class = DigitalResourceForm


class ResourceUpdateView(ScopedUpdateView):
    template_name = "alliance/form.html"
    model = DigitalResource
    form_class = DigitalResourceForm


# --- Council resolutions and their follow-up --------------------------------------------


class ResolutionListView(ScopedListView):
    template_name = "alliance/list.html"
    model = Resolution
    filterset_class = ResolutionFilterSet
    title = _("Council resolutions")
    create_url_name = "alliance:resolution-add"
    columns = [
        (_("Resolution"), "__str__"),
        (_("Council meeting"), "meeting"),
        (_("Date"), "meeting.held_on"),
    ]
    empty_message = _("No council resolutions recorded yet.")

    def get_base_queryset(self):
        return Resolution.objects.select_related("meeting")


class ResolutionDetailView(DetailFieldsMixin, ScopedDetailView):
    model = Resolution
    template_name = "alliance/resolution_detail.html"
    edit_url_name = "alliance:resolution-edit"
    list_url = "alliance:resolution-list"
    fields = [
        (_("Resolution number"), "number"),
        (_("Title"), "title"),
        (_("Council meeting"), "meeting"),
        (_("Resolution text"), "text"),
    ]

    def get_base_queryset(self):
        return Resolution.objects.select_related("meeting")

    def get_context_data(self, **kwargs):
        ctx = super().get_context_data(**kwargs)
        follow_ups = (
            FollowUp.objects.restrict(self.request.user)
            .filter(resolution=self.object)
            .select_related("center")
        )
        ctx["follow_ups"] = follow_ups
        ctx["summary"] = services.follow_up_summary(follow_ups)
        ctx["can_add_follow_up"] = can(self.request.user, "add", FollowUp)
        return ctx


class ResolutionCreateView(ScopedCreateView):
    template_name = "alliance/form.html"
    model = Resolution
    form_class = ResolutionForm

    def get_initial(self):
        initial = super().get_initial()
        if self.request.GET.get("meeting", "").isdigit():
            initial["meeting"] = int(self.request.GET["meeting"])
        return initial


class ResolutionUpdateView(ScopedUpdateView):
    template_name = "alliance/form.html"
    model = Resolution
    form_class = ResolutionForm


class FollowUpListView(ScopedListView):
    template_name = "alliance/list.html"
    model = FollowUp
    filterset_class = FollowUpFilterSet
    title = _("Follow-up of council resolutions")
    create_url_name = "alliance:followup-add"
    columns = [
        (pgettext_lazy("follow-up", "Action"), "action"),
        (_("Resolution"), "resolution"),
        (_("Owner center"), "center"),
        (_("Due date"), "due_on"),
        (_("Status"), "status"),
        (_("Overdue"), "is_overdue"),
        (_("Done on"), "done_on"),
    ]
    empty_message = _("No follow-up actions yet. The secretariat assigns them per resolution.")

    def get_base_queryset(self):
        return FollowUp.objects.select_related("resolution", "center")


class FollowUpDetailView(DetailFieldsMixin, ScopedDetailView):
    model = FollowUp
    edit_url_name = "alliance:followup-edit"
    list_url = "alliance:followup-list"
    fields = [
        (_("Resolution"), "resolution"),
        (_("Council meeting"), "resolution.meeting"),
        (_("Owner center"), "center"),
        (pgettext_lazy("follow-up", "Action"), "action"),
        (_("Due date"), "due_on"),
        (_("Status"), "status"),
        (_("Overdue"), "is_overdue"),
        (_("Progress report"), "report"),
        (_("Done on"), "done_on"),
        (_("Reported by"), "reported_by"),
    ]

    def get_base_queryset(self):
        return FollowUp.objects.select_related("resolution__meeting", "center", "reported_by")


class FollowUpFormMixin:
    template_name = "alliance/form.html"
    model = FollowUp
    form_class = FollowUpForm

    def form_valid(self, form):
        self.object = form.save()
        messages.success(self.request, self.success_message)
        return HttpResponseRedirect(self.object.get_absolute_url())


class FollowUpCreateView(FollowUpFormMixin, ScopedCreateView):
    def get_initial(self):
        initial = super().get_initial()
        if self.request.GET.get("resolution", "").isdigit():
            initial["resolution"] = int(self.request.GET["resolution"])
        return initial


class FollowUpUpdateView(FollowUpFormMixin, ScopedUpdateView):
    pass


# --- Joint projects ------------------------------------------------------------------------


class ProjectListView(ScopedListView):
    template_name = "alliance/list.html"
    model = JointProject
    filterset_class = JointProjectFilterSet
    title = _("Joint projects")
    create_url_name = "alliance:project-add"
    columns = [
        (_("Project"), "title"),
        (_("Lead center"), "lead_center"),
        (_("Partner centers"), "partner_names"),
        (_("Status"), "status"),
        (_("Starts on"), "starts_on"),
        (_("Ends on"), "ends_on"),
    ]
    empty_message = _("No joint projects recorded yet.")

    def get_base_queryset(self):
        return JointProject.objects.select_related("lead_center").prefetch_related(
            "partner_centers"
        )


class ProjectDetailView(DetailFieldsMixin, ScopedDetailView):
    model = JointProject
    edit_url_name = "alliance:project-edit"
    list_url = "alliance:project-list"
    fields = [
        (_("Title"), "title"),
        (_("Description"), "description"),
        (_("Lead center"), "lead_center"),
        (_("Partner centers"), "partner_names"),
        (_("Council resolution"), "resolution"),
        (_("Starts on"), "starts_on"),
        (_("Ends on"), "ends_on"),
        (_("Status"), "status"),
        (_("Progress"), "progress"),
        (_("Outcome"), "outcome"),
    ]

    def get_base_queryset(self):
        return JointProject.objects.select_related("lead_center", "resolution").prefetch_related(
            "partner_centers"
        )


class ProjectCreateView(ScopedCreateView):
    template_name = "alliance/form.html"
    model = JointProject
    form_class = JointProjectForm


class ProjectUpdateView(ScopedUpdateView):
    template_name = "alliance/form.html"
    model = JointProject
    form_class = JointProjectForm


# --- Paired assistance ------------------------------------------------------------------


class PairListView(ScopedListView):
    template_name = "alliance/list.html"
    model = AssistancePair
    filterset_class = AssistancePairFilterSet
    title = _("Paired assistance")
    create_url_name = "alliance:pair-add"
    columns = [
        (_("Pair"), "__str__"),
        (_("Helping center"), "helper_center"),
        (_("Assisted center"), "assisted_center"),
        (_("Starts on"), "starts_on"),
        (_("Ends on"), "ends_on"),
    ]
    empty_message = _("No centers paired yet.")

    def get_base_queryset(self):
        return AssistancePair.objects.select_related("helper_center", "assisted_center")


class PairDetailView(DetailFieldsMixin, ScopedDetailView):
    model = AssistancePair
    template_name = "alliance/pair_detail.html"
    edit_url_name = "alliance:pair-edit"
    list_url = "alliance:pair-list"
    fields = [
        (_("Helping center"), "helper_center"),
        (_("Assisted center"), "assisted_center"),
        (_("Focus of the assistance"), "focus"),
        (_("Starts on"), "starts_on"),
        (_("Ends on"), "ends_on"),
    ]

    def get_base_queryset(self):
        return AssistancePair.objects.select_related("helper_center", "assisted_center")

    def get_context_data(self, **kwargs):
        ctx = super().get_context_data(**kwargs)
        activities = AssistanceActivity.objects.restrict(self.request.user).filter(pair=self.object)
        ctx["activities"] = activities
        ctx["years"] = services.activities_by_year(activities)
        ctx["can_add_activity"] = (
            AssistancePair.objects.restrict(self.request.user, "change")
            .filter(pk=self.object.pk)
            .exists()
        )
        return ctx


class PairCreateView(ScopedCreateView):
    template_name = "alliance/form.html"
    model = AssistancePair
    form_class = AssistancePairForm


class PairUpdateView(ScopedUpdateView):
    template_name = "alliance/form.html"
    model = AssistancePair
    form_class = AssistancePairForm


class ActivityDetailView(DetailFieldsMixin, ScopedDetailView):
    model = AssistanceActivity
    edit_url_name = "alliance:activity-edit"
    list_url = "alliance:pair-list"
    fields = [
        (_("Pair"), "pair"),
        (_("Date"), "held_on"),
        (_("Kind"), "kind"),
        (_("Title"), "title"),
        (_("Participants"), "participants"),
        (pgettext_lazy("assistance", "Summary"), "summary"),
    ]

    def get_base_queryset(self):
        return AssistanceActivity.objects.select_related(
            "pair__helper_center", "pair__assisted_center"
        )


class ActivityCreateView(ScopedCreateView):
    template_name = "alliance/form.html"
    model = AssistanceActivity
    form_class = AssistanceActivityForm

    def get_initial(self):
        initial = super().get_initial()
        if self.request.GET.get("pair", "").isdigit():
            initial["pair"] = int(self.request.GET["pair"])
        return initial


class ActivityUpdateView(ScopedUpdateView):
    template_name = "alliance/form.html"
    model = AssistanceActivity
    form_class = AssistanceActivityForm


# --- Proposals to the bureau ------------------------------------------------------------


class ProposalListView(ScopedListView):
    template_name = "alliance/list.html"
    model = Proposal
    filterset_class = ProposalFilterSet
    title = _("Proposals to the bureau")
    create_url_name = "alliance:proposal-add"
    columns = [
        (_("Title"), "title"),
        (_("Proposed by"), "origin"),
        (_("Drafting center"), "center"),
        (_("Addressed to"), "addressee"),
        (_("Status"), "status"),
        (_("Submitted on"), "submitted_on"),
        (_("Answered on"), "answered_on"),
    ]
    empty_message = _("No proposals yet.")

    def get_base_queryset(self):
        return Proposal.objects.select_related("center")


class ProposalDetailView(DetailFieldsMixin, ScopedDetailView):
    model = Proposal
    template_name = "alliance/proposal_detail.html"
    edit_url_name = "alliance:proposal-edit"
    list_url = "alliance:proposal-list"
    fields = [
        (_("Proposed by"), "origin"),
        (_("Drafting center"), "center"),
        (_("Addressed to"), "addressee"),
        (_("Adopted at council meeting"), "meeting"),
        (_("Status"), "status"),
        (_("Proposal"), "body"),
        (_("Why it was returned"), "return_note"),
        (_("Submitted on"), "submitted_on"),
        (_("Forwarded on"), "forwarded_on"),
        (_("Answered on"), "answered_on"),
        (pgettext_lazy("proposal", "Answer"), "answer"),
        (_("Answered by"), "answered_by"),
    ]

    def get_base_queryset(self):
        return Proposal.objects.select_related("center", "meeting", "answered_by")

    def get_context_data(self, **kwargs):
        ctx = super().get_context_data(**kwargs)
        ctx["can_change"] = ctx["can_change"] and self.object.is_editable
        ctx["steps"] = services.proposal_steps_for(self.object, self.request.user)
        return ctx


class ProposalCreateView(ScopedCreateView):
    template_name = "alliance/form.html"
    model = Proposal
    form_class = ProposalForm


class ProposalUpdateView(ScopedUpdateView):
    template_name = "alliance/form.html"
    model = Proposal
    form_class = ProposalForm


class ProposalStepView(ScopedMixin, View):
    """``POST …/proposals/<pk>/steps/<name>/``: one step (``services.PROPOSAL_STEPS``)."""

    model = Proposal

    def post(self, request, pk, name):
        proposal = get_object_or_404(Proposal.objects.restrict(request.user), pk=pk)
        form = ProposalStepForm(request.POST)
        form.is_valid()
        try:
            proposal = services.take_proposal_step(
                proposal, name, user=request.user, text=form.cleaned_data.get("text", "")
            )
        except ValidationError as exc:
            messages.error(request, " ".join(exc.messages))
        else:
            messages.success(
                request, gettext("Done: %(status)s.") % {"status": proposal.get_status_display()}
            )
        return redirect(proposal.get_absolute_url())


# --- Guidance of district centers ----------------------------------------------------------


class GuidanceListView(ScopedListView):
    template_name = "alliance/guidance_list.html"
    model = GuidanceVisit
    filterset_class = GuidanceVisitFilterSet
    title = _("Guidance of district centers")
    create_url_name = "alliance:guidance-add"
    columns = [
        (_("Topic of the guidance"), "topic"),
        (pgettext_lazy("guidance", "Visited on"), "visited_on"),
        (_("District center visited"), "district_center"),
        (_("Guiding center"), "center"),
        (_("Kind"), "kind"),
        (pgettext_lazy("guidance", "Follow-up"), "follow_up_status"),
        (_("Follow-up due"), "follow_up_due"),
    ]
    empty_message = _("No guidance visits recorded yet.")

    def get_base_queryset(self):
        return GuidanceVisit.objects.select_related("center", "district_center")

    def get_context_data(self, **kwargs):
        ctx = super().get_context_data(**kwargs)
        year = self.request.GET.get("year", "")
        ctx["coverage_year"] = int(year) if year.isdigit() else timezone.localdate().year
        ctx["coverage"] = services.guidance_coverage(
            year=ctx["coverage_year"], user=self.request.user
        )
        return ctx


class GuidanceDetailView(DetailFieldsMixin, ScopedDetailView):
    model = GuidanceVisit
    edit_url_name = "alliance:guidance-edit"
    list_url = "alliance:guidance-list"
    fields = [
        (_("Guiding center"), "center"),
        (pgettext_lazy("guidance", "Joined by"), "partner_names"),
        (_("District center visited"), "district_center"),
        (_("Kind"), "kind"),
        (pgettext_lazy("guidance", "Visited on"), "visited_on"),
        (_("Topic of the guidance"), "topic"),
        (pgettext_lazy("guidance", "Findings"), "findings"),
        (_("Recommendations"), "recommendations"),
        (_("Follow-up due"), "follow_up_due"),
        (pgettext_lazy("guidance", "Follow-up"), "follow_up_status"),
        (_("Overdue"), "is_overdue"),
        (_("Follow-up report"), "follow_up_report"),
        (_("Follow-up done on"), "follow_up_done_on"),
    ]

    def get_base_queryset(self):
        return GuidanceVisit.objects.select_related("center", "district_center").prefetch_related(
            "partner_centers"
        )


class GuidanceCreateView(ScopedCreateView):
    template_name = "alliance/form.html"
    model = GuidanceVisit
    form_class = GuidanceVisitForm


class GuidanceUpdateView(ScopedUpdateView):
    template_name = "alliance/form.html"
    model = GuidanceVisit
    form_class = GuidanceVisitForm


# --- The centers' own plans --------------------------------------------------------------


class PlanListView(ScopedListView):
    template_name = "alliance/list.html"
    model = CenterPlan
    filterset_class = CenterPlanFilterSet
    title = _("Center plans")
    create_url_name = "alliance:plan-add"
    columns = [
        (_("Title"), "title"),
        (_("Center"), "center"),
        (_("Kind"), "kind"),
        (_("First year"), "starts_year"),
        (_("Last year"), "ends_year"),
        (_("Status"), "status"),
        (_("Implementation report on"), "summary_on"),
    ]
    empty_message = _("No center plans filed yet.")

    def get_base_queryset(self):
        return CenterPlan.objects.select_related("center")


class PlanDetailView(DetailFieldsMixin, ScopedDetailView):
    model = CenterPlan
    template_name = "alliance/plan_detail.html"
    edit_url_name = "alliance:plan-edit"
    list_url = "alliance:plan-list"
    fields = [
        (_("Center"), "center"),
        (_("Kind"), "kind"),
        (_("First year"), "starts_year"),
        (_("Last year"), "ends_year"),
        (_("Five-year plan"), "parent"),
        (_("Status"), "status"),
        (_("Text of the plan"), "body"),
        (_("Why it was returned"), "return_note"),
        (_("Filed on"), "filed_on"),
        (_("Recorded on"), "approved_on"),
        (_("Implementation report"), "summary"),
        (_("Implementation report on"), "summary_on"),
    ]

    def get_base_queryset(self):
        return CenterPlan.objects.select_related("center", "parent__center")

    def get_context_data(self, **kwargs):
        ctx = super().get_context_data(**kwargs)
        plan, user = self.object, self.request.user
        ctx["can_change"] = ctx["can_change"] and plan.is_editable
        ctx["steps"] = services.plan_steps_for(plan, user)
        ctx["annual_plans"] = CenterPlan.objects.restrict(user).filter(parent=plan)
        ctx["can_report"] = (
            plan.kind == "annual"
            and plan.status == "approved"
            and CenterPlan.objects.restrict(user, "file").filter(pk=plan.pk).exists()
        )
        ctx["summary_form"] = PlanSummaryForm(initial={"summary": plan.summary})
        return ctx


class PlanCreateView(ScopedCreateView):
    template_name = "alliance/form.html"
    model = CenterPlan
    form_class = CenterPlanForm


class PlanUpdateView(ScopedUpdateView):
    template_name = "alliance/form.html"
    model = CenterPlan
    form_class = CenterPlanForm


class PlanStepView(ScopedMixin, View):
    model = CenterPlan

    def post(self, request, pk, name):
        plan = get_object_or_404(CenterPlan.objects.restrict(request.user), pk=pk)
        try:
            plan = services.take_plan_step(
                plan, name, user=request.user, note=request.POST.get("note", "")
            )
        except ValidationError as exc:
            messages.error(request, " ".join(exc.messages))
        else:
            messages.success(
                request, gettext("Done: %(status)s.") % {"status": plan.get_status_display()}
            )
        return redirect(plan.get_absolute_url())


class PlanSummaryView(ScopedMixin, View):
    model = CenterPlan

    def post(self, request, pk):
        plan = get_object_or_404(CenterPlan.objects.restrict(request.user), pk=pk)
        form = PlanSummaryForm(request.POST)
        form.is_valid()
        try:
            services.write_plan_summary(
                plan, user=request.user, text=form.cleaned_data.get("summary", "")
            )
        except ValidationError as exc:
            messages.error(request, " ".join(exc.messages))
        else:
            messages.success(request, gettext("Saved."))
        return redirect(plan.get_absolute_url())


# --- Cross-center hiring (互聘) ----------------------------------------------------------


class EngagementListView(ScopedListView):
    template_name = "alliance/list.html"
    model = FacultyEngagement
    filterset_class = FacultyEngagementFilterSet
    title = _("Cross-center engagements")
    create_url_name = "alliance:engagement-add"
    columns = [
        (_("Engagement"), "__str__"),
        (_("Engaged for"), "purpose"),
        (_("Starts on"), "starts_on"),
        (_("Ends on"), "ends_on"),
    ]
    empty_message = _("No trainers engaged across centers yet.")

    def get_base_queryset(self):
        return FacultyEngagement.objects.select_related("listing__staff", "center")


class EngagementDetailView(DetailFieldsMixin, ScopedDetailView):
    model = FacultyEngagement
    edit_url_name = "alliance:engagement-edit"
    list_url = "alliance:engagement-list"
    fields = [
        (_("Shared trainer"), "listing"),
        (_("Center"), "listing.staff.center"),
        (_("Engaging center"), "center"),
        (_("Engaged for"), "purpose"),
        (_("Starts on"), "starts_on"),
        (_("Ends on"), "ends_on"),
    ]

    def get_base_queryset(self):
        return FacultyEngagement.objects.select_related("listing__staff__center", "center")


class EngagementCreateView(ScopedCreateView):
    template_name = "alliance/form.html"
    model = FacultyEngagement
    form_class = FacultyEngagementForm

    def get_initial(self):
        initial = super().get_initial()
        if self.request.GET.get("listing", "").isdigit():
            initial["listing"] = int(self.request.GET["listing"])
        return initial


class EngagementUpdateView(ScopedUpdateView):
    template_name = "alliance/form.html"
    model = FacultyEngagement
    form_class = FacultyEngagementForm


# --- Teacher-development schools (教师发展学校建设) ----------------------------------------


class DevelopmentSchoolListView(ScopedListView):
    template_name = "alliance/list.html"
    model = TeacherDevelopmentSchool
    filterset_class = TeacherDevelopmentSchoolFilterSet
    title = _("Teacher-development schools")
    create_url_name = "alliance:devschool-add"
    columns = [
        (_("School"), "school"),
        (_("Focus of the building"), "focus"),
        (_("District center building it"), "district_center"),
        (_("Guiding member center"), "guiding_center"),
        (_("In the building since"), "since"),
        (_("Left the building on"), "ended_on"),
    ]
    empty_message = _("No teacher-development schools recorded yet.")

    def get_base_queryset(self):
        return TeacherDevelopmentSchool.objects.select_related(
            "school", "district_center", "guiding_center"
        )


class DevelopmentSchoolDetailView(DetailFieldsMixin, ScopedDetailView):
    model = TeacherDevelopmentSchool
    edit_url_name = "alliance:devschool-edit"
    list_url = "alliance:devschool-list"
    fields = [
        (_("School"), "school"),
        (_("District center building it"), "district_center"),
        (_("Guiding member center"), "guiding_center"),
        (_("Focus of the building"), "focus"),
        (_("Designated by (as recorded)"), "designated_by"),
        (_("In the building since"), "since"),
        (_("Progress of the building"), "progress"),
        (_("Left the building on"), "ended_on"),
        (_("Why it left"), "end_reason"),
    ]

    def get_base_queryset(self):
        return TeacherDevelopmentSchool.objects.select_related(
            "school", "district_center", "guiding_center"
        )


class DevelopmentSchoolCreateView(ScopedCreateView):
    template_name = "alliance/form.html"
    model = TeacherDevelopmentSchool
    form_class = TeacherDevelopmentSchoolForm


class DevelopmentSchoolUpdateView(ScopedUpdateView):
    template_name = "alliance/form.html"
    model = TeacherDevelopmentSchool
    form_class = TeacherDevelopmentSchoolForm
