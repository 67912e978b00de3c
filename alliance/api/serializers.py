from django.core.exceptions import NON_FIELD_ERRORS
from django.core.exceptions import ValidationError as DjangoValidationError
from django.db import transaction
from rest_framework import serializers

from .. import services
from ..models import (
    Achievement,
    AssistanceActivity,
    AssistancePair,
    Booking,
    CenterPlan,
    ChairTerm,
    CouncilMember,
    DigitalResource,
    DocumentComment,
    DocumentStatus,
    DocumentStep,
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


def _as_drf(exc: DjangoValidationError):
    if not hasattr(exc, "error_dict"):
        return serializers.ValidationError({"non_field_errors": exc.messages})
    detail = {
        ("non_field_errors" if name == NON_FIELD_ERRORS else name): messages
        for name, messages in exc.message_dict.items()
    }
    return serializers.ValidationError(detail)


def _candidate(serializer, attrs, model):
    """An unsaved instance holding what the object would be after this
    request: the instance's values overlaid with ``attrs`` (many-to-many
    fields left out)."""
    instance = model()
    if serializer.instance is not None:
        for f in model._meta.concrete_fields:
            setattr(instance, f.attname, getattr(serializer.instance, f.attname))
        instance._state.adding = False  # unique checks leave the row itself out
    for name, value in attrs.items():
        field = model._meta.get_field(name)
        if not field.many_to_many:
            setattr(instance, name, value)
    return instance


class ModelRulesMixin:
    """Hold the API to the model's own rules, as a ``ModelForm`` does: run
    ``clean()`` and the model's constraints before saving, so a
    ``CheckConstraint`` or ``UniqueConstraint`` answers 400 with the field
    and message instead of reaching the database."""

    def validate(self, attrs):
        attrs = super().validate(attrs)
        instance = _candidate(self, attrs, self.Meta.model)
        self.check_rules(instance)
        try:
            instance.clean()
            instance.validate_constraints()
        except DjangoValidationError as exc:
            raise _as_drf(exc) from exc
        return attrs

    def check_rules(self, instance):
        """Rules over several objects, from ``services``; override."""

    # A constraint that still fails (a race) rolls back only this save: the
    # API's exception handler then answers 400 (``core.api.exceptions``).
    def create(self, validated_data):
        with transaction.atomic():
            return super().create(validated_data)

    def update(self, instance, validated_data):
        with transaction.atomic():
            return super().update(instance, validated_data)


class ScopedMeetingField(serializers.PrimaryKeyRelatedField):
    """A meeting the request's user may see (``restrict(user, "view")``)."""

    def get_queryset(self):
        request = self.context.get("request")
        if request is None:
            return Meeting.objects.none()
        return super().get_queryset().restrict(request.user, "view")


class CouncilMemberSerializer(ModelRulesMixin, serializers.ModelSerializer):
    center_name = serializers.CharField(source="center.name", read_only=True)

    class Meta:
        model = CouncilMember
        fields = [
            "id",
            "center",
            "center_name",
            "order",
            "representative",
            "liaison",
            "joined_on",
            "is_active",
            "updated_at",
        ]

    def check_rules(self, instance):
        try:
            services.check_council_member(instance)
        except DjangoValidationError as exc:
            raise _as_drf(exc) from exc


class ChairTermSerializer(serializers.ModelSerializer):
    center_name = serializers.CharField(source="center.name", read_only=True)

    class Meta:
        model = ChairTerm
        fields = [
            "id",
            "sequence",
            "center",
            "center_name",
            "starts_on",
            "ends_on",
            "secretary_general",
            "handed_over_at",
            "note",
            "updated_at",
        ]
        read_only_fields = ["handed_over_at"]

    def validate(self, attrs):
        term = ChairTerm(pk=getattr(self.instance, "pk", None))
        for name in ("sequence", "center", "starts_on", "ends_on", "secretary_general", "note"):
            value = attrs.get(name, getattr(self.instance, name, None) if self.instance else None)
            setattr(term, name, value)
        try:
            services.check_term(term)
        except DjangoValidationError as exc:
            raise _as_drf(exc) from exc
        return attrs


class DocumentStepSerializer(serializers.ModelSerializer):
    # Plain strings: the statuses are described once, on the document.
    from_status = serializers.CharField(read_only=True)
    to_status = serializers.CharField(read_only=True)

    class Meta:
        model = DocumentStep
        fields = ["action", "from_status", "to_status", "version", "actor", "note", "at"]


class DocumentVersionSerializer(serializers.ModelSerializer):
    class Meta:
        model = DocumentVersion
        fields = ["number", "title", "body", "author", "created_at"]


class DocumentCommentSerializer(serializers.ModelSerializer):
    class Meta:
        model = DocumentComment
        fields = ["id", "version", "center", "author", "body", "created_at"]
        read_only_fields = ["version", "center", "author", "created_at"]


class WorkDocumentSerializer(serializers.ModelSerializer):
    status = serializers.ChoiceField(
        choices=DocumentStatus.choices,
        read_only=True,
        help_text="draft → consultation → approved → filed → received (see POST …/transition/).",
    )
    status_display = serializers.CharField(source="get_status_display", read_only=True)
    steps = DocumentStepSerializer(many=True, read_only=True)

    class Meta:
        model = WorkDocument
        fields = [
            "id",
            "kind",
            "year",
            "title",
            "body",
            "status",
            "status_display",
            "version",
            "approved_at_meeting",
            "created_by",
            "created_at",
            "updated_at",
            "steps",
        ]
        read_only_fields = ["status", "version", "approved_at_meeting", "created_by"]

    def create(self, validated_data):
        try:
            return services.create_document(user=self.context["request"].user, **validated_data)
        except DjangoValidationError as exc:
            raise _as_drf(exc) from exc

    def update(self, instance, validated_data):
        try:
            return services.edit_document(
                instance,
                user=self.context["request"].user,
                title=validated_data.get("title", instance.title),
                body=validated_data.get("body", instance.body),
            )
        except DjangoValidationError as exc:
            raise _as_drf(exc) from exc


class TransitionSerializer(serializers.Serializer):
    step = serializers.ChoiceField(choices=sorted(services.TRANSITIONS))
    note = serializers.CharField(required=False, allow_blank=True, default="")
    meeting = ScopedMeetingField(queryset=Meeting.objects.all(), required=False, allow_null=True)


class MeetingSerializer(serializers.ModelSerializer):
    class Meta:
        model = Meeting
        fields = [
            "id",
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
            "updated_at",
        ]

    def validate(self, attrs):
        def current(name):
            if name in attrs:
                return attrs[name]
            if self.instance is None:
                return [] if name == "problem_shared_by" else ""
            value = getattr(self.instance, name)
            return list(value.all()) if name == "problem_shared_by" else value

        try:
            services.check_common_theme(
                kind=current("kind"),
                theme=current("theme"),
                common_problem=current("common_problem"),
                shared_by=current("problem_shared_by"),
            )
        except DjangoValidationError as exc:
            raise _as_drf(exc) from exc
        return attrs


class AchievementSerializer(ModelRulesMixin, serializers.ModelSerializer):
    class Meta:
        model = Achievement
        fields = [
            "id",
            "center",
            "year",
            "kind",
            "count",
            "description",
            "reported_by",
            "updated_at",
        ]
        read_only_fields = ["reported_by"]

    def check_rules(self, instance):
        if instance.center_id is not None:
            services.check_achievement(
                user=self.context["request"].user, center_id=instance.center_id
            )

    def save(self, **kwargs):
        return super().save(reported_by=self.context["request"].user, **kwargs)


class BookingSerializer(serializers.ModelSerializer):
    class Meta:
        model = Booking
        fields = [
            "id",
            "room",
            "center",
            "starts_at",
            "ends_at",
            "purpose",
            "attendees",
            "booked_by",
            "cancelled_at",
            "updated_at",
        ]
        read_only_fields = ["booked_by", "cancelled_at"]

    def _save(self, booking, validated_data):
        for name, value in validated_data.items():
            setattr(booking, name, value)
        try:
            return services.save_booking(booking, user=self.context["request"].user)
        except DjangoValidationError as exc:
            raise _as_drf(exc) from exc

    def create(self, validated_data):
        return self._save(Booking(), validated_data)

    def update(self, instance, validated_data):
        if instance.cancelled_at is not None:
            raise serializers.ValidationError({"non_field_errors": ["The booking is cancelled."]})
        return self._save(instance, validated_data)


class SharedFacultySerializer(serializers.ModelSerializer):
    staff_name = serializers.CharField(source="staff.name", read_only=True)
    center = serializers.IntegerField(source="staff.center_id", read_only=True)

    class Meta:
        model = SharedFaculty
        fields = [
            "id",
            "staff",
            "staff_name",
            "center",
            "expertise",
            "available_for",
            "listed_by",
            "listed_on",
            "withdrawn_on",
            "updated_at",
        ]
        read_only_fields = ["listed_by", "listed_on", "withdrawn_on"]

    def create(self, validated_data):
        try:
            return services.list_faculty(user=self.context["request"].user, **validated_data)
        except DjangoValidationError as exc:
            raise _as_drf(exc) from exc

    def update(self, instance, validated_data):
        validated_data.pop("staff", None)  # a listing stays with its trainer
        return super().update(instance, validated_data)


class DigitalResourceSerializer(ModelRulesMixin, serializers.ModelSerializer):
    class Meta:
        model = DigitalResource
        fields = [
            "id",
            "title",
            "kind",
            "center",
            "subject",
            "audience",
            "url",
            "year_added",
            "year_renewed",
            "year_retired",
            "updated_at",
        ]


class RollupRowSerializer(serializers.Serializer):
    kind = serializers.CharField()
    label = serializers.CharField()
    counts = serializers.ListField(child=serializers.IntegerField())
    total = serializers.IntegerField()


class RollupCenterSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    name = serializers.CharField()


class ResultsRollupSerializer(serializers.Serializer):
    """A year's results: one row per kind, one count per member (in the
    order of ``centers``), with totals."""

    year = serializers.IntegerField()
    centers = RollupCenterSerializer(many=True)
    rows = RollupRowSerializer(many=True)
    center_totals = serializers.ListField(child=serializers.IntegerField())
    total = serializers.IntegerField()


class RenewalYearSerializer(serializers.Serializer):
    year = serializers.IntegerField()
    added = serializers.IntegerField()
    renewed = serializers.IntegerField()


class RenewalRateSerializer(serializers.Serializer):
    year = serializers.IntegerField()
    first_year = serializers.IntegerField()
    total = serializers.IntegerField()
    added = serializers.IntegerField()
    renewed = serializers.IntegerField()
    rate = serializers.FloatField(allow_null=True)
    target = serializers.FloatField()
    meets_target = serializers.BooleanField()
    per_year = RenewalYearSerializer(many=True)


class ResolutionSerializer(ModelRulesMixin, serializers.ModelSerializer):
    meeting = serializers.PrimaryKeyRelatedField(
        queryset=Meeting.objects.filter(kind=MeetingKind.COUNCIL)
    )

    class Meta:
        model = Resolution
        fields = ["id", "meeting", "number", "title", "text", "updated_at"]

    def check_rules(self, instance):
        try:
            services.check_resolution(instance)
        except DjangoValidationError as exc:
            raise _as_drf(exc) from exc


class FollowUpSerializer(ModelRulesMixin, serializers.ModelSerializer):
    """The secretariat assigns an action; the owner center's staff PATCH only
    ``status`` and ``report`` (``services.check_follow_up``)."""

    is_overdue = serializers.BooleanField(read_only=True)

    class Meta:
        model = FollowUp
        fields = [
            "id",
            "resolution",
            "center",
            "action",
            "due_on",
            "status",
            "report",
            "done_on",
            "is_overdue",
            "reported_by",
            "updated_at",
        ]
        read_only_fields = ["done_on", "reported_by"]

    def check_rules(self, instance):
        try:
            services.check_follow_up(
                instance, user=self.context["request"].user, original=self.instance
            )
        except DjangoValidationError as exc:
            raise _as_drf(exc) from exc
        self._candidate_instance = instance

    def save(self, **kwargs):
        candidate = self._candidate_instance
        services.stamp_follow_up(
            candidate, user=self.context["request"].user, original=self.instance
        )
        return super().save(done_on=candidate.done_on, reported_by=candidate.reported_by, **kwargs)


class JointProjectSerializer(ModelRulesMixin, serializers.ModelSerializer):
    """The secretariat records a project; the lead center's staff PATCH it
    but not its ``lead_center`` (``services.check_project``)."""

    partner_centers = serializers.PrimaryKeyRelatedField(
        many=True, queryset=services.member_centers(), required=False
    )

    class Meta:
        model = JointProject
        fields = [
            "id",
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
            "updated_at",
        ]

    def validate(self, attrs):
        if "partner_centers" in attrs:
            self._partner_ids = [c.pk for c in attrs["partner_centers"]]
        elif self.instance is not None:
            self._partner_ids = list(self.instance.partner_centers.values_list("pk", flat=True))
        else:
            self._partner_ids = []
        return super().validate(attrs)

    def check_rules(self, instance):
        try:
            services.check_project(
                instance,
                partner_ids=self._partner_ids,
                user=self.context["request"].user,
                original=self.instance,
            )
        except DjangoValidationError as exc:
            raise _as_drf(exc) from exc


class AssistancePairSerializer(ModelRulesMixin, serializers.ModelSerializer):
    class Meta:
        model = AssistancePair
        fields = [
            "id",
            "helper_center",
            "assisted_center",
            "focus",
            "starts_on",
            "ends_on",
            "updated_at",
        ]

    def check_rules(self, instance):
        try:
            services.check_pair(instance, user=self.context["request"].user, original=self.instance)
        except DjangoValidationError as exc:
            raise _as_drf(exc) from exc


class AssistanceActivitySerializer(ModelRulesMixin, serializers.ModelSerializer):
    class Meta:
        model = AssistanceActivity
        fields = ["id", "pair", "held_on", "kind", "title", "participants", "summary", "updated_at"]

    def check_rules(self, instance):
        try:
            services.check_activity(instance, user=self.context["request"].user)
        except DjangoValidationError as exc:
            raise _as_drf(exc) from exc


class ProposalSerializer(ModelRulesMixin, serializers.ModelSerializer):
    """A development proposal; its state changes only through
    ``POST …/{id}/step/`` (``services.PROPOSAL_STEPS``)."""

    meeting = ScopedMeetingField(queryset=Meeting.objects.all(), required=False, allow_null=True)

    class Meta:
        model = Proposal
        fields = [
            "id",
            "origin",
            "center",
            "addressee",
            "title",
            "body",
            "meeting",
            "status",
            "submitted_on",
            "forwarded_on",
            "answered_on",
            "return_note",
            "answer",
            "answered_by",
            "updated_at",
        ]
        read_only_fields = [
            "status",
            "submitted_on",
            "forwarded_on",
            "answered_on",
            "return_note",
            "answer",
            "answered_by",
        ]

    def check_rules(self, instance):
        try:
            services.check_proposal(
                instance, user=self.context["request"].user, original=self.instance
            )
        except DjangoValidationError as exc:
            raise _as_drf(exc) from exc


class ProposalStepSerializer(serializers.Serializer):
    step = serializers.ChoiceField(choices=sorted(services.PROPOSAL_STEPS))
    text = serializers.CharField(required=False, allow_blank=True, default="")


class GuidanceVisitSerializer(ModelRulesMixin, serializers.ModelSerializer):
    """The guiding center records a visit; the visited district's staff
    PATCH only ``follow_up_status`` and ``follow_up_report``
    (``services.check_visit``)."""

    partner_centers = serializers.PrimaryKeyRelatedField(
        many=True, queryset=services.member_centers(), required=False
    )
    is_overdue = serializers.BooleanField(read_only=True)

    class Meta:
        model = GuidanceVisit
        fields = [
            "id",
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
            "follow_up_done_on",
            "is_overdue",
            "updated_at",
        ]
        read_only_fields = ["follow_up_done_on"]

    def validate(self, attrs):
        if "partner_centers" in attrs:
            self._partner_ids = [c.pk for c in attrs["partner_centers"]]
        elif self.instance is not None:
            self._partner_ids = list(self.instance.partner_centers.values_list("pk", flat=True))
        else:
            self._partner_ids = []
        return super().validate(attrs)

    def check_rules(self, instance):
        try:
            services.check_visit(
                instance,
                partner_ids=self._partner_ids,
                user=self.context["request"].user,
                original=self.instance,
            )
        except DjangoValidationError as exc:
            raise _as_drf(exc) from exc
        services.stamp_visit(instance)
        self._done_on = instance.follow_up_done_on

    def save(self, **kwargs):
        return super().save(follow_up_done_on=self._done_on, **kwargs)


class CenterPlanSerializer(ModelRulesMixin, serializers.ModelSerializer):
    """A center's plan; ``ends_year`` follows the kind. Its state changes
    through ``POST …/{id}/step/``, its implementation report through
    ``POST …/{id}/summary/``."""

    class Meta:
        model = CenterPlan
        fields = [
            "id",
            "center",
            "kind",
            "starts_year",
            "ends_year",
            "parent",
            "title",
            "body",
            "status",
            "filed_on",
            "approved_on",
            "return_note",
            "summary",
            "summary_on",
            "updated_at",
        ]
        read_only_fields = [
            "ends_year",
            "status",
            "filed_on",
            "approved_on",
            "return_note",
            "summary",
            "summary_on",
        ]

    def check_rules(self, instance):
        try:
            services.check_plan(instance, user=self.context["request"].user, original=self.instance)
        except DjangoValidationError as exc:
            raise _as_drf(exc) from exc


class PlanStepSerializer(serializers.Serializer):
    step = serializers.ChoiceField(choices=sorted(services.PLAN_STEPS))
    note = serializers.CharField(required=False, allow_blank=True, default="")


class PlanSummarySerializer(serializers.Serializer):
    summary = serializers.CharField(required=False, allow_blank=True, default="")


class FacultyEngagementSerializer(ModelRulesMixin, serializers.ModelSerializer):
    class Meta:
        model = FacultyEngagement
        fields = ["id", "listing", "center", "purpose", "starts_on", "ends_on", "updated_at"]

    def check_rules(self, instance):
        try:
            services.check_engagement(instance, user=self.context["request"].user)
        except DjangoValidationError as exc:
            raise _as_drf(exc) from exc


class TeacherDevelopmentSchoolSerializer(ModelRulesMixin, serializers.ModelSerializer):
    """The guiding member center records a teacher-development school; the
    district center building it PATCHes only ``progress``
    (``services.check_development_school``)."""

    class Meta:
        model = TeacherDevelopmentSchool
        fields = [
            "id",
            "school",
            "district_center",
            "guiding_center",
            "focus",
            "designated_by",
            "since",
            "progress",
            "ended_on",
            "end_reason",
            "updated_at",
        ]

    def check_rules(self, instance):
        try:
            services.check_development_school(
                instance, user=self.context["request"].user, original=self.instance
            )
        except DjangoValidationError as exc:
            raise _as_drf(exc) from exc
