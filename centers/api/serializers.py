from rest_framework import serializers

from ..models import (
    Campus,
    Center,
    District,
    Mandate,
    Room,
    School,
    StaffAppointment,
    StaffMember,
    StaffYearRecord,
    Standard,
    StandardRule,
    Teacher,
)


class DistrictSerializer(serializers.ModelSerializer):
    class Meta:
        model = District
        fields = ["id", "name", "code"]


class CenterSerializer(serializers.ModelSerializer):
    kind_display = serializers.CharField(source="get_kind_display", read_only=True)

    class Meta:
        model = Center
        fields = [
            "id",
            "name",
            "short_name",
            "code",
            "kind",
            "kind_display",
            "district",
            "host_institution",
            "address",
            "established_on",
            "updated_at",
        ]


class SchoolSerializer(serializers.ModelSerializer):
    class Meta:
        model = School
        fields = [
            "id",
            "district",
            "name",
            "stage",
            "ownership",
            "address",
            "external_id",
            "is_active",
            "updated_at",
        ]


class TeacherSerializer(serializers.ModelSerializer):
    id_number = serializers.CharField(source="masked_id_number", read_only=True)

    class Meta:
        model = Teacher
        fields = [
            "id",
            "school",
            "district",
            "name",
            "id_number",
            "subject",
            "stage",
            "title",
            "role",
            "career_stage",
            "external_id",
            "is_active",
            "updated_at",
        ]


class CampusSerializer(serializers.ModelSerializer):
    class Meta:
        model = Campus
        fields = ["id", "center", "name", "kind", "address", "floor_area", "updated_at"]


class RoomSerializer(serializers.ModelSerializer):
    center = serializers.IntegerField(source="campus.center_id", read_only=True)

    class Meta:
        model = Room
        fields = ["id", "campus", "center", "function", "name", "seats", "bookable", "updated_at"]


class StaffYearRecordSerializer(serializers.ModelSerializer):
    class Meta:
        model = StaffYearRecord
        fields = [
            "id",
            "staff",
            "year",
            "school_days_autumn",
            "school_days_spring",
            "lessons_observed",
            "taught_semester_in_school",
            "demo_lesson_autumn",
            "demo_lesson_spring",
            "took_part",
            "updated_at",
        ]


class StaffMemberSerializer(serializers.ModelSerializer):
    class Meta:
        model = StaffMember
        fields = [
            "id",
            "center",
            "name",
            "external_id",
            "employment",
            "is_research_staff",
            "title",
            "honour",
            "degree",
            "subject",
            "years_teaching",
            "hired_on",
            "left_on",
            "is_active",
            "updated_at",
        ]


class MandateSerializer(serializers.ModelSerializer):
    class Meta:
        model = Mandate
        fields = [
            "id",
            "center",
            "training_kind",
            "target_group",
            "stage",
            "ownership",
            "priority",
            "description",
        ]


class StandardRuleSerializer(serializers.ModelSerializer):
    class Meta:
        model = StandardRule
        fields = ["id", "code", "description", "metric", "comparison", "threshold", "order"]


class StandardSerializer(serializers.ModelSerializer):
    rules = StandardRuleSerializer(many=True, read_only=True)

    class Meta:
        model = Standard
        fields = ["id", "code", "name", "source", "description", "is_active", "rules"]


def evaluation_data(evaluation) -> dict:
    center = evaluation.center
    return {
        "center": center.pk,
        "center_name": center.name,
        "reference_year": evaluation.reference_year,
        "passed": evaluation.passed,
        "total": evaluation.total,
        "results": [
            {
                "rule": r.rule.code,
                "standard": r.rule.standard.code,
                "description": r.rule.description,
                "comparison": r.rule.comparison,
                "threshold": str(r.rule.threshold),
                "value": None if r.value is None else str(r.value),
                "figure": r.figure,
                "detail": r.detail,
                "passed": r.passed,
            }
            for r in evaluation.results
        ],
    }


class StaffAppointmentSerializer(serializers.ModelSerializer):
    """互聘: a trainer of ``home_center`` appointed by ``center`` for a term."""

    staff_name = serializers.CharField(source="staff.name", read_only=True)
    home_center = serializers.IntegerField(source="staff.center_id", read_only=True)
    home_center_name = serializers.CharField(source="staff.center.name", read_only=True)
    center_name = serializers.CharField(source="center.name", read_only=True)
    status_display = serializers.CharField(source="get_status_display", read_only=True)

    class Meta:
        model = StaffAppointment
        fields = [
            "id",
            "staff",
            "staff_name",
            "home_center",
            "home_center_name",
            "center",
            "center_name",
            "role",
            "starts_on",
            "ends_on",
            "status",
            "status_display",
            "note",
            "decided_at",
            "withdrawn_at",
            "closing_reason",
            "ended_on",
            "end_reason",
            "updated_at",
        ]
        read_only_fields = fields


class AppointSerializer(serializers.Serializer):
    staff = serializers.PrimaryKeyRelatedField(queryset=StaffMember.objects.none())
    center = serializers.PrimaryKeyRelatedField(queryset=Center.objects.none())
    role = serializers.CharField(max_length=100)
    starts_on = serializers.DateField()
    ends_on = serializers.DateField()
    note = serializers.CharField(max_length=300, required=False, allow_blank=True, default="")

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        request = self.context.get("request")  # none while the schema is drawn
        if request is not None:
            user = request.user
            self.fields["staff"].queryset = StaffMember.objects.restrict(user, "appoint")
            # seen, not yet allowed: the service answers 403 for another center
            self.fields["center"].queryset = Center.objects.restrict(user)


class DecideAppointmentSerializer(serializers.Serializer):
    confirm = serializers.BooleanField()
    note = serializers.CharField(max_length=300, required=False, allow_blank=True, default="")


class AppointmentReasonSerializer(serializers.Serializer):
    """Declining (the reason is required: the service says so in Chinese) or
    withdrawing (optional) an appointment awaiting the home center."""

    reason = serializers.CharField(max_length=300, required=False, allow_blank=True, default="")


class EndAppointmentSerializer(serializers.Serializer):
    ended_on = serializers.DateField()
    reason = serializers.CharField(max_length=300, allow_blank=True)


class LadderStepSerializer(serializers.Serializer):
    """A step of the career ladders, ``ladder:step`` of
    GET /api/v1/standards/ladders/, or "" to clear (training's sub-projects,
    studios' hosts)."""

    ladder_step = serializers.CharField(max_length=40, allow_blank=True)
