"""The alliance's forms: each one asks ``services`` for the rules, so a page
and the API refuse the same things with the same messages (model forms
through ``core.forms.ServiceCheckMixin``'s ``service_check``)."""

from django import forms
from django.contrib.auth import get_user_model
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from centers.models import Center, StaffMember
from core.forms import ServiceCheckMixin, StyledForm, StyledModelForm, add_errors
from core.models import Membership
from core.permissions import can, get_scope
from core.roles import Role

from . import services
from .models import (
    Achievement,
    AssistanceActivity,
    AssistancePair,
    Booking,
    CenterPlan,
    CenterPlanKind,
    ChairTerm,
    CouncilMember,
    DigitalResource,
    DocumentKind,
    FacultyEngagement,
    FollowUp,
    GuidanceVisit,
    JointProject,
    Meeting,
    MeetingKind,
    Proposal,
    ProposalOrigin,
    Resolution,
    SharedFaculty,
    TeacherDevelopmentSchool,
    WorkDocument,
)

DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
DATETIME = forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M")


def staff_users(center_ids):
    """Users with an active center-staff membership at those centers."""
    user_ids = (
        Membership.objects.active()
        .filter(role=Role.CENTER_STAFF, organisation_id__in=list(center_ids))
        .values("user_id")
    )
    return get_user_model().objects.filter(pk__in=user_ids).order_by("username")


def own_member_centers(user):
    """The member centers a user acts for: all of them for the secretariat,
    their own for member staff."""
    return services.member_centers().restrict(user, "act_for")


class CouncilMemberForm(ServiceCheckMixin, StyledModelForm):
    class Meta:
        model = CouncilMember
        fields = ["center", "order", "representative", "liaison", "joined_on", "is_active"]
        widgets = {"joined_on": DATE}

    wants = ("user",)

    def __init__(self, *args, user=None, **kwargs):
        super().__init__(*args, **kwargs)
        if self.instance.pk:
            self.fields["center"].disabled = True
            people = staff_users([self.instance.center_id])
        else:
            people = staff_users(
                Center.objects.restrict(user).filter(kind="municipal").values_list("pk", flat=True)
            )
        self.fields["representative"].queryset = people
        self.fields["liaison"].queryset = people

    service_check_after_model = True

    def service_check(self, instance):
        services.check_council_member(instance)


class ChairTermForm(ServiceCheckMixin, StyledModelForm):
    class Meta:
        model = ChairTerm
        fields = ["sequence", "center", "starts_on", "ends_on", "secretary_general", "note"]
        widgets = {"starts_on": DATE, "ends_on": DATE}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["center"].queryset = services.member_centers()
        self.fields["secretary_general"].queryset = staff_users(
            services.member_centers().values_list("pk", flat=True)
        )

    service_check_after_model = True

    def service_check(self, instance):
        services.check_term(instance)


class DocumentCreateForm(StyledModelForm):
    class Meta:
        model = WorkDocument
        fields = ["kind", "year", "title", "body"]
        widgets = {"body": forms.Textarea(attrs={"rows": 16})}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["year"].initial = timezone.localdate().year + 1
        self.fields["kind"].initial = DocumentKind.PLAN


class DocumentEditForm(StyledModelForm):
    class Meta:
        model = WorkDocument
        fields = ["title", "body"]
        widgets = {"body": forms.Textarea(attrs={"rows": 16})}


class TransitionForm(StyledForm):
    note = forms.CharField(
        label=_("Note"), required=False, widget=forms.Textarea(attrs={"rows": 2})
    )
    meeting = forms.ModelChoiceField(
        label=_("Approved at meeting"), queryset=Meeting.objects.none(), required=False
    )

    def __init__(self, *args, user=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["meeting"].queryset = (
            Meeting.objects.restrict(user).filter(kind=MeetingKind.COUNCIL).order_by("-held_on")
        )


class CommentForm(StyledForm):
    body = forms.CharField(label=_("Comment"), widget=forms.Textarea(attrs={"rows": 3}))


class MeetingForm(StyledModelForm):
    class Meta:
        model = Meeting
        fields = [
            "kind",
            "title",
            "theme",
            "common_problem",
            "problem_shared_by",
            "held_on",
            "venue",
            "host_center",
            "agenda",
            "participant_centers",
            "participants",
            "minutes",
        ]
        widgets = {
            "held_on": DATE,
            "problem_shared_by": forms.CheckboxSelectMultiple,
            "participant_centers": forms.CheckboxSelectMultiple,
            "agenda": forms.Textarea(attrs={"rows": 5}),
            "minutes": forms.Textarea(attrs={"rows": 8}),
            "common_problem": forms.Textarea(attrs={"rows": 3}),
        }

    wants = ("user",)

    def __init__(self, *args, user=None, **kwargs):
        super().__init__(*args, **kwargs)
        members = services.member_centers()
        self.fields["problem_shared_by"].queryset = members
        self.fields["host_center"].queryset = members
        self.fields["participant_centers"].queryset = Center.objects.restrict(user).order_by(
            "kind", "code"
        )
        self.fields["participants"].queryset = staff_users(members.values_list("pk", flat=True))
        self.fields["participants"].required = False

    def clean(self):
        data = super().clean()
        try:
            services.check_common_theme(
                kind=data.get("kind"),
                theme=data.get("theme"),
                common_problem=data.get("common_problem"),
                shared_by=data.get("problem_shared_by") or [],
            )
        except ValidationError as exc:
            add_errors(self, exc)
        return data


class AchievementForm(StyledModelForm):
    wants = ("user",)

    class Meta:
        model = Achievement
        fields = ["center", "year", "kind", "count", "description"]
        widgets = {"description": forms.Textarea(attrs={"rows": 3})}

    def __init__(self, *args, user=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.user = user
        self.fields["center"].queryset = own_member_centers(user)
        if not self.instance.pk:
            self.fields["year"].initial = timezone.localdate().year

    def clean(self):
        data = super().clean()
        center = data.get("center")
        if center is not None:
            try:
                services.check_achievement(user=self.user, center_id=center.pk)
            except PermissionDenied as exc:
                self.add_error("center", str(exc))
            except ValidationError as exc:
                self.add_error("center", exc.message_dict.get("center", exc.messages))
        return data

    def save(self, commit=True):
        if self.instance.reported_by_id is None or self.has_changed():
            self.instance.reported_by = self.user
        return super().save(commit)


class BookingForm(ServiceCheckMixin, StyledModelForm):
    wants = ("user",)

    class Meta:
        model = Booking
        fields = ["room", "center", "starts_at", "ends_at", "purpose", "attendees"]
        widgets = {"starts_at": DATETIME, "ends_at": DATETIME}

    def __init__(self, *args, user=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.user = user
        self.fields["room"].queryset = services.bookable_rooms()
        self.fields["room"].label_from_instance = lambda r: (
            f"{r.campus.center.short_name or r.campus.center} · {r.campus} · {r.name} "
            f"({r.get_function_display()}, {r.seats})"
        )
        self.fields["center"].queryset = own_member_centers(user)

    service_check_after_model = True

    def service_check(self, instance):
        services.check_booking(instance, user=self.user)

    def save(self, commit=True):
        try:
            return services.save_booking(self.instance, user=self.user)
        except ValidationError as exc:
            # A concurrent booking won the race after clean(): the view re-shows the form.
            self.add_error(None, exc)
            raise


class SharedFacultyForm(StyledModelForm):
    wants = ("user",)

    class Meta:
        model = SharedFaculty
        fields = ["staff", "expertise", "available_for"]
        widgets = {"available_for": forms.Textarea(attrs={"rows": 3})}

    def __init__(self, *args, user=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.user = user
        if self.instance.pk:
            self.fields["staff"].disabled = True
        centers = own_member_centers(user)
        self.fields["staff"].queryset = (
            StaffMember.objects.restrict(user)
            .filter(center__in=centers, is_active=True)
            .select_related("center")
        )

    def clean_staff(self):
        staff = self.cleaned_data["staff"]
        if not self.instance.pk:
            try:
                services.check_faculty(
                    StaffMember.objects.restrict(self.user)
                    .prefetch_related("year_records")
                    .get(pk=staff.pk)
                )
            except ValidationError as exc:
                raise ValidationError(exc.message_dict["staff"]) from exc
        return staff

    def clean(self):
        data = super().clean()
        staff = data.get("staff")
        if staff is not None and not self.instance.pk:
            try:
                services.check_not_listed(staff)
            except ValidationError as exc:
                add_errors(self, exc)
        return data

    def save(self, commit=True):
        if self.instance.pk:
            return super().save(commit)
        return services.list_faculty(
            user=self.user,
            staff=self.cleaned_data["staff"],
            expertise=self.cleaned_data["expertise"],
            available_for=self.cleaned_data.get("available_for", ""),
        )


class DigitalResourceForm(StyledModelForm):
    url = forms.URLField(label=_("address on the platform"), required=False, assume_scheme="https")

    class Meta:
        model = DigitalResource
        fields = [
            "title",
            "kind",
            "center",
            "subject",
            "audience",
            "url",
            "year_added",
            "year_renewed",
            "year_retired",
        ]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["center"].queryset = services.member_centers()


class ResolutionForm(StyledModelForm):
    wants = ("user",)

    class Meta:
        model = Resolution
        fields = ["meeting", "number", "title", "text"]
        widgets = {"text": forms.Textarea(attrs={"rows": 6})}

    def __init__(self, *args, user=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["meeting"].queryset = Meeting.objects.restrict(user).filter(
            kind=MeetingKind.COUNCIL
        )

    def clean(self):
        data = super().clean()
        try:
            services.check_resolution(
                Resolution(meeting=data.get("meeting")) if data.get("meeting") else Resolution()
            )
        except ValidationError as exc:
            add_errors(self, exc)
        return data


class FollowUpForm(ServiceCheckMixin, StyledModelForm):
    """The secretariat assigns the action; the owner center's staff see the
    assignment read-only and report on it (status and report)."""

    wants = ("user",)

    class Meta:
        model = FollowUp
        fields = ["resolution", "center", "action", "due_on", "status", "report"]
        widgets = {
            "due_on": DATE,
            "action": forms.Textarea(attrs={"rows": 3}),
            "report": forms.Textarea(attrs={"rows": 4}),
        }

    def __init__(self, *args, user=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.user = user
        self.original = (
            FollowUp.objects.restrict(user).get(pk=self.instance.pk) if self.instance.pk else None
        )
        self.fields["center"].queryset = services.member_centers()
        self.fields["resolution"].queryset = Resolution.objects.restrict(user).select_related(
            "meeting"
        )
        if not can(user, "add", FollowUp):
            for name in services.FOLLOW_UP_ASSIGNED_FIELDS:
                self.fields[name.removesuffix("_id")].disabled = True

    def service_check(self, instance):
        services.check_follow_up(instance, user=self.user, original=self.original)

    def save(self, commit=True):
        services.stamp_follow_up(self.instance, user=self.user, original=self.original)
        return super().save(commit)


class JointProjectForm(ServiceCheckMixin, StyledModelForm):
    """The secretariat records a project; the lead center's staff keep it up
    to date but do not change its lead."""

    wants = ("user",)

    class Meta:
        model = JointProject
        fields = [
            "title",
            "description",
            "lead_center",
            "partner_centers",
            "resolution",
            "starts_on",
            "ends_on",
            "status",
            "progress",
            "outcome",
        ]
        widgets = {
            "starts_on": DATE,
            "ends_on": DATE,
            "partner_centers": forms.CheckboxSelectMultiple,
            "description": forms.Textarea(attrs={"rows": 4}),
            "progress": forms.Textarea(attrs={"rows": 4}),
            "outcome": forms.Textarea(attrs={"rows": 4}),
        }

    def __init__(self, *args, user=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.user = user
        self.original = (
            JointProject.objects.restrict(user).get(pk=self.instance.pk)
            if self.instance.pk
            else None
        )
        members = services.member_centers()
        self.fields["lead_center"].queryset = members
        self.fields["partner_centers"].queryset = members
        self.fields["partner_centers"].required = False  # the service names the rule
        self.fields["resolution"].queryset = Resolution.objects.restrict(user).select_related(
            "meeting"
        )
        if not can(user, "add", JointProject):
            self.fields["lead_center"].disabled = True

    def service_check(self, instance):
        services.check_project(
            instance,
            partner_ids=self.cleaned_data.get("partner_centers") or [],
            user=self.user,
            original=self.original,
        )


class AssistancePairForm(ServiceCheckMixin, StyledModelForm):
    wants = ("user",)

    class Meta:
        model = AssistancePair
        fields = ["helper_center", "assisted_center", "focus", "starts_on", "ends_on"]
        widgets = {"starts_on": DATE, "ends_on": DATE, "focus": forms.Textarea(attrs={"rows": 3})}

    def __init__(self, *args, user=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.user = user
        self.original = (
            AssistancePair.objects.restrict(user).get(pk=self.instance.pk)
            if self.instance.pk
            else None
        )
        self.fields["helper_center"].queryset = services.member_centers()
        self.fields["assisted_center"].queryset = services.district_centers()
        if not can(user, "add", AssistancePair):
            self.fields["helper_center"].disabled = True
            self.fields["assisted_center"].disabled = True

    def service_check(self, instance):
        services.check_pair(instance, user=self.user, original=self.original)


class AssistanceActivityForm(ServiceCheckMixin, StyledModelForm):
    wants = ("user",)

    class Meta:
        model = AssistanceActivity
        fields = ["pair", "held_on", "kind", "title", "participants", "summary"]
        widgets = {"held_on": DATE, "summary": forms.Textarea(attrs={"rows": 4})}

    def __init__(self, *args, user=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.user = user
        self.fields["pair"].queryset = AssistancePair.objects.restrict(
            user, "change"
        ).select_related("helper_center", "assisted_center")

    def service_check(self, instance):
        services.check_activity(instance, user=self.user)


class ProposalForm(ServiceCheckMixin, StyledModelForm):
    """Draft or change a development proposal; the rules are
    ``services.check_proposal``'s."""

    wants = ("user",)

    class Meta:
        model = Proposal
        fields = ["origin", "center", "addressee", "title", "body", "meeting"]
        widgets = {"body": forms.Textarea(attrs={"rows": 8})}

    def __init__(self, *args, user=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.user = user
        self.original = (
            Proposal.objects.restrict(user, "change").get(pk=self.instance.pk)
            if self.instance.pk
            else None
        )
        self.fields["center"].queryset = services.member_centers()
        self.fields["meeting"].queryset = Meeting.objects.restrict(user).filter(
            kind=MeetingKind.COUNCIL
        )
        secretariat = get_scope(user).has_role(Role.SECRETARIAT)
        if not self.instance.pk:
            own = list(services.proposal_centers(user)[:2])
            self.fields["origin"].initial = (
                ProposalOrigin.CENTER if own and not secretariat else ProposalOrigin.COUNCIL
            )
            if len(own) == 1:
                self.fields["center"].initial = own[0].pk
        else:
            self.fields["origin"].disabled = True

    def service_check(self, instance):
        services.check_proposal(instance, user=self.user, original=self.original)


class ProposalStepForm(StyledForm):
    text = forms.CharField(
        label=_("Note or answer"), required=False, widget=forms.Textarea(attrs={"rows": 3})
    )


class GuidanceVisitForm(ServiceCheckMixin, StyledModelForm):
    """Record a guidance visit (the guiding center) or report on its
    follow-up (the district center: the other fields are read-only)."""

    wants = ("user",)

    class Meta:
        model = GuidanceVisit
        fields = [
            "center",
            "partner_centers",
            "district_center",
            "kind",
            "visited_on",
            "topic",
            "findings",
            "recommendations",
            "follow_up_due",
            "follow_up_status",
            "follow_up_report",
        ]
        widgets = {
            "visited_on": DATE,
            "follow_up_due": DATE,
            "partner_centers": forms.CheckboxSelectMultiple,
            "findings": forms.Textarea(attrs={"rows": 4}),
            "recommendations": forms.Textarea(attrs={"rows": 4}),
            "follow_up_report": forms.Textarea(attrs={"rows": 4}),
        }

    def __init__(self, *args, user=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.user = user
        self.original = (
            GuidanceVisit.objects.restrict(user, "change").get(pk=self.instance.pk)
            if self.instance.pk
            else None
        )
        members = services.member_centers()
        self.fields["center"].queryset = members
        self.fields["partner_centers"].queryset = members
        self.fields["district_center"].queryset = services.district_centers()
        if not can(user, "add", GuidanceVisit):
            for name in self.fields:
                if name not in services.GUIDANCE_REPORT_FIELDS:
                    self.fields[name].disabled = True
        elif not self.instance.pk:
            own = list(Center.objects.restrict(user, "act_for").filter(pk__in=members)[:2])
            if len(own) == 1:
                self.fields["center"].initial = own[0].pk

    def service_check(self, instance):
        services.check_visit(
            instance,
            partner_ids=self.cleaned_data.get("partner_centers") or [],
            user=self.user,
            original=self.original,
        )
        services.stamp_visit(instance)


class CenterPlanForm(ServiceCheckMixin, StyledModelForm):
    wants = ("user",)

    class Meta:
        model = CenterPlan
        fields = ["center", "kind", "starts_year", "parent", "title", "body"]
        widgets = {"body": forms.Textarea(attrs={"rows": 8})}

    def __init__(self, *args, user=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.user = user
        self.original = (
            CenterPlan.objects.restrict(user, "change").get(pk=self.instance.pk)
            if self.instance.pk
            else None
        )
        own = services.proposal_centers(user)
        self.fields["center"].queryset = own
        self.fields["parent"].queryset = (
            CenterPlan.objects.restrict(user, "change")
            .filter(kind=CenterPlanKind.FIVE_YEAR)
            .select_related("center")
        )
        if not self.instance.pk and len(own[:2]) == 1:
            self.fields["center"].initial = own[0].pk

    def service_check(self, instance):
        services.check_plan(instance, user=self.user, original=self.original)


class PlanSummaryForm(StyledForm):
    summary = forms.CharField(
        label=_("Implementation report"), widget=forms.Textarea(attrs={"rows": 6})
    )


class FacultyEngagementForm(ServiceCheckMixin, StyledModelForm):
    wants = ("user",)

    class Meta:
        model = FacultyEngagement
        fields = ["listing", "center", "purpose", "starts_on", "ends_on"]
        widgets = {"starts_on": DATE, "ends_on": DATE}

    def __init__(self, *args, user=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.user = user
        self.fields["listing"].queryset = (
            SharedFaculty.objects.restrict(user)
            .filter(withdrawn_on__isnull=True)
            .select_related("staff__center")
        )
        self.fields["center"].queryset = Center.objects.restrict(user, "share_for").filter(
            pk__in=services.member_centers()
        )

    def service_check(self, instance):
        services.check_engagement(instance, user=self.user)


class TeacherDevelopmentSchoolForm(ServiceCheckMixin, StyledModelForm):
    """Record a teacher-development school (the guiding member center) or
    report its progress (the district center: the other fields read-only)."""

    wants = ("user",)

    class Meta:
        model = TeacherDevelopmentSchool
        fields = [
            "school",
            "district_center",
            "guiding_center",
            "focus",
            "designated_by",
            "since",
            "progress",
            "ended_on",
            "end_reason",
        ]
        widgets = {
            "since": DATE,
            "ended_on": DATE,
            "progress": forms.Textarea(attrs={"rows": 4}),
            "end_reason": forms.Textarea(attrs={"rows": 3}),
        }

    def __init__(self, *args, user=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.user = user
        self.original = (
            TeacherDevelopmentSchool.objects.restrict(user, "change").get(pk=self.instance.pk)
            if self.instance.pk
            else None
        )
        members = services.member_centers()
        self.fields["guiding_center"].queryset = members
        self.fields["district_center"].queryset = services.district_centers()
        self.fields["school"].queryset = self.fields["school"].queryset.select_related("district")
        if not can(user, "add", TeacherDevelopmentSchool):
            for name in self.fields:
                if name not in services.DEVELOPMENT_SCHOOL_DISTRICT_FIELDS:
                    self.fields[name].disabled = True
        elif not self.instance.pk:
            own = list(Center.objects.restrict(user, "act_for").filter(pk__in=members)[:2])
            if len(own) == 1:
                self.fields["guiding_center"].initial = own[0].pk

    def service_check(self, instance):
        services.check_development_school(instance, user=self.user, original=self.original)
