from rest_framework import serializers

from ..models import Invitation, Question, Survey


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
