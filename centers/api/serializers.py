from rest_framework import serializers

from ..models import Center, District, School, Teacher


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
