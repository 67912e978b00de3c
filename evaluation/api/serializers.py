from rest_framework import serializers

from ..models import (
    Appraisee,
    Campaign,
    Finding,
    Interview,
    Invitation,
    Item,
    Observation,
    ProjectScore,
    Question,
    RaterGroup,
    RaterToken,
    SupervisionVisit,
    Survey,
)


class QuestionSerializer(serializers.ModelSerializer):
    section = serializers.CharField(source="section.title", default="", read_only=True)

    class Meta:
        model = Question
        fields = ["id", "section", "order", "text", "kind", "choices", "required"]


class SurveySerializer(serializers.ModelSerializer):
    class Meta:
        model = Survey
        fields = [
            "id",
            "kind",
            "title",
            "subproject",
            "center",
            "anonymous",
            "audience",
            "gates_results",
            "status",
            "opens_at",
            "deadline",
            "results",
            "results_at",
            "updated_at",
        ]
        read_only_fields = fields


class InvitationSerializer(serializers.ModelSerializer):
    survey = SurveySerializer(read_only=True)
    questions = serializers.SerializerMethodField()

    class Meta:
        model = Invitation
        fields = ["token", "survey", "reminded_at", "used_at", "questions"]

    def get_questions(self, obj) -> list[dict]:
        return QuestionSerializer(obj.survey.questions.select_related("section"), many=True).data


class AnswerSerializer(serializers.Serializer):
    answers = serializers.DictField(child=serializers.JSONField(), help_text="{question id: value}")


class ObservationSerializer(serializers.ModelSerializer):
    class Meta:
        model = Observation
        fields = ["id", "lesson", "instructor", "rating", "notes"]
        read_only_fields = fields


class InterviewSerializer(serializers.ModelSerializer):
    class Meta:
        model = Interview
        fields = ["id", "kind", "people", "notes"]
        read_only_fields = fields


class FindingSerializer(serializers.ModelSerializer):
    class Meta:
        model = Finding
        fields = [
            "id",
            "visit",
            "text",
            "severity",
            "rectification",
            "due_on",
            "status",
            "reply",
            "replied_at",
            "resolved_at",
            "updated_at",
        ]
        read_only_fields = fields


class VisitSerializer(serializers.ModelSerializer):
    observations = ObservationSerializer(many=True, read_only=True)
    interviews = InterviewSerializer(many=True, read_only=True)
    findings = FindingSerializer(many=True, read_only=True)

    class Meta:
        model = SupervisionVisit
        fields = [
            "id",
            "subproject",
            "visited_on",
            "course_table_matches",
            "course_table_notes",
            "summary",
            "status",
            "observations",
            "interviews",
            "findings",
            "updated_at",
        ]
        read_only_fields = fields


class ReplySerializer(serializers.Serializer):
    text = serializers.CharField(max_length=4000)


class ProjectScoreSerializer(serializers.ModelSerializer):
    class Meta:
        model = ProjectScore
        fields = ["id", "subproject", "vendor", "components", "score", "computed_at"]
        read_only_fields = fields


class CampaignSerializer(serializers.ModelSerializer):
    weights = serializers.SerializerMethodField()

    class Meta:
        model = Campaign
        fields = [
            "id",
            "district",
            "term",
            "title",
            "min_answers",
            "status",
            "progress",
            "computed_at",
            "weights",
        ]
        read_only_fields = fields

    def get_weights(self, obj) -> dict:
        return {w.group: str(w.weight) for w in obj.weights.all()}


class AppraiseeSerializer(serializers.ModelSerializer):
    school_name = serializers.CharField(source="school.name", read_only=True)

    class Meta:
        model = Appraisee
        fields = ["id", "campaign", "school", "school_name", "name", "score", "scores"]
        read_only_fields = fields


class CampaignCreateSerializer(serializers.Serializer):
    district = serializers.IntegerField()
    term = serializers.CharField(max_length=40)
    title = serializers.CharField(max_length=200, required=False, allow_blank=True, default="")
    min_answers = serializers.IntegerField(required=False, default=5, min_value=1, max_value=100)


class PrincipalAddSerializer(serializers.Serializer):
    school = serializers.IntegerField()
    name = serializers.CharField(max_length=100)


class RaterLinkSerializer(serializers.ModelSerializer):
    """A rater link. ``token`` and ``url`` (the right to rate once) are given
    only for an unused link the reader may change (``printable`` in the
    context: the ids ``restrict(user, "change")`` lets through), else null."""

    principal = serializers.IntegerField(source="appraisee_id", read_only=True)
    campaign = serializers.IntegerField(source="appraisee.campaign_id", read_only=True)
    used = serializers.SerializerMethodField()
    token = serializers.SerializerMethodField()
    url = serializers.SerializerMethodField()

    class Meta:
        model = RaterToken
        fields = ["id", "principal", "campaign", "group", "used", "token", "url"]
        read_only_fields = fields

    def get_used(self, obj) -> bool:
        # Whether, not when: the time would help match a link to its rating.
        return obj.used_at is not None

    def _printable(self, obj) -> bool:
        return obj.used_at is None and obj.pk in self.context.get("printable", ())

    def get_token(self, obj) -> str | None:
        return obj.token if self._printable(obj) else None

    def get_url(self, obj) -> str | None:
        if not self._printable(obj):
            return None
        from django.urls import reverse

        path = reverse("evaluation:rate", args=[obj.token])
        request = self.context.get("request")
        return request.build_absolute_uri(path) if request else path


class LinkIssueSerializer(serializers.Serializer):
    principal = serializers.IntegerField()
    group = serializers.ChoiceField(choices=RaterGroup.choices)
    count = serializers.IntegerField(min_value=1, max_value=500)


class ItemSerializer(serializers.ModelSerializer):
    class Meta:
        model = Item
        fields = ["id", "dimension", "order", "text"]
        read_only_fields = fields


class ItemTextSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    text = serializers.CharField(allow_blank=True, trim_whitespace=False)


class QuestionnaireEditSerializer(serializers.Serializer):
    items = ItemTextSerializer(many=True, allow_empty=False)


class WeightsSerializer(serializers.Serializer):
    weights = serializers.DictField(
        child=serializers.CharField(allow_blank=True), help_text="{rater group: weight}"
    )


class RateSerializer(serializers.Serializer):
    answers = serializers.DictField(child=serializers.JSONField(), help_text="{item id: 1..5}")
