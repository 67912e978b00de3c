from django.urls import reverse
from rest_framework import serializers

from ..models import ExportJob, Membership


class MembershipSerializer(serializers.ModelSerializer):
    role_display = serializers.CharField(source="get_role_display", read_only=True)

    class Meta:
        model = Membership
        fields = ["role", "role_display", "organisation_id", "starts_on", "ends_on"]


class ExportJobSerializer(serializers.ModelSerializer):
    title = serializers.CharField(read_only=True)
    url = serializers.SerializerMethodField()

    class Meta:
        model = ExportJob
        fields = [
            "id",
            "exporter",
            "title",
            "options",
            "status",
            "progress",
            "rows_written",
            "error",
            "created_at",
            "finished_at",
            "expires_at",
            "url",
        ]

    def get_url(self, job):
        path = reverse("api:export-job", args=[job.pk])
        request = self.context.get("request")
        return request.build_absolute_uri(path) if request else path


class TokenRequestSerializer(serializers.Serializer):
    username = serializers.CharField()
    password = serializers.CharField(style={"input_type": "password"}, trim_whitespace=False)
    name = serializers.CharField(required=False, default="API", max_length=100)
