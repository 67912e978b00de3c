from django.urls import reverse
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from ..models import Announcement, ExportJob, Membership


class MembershipSerializer(serializers.ModelSerializer):
    role_display = serializers.CharField(source="get_role_display", read_only=True)

    class Meta:
        model = Membership
        fields = ["role", "role_display", "organisation_id", "starts_on", "ends_on"]


class MeSerializer(serializers.Serializer):
    username = serializers.CharField()
    name = serializers.CharField()
    roles = serializers.ListField(child=serializers.CharField())
    memberships = MembershipSerializer(many=True)


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

    def get_url(self, job) -> str:
        path = reverse("api:export-job", args=[job.pk])
        request = self.context.get("request")
        return request.build_absolute_uri(path) if request else path


class ExporterSerializer(serializers.Serializer):
    identifier = serializers.CharField()
    name = serializers.CharField()
    description = serializers.CharField()
    options = serializers.ListField(child=serializers.CharField())


class ExportOptionsSerializer(serializers.Serializer):
    """The exporter's options (its options form's fields); most take none."""

    class Meta:
        ref_name = "ExportOptions"


class TokenRequestSerializer(serializers.Serializer):
    username = serializers.CharField()
    password = serializers.CharField(style={"input_type": "password"}, trim_whitespace=False)
    name = serializers.CharField(required=False, default="API", max_length=100)


class TokenResponseSerializer(serializers.Serializer):
    token = serializers.CharField(help_text="The key: shown once, store it safely.")
    expires_at = serializers.DateTimeField(allow_null=True)
    name = serializers.CharField()
    district_id = serializers.IntegerField()


class ErrorDetailSerializer(serializers.Serializer):
    status = serializers.IntegerField()
    code = serializers.CharField()
    message = serializers.CharField()
    details = serializers.JSONField(required=False)


class ErrorSerializer(serializers.Serializer):
    """Every error the API returns has this one shape."""

    error = ErrorDetailSerializer()


class NotificationSerializer(serializers.ModelSerializer):
    text = serializers.CharField(read_only=True)

    class Meta:
        from ..models import Notification

        model = Notification
        fields = ["id", "verb", "text", "params", "url", "created_at", "read_at"]
        read_only_fields = fields


class MarkReadSerializer(serializers.Serializer):
    ids = serializers.ListField(
        child=serializers.IntegerField(), required=False, help_text="None: all of them."
    )


@extend_schema_field(OpenApiTypes.STR)
class AudienceField(serializers.ChoiceField):
    """A role code (as ``/api/v1/me/`` lists them) or ``""`` for everyone; the
    roles are registered by the apps, so the schema names no fixed set."""


class AnnouncementSerializer(serializers.ModelSerializer):
    """An announcement (通知公告). Written through ``core.services``: publishing
    signs it with the author's organisations; editing is logged field by field."""

    author_name = serializers.CharField(source="author.__str__", read_only=True)
    audience = AudienceField(choices=[], allow_blank=True, required=False)
    audience_label = serializers.CharField(source="get_audience_display", read_only=True)
    withdrawn = serializers.BooleanField(read_only=True)

    class Meta:
        model = Announcement
        fields = [
            "id",
            "title",
            "body",
            "audience",
            "audience_label",
            "until",
            "author",
            "author_name",
            "author_org",
            "published_at",
            "edited_at",
            "withdrawn",
            "withdrawn_at",
            "withdraw_reason",
        ]
        read_only_fields = [
            "author",
            "author_org",
            "published_at",
            "edited_at",
            "withdrawn_at",
            "withdraw_reason",
        ]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        from ..roles import roles

        self.fields["audience"].choices = [("", ""), *roles.choices()]

    def create(self, validated_data):
        from ..services import publish_announcement

        request = self.context["request"]
        return publish_announcement(by=request.user, **validated_data)

    def update(self, instance, validated_data):
        from ..services import edit_announcement

        request = self.context["request"]
        return edit_announcement(announcement=instance, by=request.user, **validated_data)


class AnnouncementWithdrawSerializer(serializers.Serializer):
    reason = serializers.CharField(max_length=200, required=False, allow_blank=True, default="")
