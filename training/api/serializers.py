from rest_framework import serializers

from credits.api.serializers import choice

from ..models import (
    Attendance,
    AttendanceMethod,
    Enrollment,
    EnrollmentStatus,
    Grade,
    HolderKind,
    Level,
    Mode,
    Plan,
    PlanStatus,
    Project,
    Result,
    Session,
    SubProject,
    SubProjectStatus,
    Tier,
)


class PlanSerializer(serializers.ModelSerializer):
    level = choice(Level.choices)
    holder_kind = choice(HolderKind.choices)
    status = choice(PlanStatus.choices)

    class Meta:
        model = Plan
        fields = [
            "id",
            "year",
            "level",
            "name",
            "holder_kind",
            "center",
            "district",
            "budget",
            "planned_trainees",
            "status",
            "updated_at",
        ]
        read_only_fields = fields


class ProjectSerializer(serializers.ModelSerializer):
    class Meta:
        model = Project
        fields = ["id", "plan", "code", "name", "description", "updated_at"]
        read_only_fields = fields


class SubProjectSerializer(serializers.ModelSerializer):
    tier = choice(Tier.choices)
    mode = choice(Mode.choices)
    status = choice(SubProjectStatus.choices)
    activity_key = serializers.CharField(read_only=True)
    ladder_step_name = serializers.CharField(read_only=True)

    class Meta:
        model = SubProject
        fields = [
            "id",
            "project",
            "code",
            "name",
            "target_group",
            "training_kind",
            "stage",
            "subject",
            "career_stage",
            "ladder_step",
            "ladder_step_name",
            "district",
            "tier",
            "mode",
            "off_site",
            "location",
            "hours",
            "credit_category",
            "starts_on",
            "ends_on",
            "capacity",
            "seats_taken",
            "budget",
            "center",
            "proposed_center",
            "center_reason",
            "vendor",
            "min_presence",
            "status",
            "closed_at",
            "activity_key",
            "updated_at",
        ]
        read_only_fields = fields


class MoveSerializer(serializers.Serializer):
    move = serializers.ChoiceField(
        choices=["submit", "approve", "return", "start", "close", "reopen"]
    )
    reason = serializers.CharField(max_length=300, required=False, allow_blank=True, default="")


class EnrollmentSerializer(serializers.ModelSerializer):
    status = choice(EnrollmentStatus.choices)
    teacher_external_id = serializers.CharField(source="teacher.external_id", read_only=True)

    class Meta:
        model = Enrollment
        fields = [
            "id",
            "subproject",
            "teacher",
            "teacher_external_id",
            "district",
            "school",
            "status",
            "applied_at",
            "decided_at",
            "reason",
            "queued_at",
            "learning_commitment_at",
            "safety_commitment_at",
            "insurance",
            "confirmed_at",
            "withdrawn_at",
            "credit_entry",
            "updated_at",
        ]
        read_only_fields = fields


class ApplySerializer(serializers.Serializer):
    subproject = serializers.IntegerField()
    teacher = serializers.IntegerField()


class DecideSerializer(serializers.Serializer):
    approve = serializers.BooleanField()
    reason = serializers.CharField(max_length=300, required=False, allow_blank=True, default="")


class WithdrawSerializer(serializers.Serializer):
    reason = serializers.CharField(max_length=300, required=False, allow_blank=True, default="")


class AcknowledgeSerializer(serializers.Serializer):
    learning = serializers.BooleanField(default=False)
    safety = serializers.BooleanField(default=False)
    insurance = serializers.CharField(max_length=100, required=False, allow_blank=True, default="")


class SessionSerializer(serializers.ModelSerializer):
    class Meta:
        model = Session
        fields = [
            "id",
            "subproject",
            "title",
            "teacher_name",
            "place",
            "starts_at",
            "ends_at",
            "checkin_opens_at",
            "checkin_closes_at",
            "signed_off_at",
        ]
        read_only_fields = fields


class CheckinSerializer(serializers.Serializer):
    code = serializers.CharField(max_length=12)


class AttendanceSerializer(serializers.ModelSerializer):
    method = choice(AttendanceMethod.choices)
    teacher = serializers.IntegerField(source="enrollment.teacher_id", read_only=True)

    class Meta:
        model = Attendance
        fields = [
            "id",
            "session",
            "enrollment",
            "teacher",
            "present",
            "method",
            "checked_in_at",
            "reason",
            "updated_at",
        ]
        read_only_fields = fields


class ResultSerializer(serializers.ModelSerializer):
    grade = choice(Grade.choices)
    teacher = serializers.IntegerField(source="enrollment.teacher_id", read_only=True)
    subproject = serializers.IntegerField(source="enrollment.subproject_id", read_only=True)

    class Meta:
        model = Result
        fields = [
            "id",
            "enrollment",
            "subproject",
            "teacher",
            "assignment",
            "test",
            "case",
            "reflection",
            "recommended",
            "attendance_rate",
            "score",
            "grade",
            "updated_at",
        ]
        read_only_fields = fields


class ScoresSerializer(serializers.Serializer):
    enrollment = serializers.IntegerField()
    assignment = serializers.DecimalField(5, 1, required=False, allow_null=True)
    test = serializers.DecimalField(5, 1, required=False, allow_null=True)
    case = serializers.DecimalField(5, 1, required=False, allow_null=True)
    reflection = serializers.DecimalField(5, 1, required=False, allow_null=True)
    recommended = serializers.BooleanField(required=False)
