"""Read-only representations of studio records for the API."""

from rest_framework import serializers

from ..models import Activity, Evaluation, MentoringPair, Studio, StudioPerson


class StudioSerializer(serializers.ModelSerializer):
    managing_center_name = serializers.CharField(source="managing_center.name", read_only=True)

    class Meta:
        model = Studio
        fields = [
            "id",
            "name",
            "kind",
            "level",
            "subject",
            "stage",
            "cycle_start",
            "cycle_end",
            "managing_center",
            "managing_center_name",
            "is_active",
            "updated_at",
        ]


class StudioPersonSerializer(serializers.ModelSerializer):
    teacher_name = serializers.CharField(source="teacher.name", read_only=True)
    ladder_step_name = serializers.CharField(read_only=True)

    class Meta:
        model = StudioPerson
        fields = [
            "id",
            "studio",
            "teacher",
            "teacher_name",
            "role",
            "ladder_step",
            "ladder_step_name",
            "starts_on",
            "ends_on",
            "updated_at",
        ]


class ActivitySerializer(serializers.ModelSerializer):
    attended = serializers.SerializerMethodField()

    class Meta:
        model = Activity
        fields = [
            "id",
            "studio",
            "kind",
            "title",
            "held_on",
            "place",
            "hours",
            "other_participants",
            "attended",
            "updated_at",
        ]

    def get_attended(self, obj) -> list[int]:
        return [a.teacher_id for a in obj.attendance.all() if a.attended]


class MentoringPairSerializer(serializers.ModelSerializer):
    class Meta:
        model = MentoringPair
        fields = ["id", "studio", "year", "mentor", "mentee", "completed_on", "updated_at"]


class EvaluationSerializer(serializers.ModelSerializer):
    scores = serializers.SerializerMethodField()

    class Meta:
        model = Evaluation
        fields = [
            "id",
            "studio",
            "kind",
            "year",
            "status",
            "total",
            "result",
            "host",
            "scores",
            "completed_at",
            "updated_at",
        ]

    def get_scores(self, obj) -> list[dict]:
        return [
            {"criterion": s.criterion.name, "weight": s.criterion.weight, "score": s.score}
            for s in obj.scores.all()
        ]
