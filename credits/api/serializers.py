from decimal import Decimal

from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from ..models import (
    Category,
    ClaimStatus,
    CreditClaim,
    CreditEntry,
    EntryStatus,
    OrgKind,
    Source,
)


def choice(choices):
    """A read-only choice documented inline: these field names (status,
    source, category) recur across apps, and shared enum components would
    collide in the schema."""

    @extend_schema_field({"type": "string", "enum": [value for value, _label in choices]})
    class InlineChoice(serializers.CharField):
        pass

    return InlineChoice(read_only=True)


class CreditEntrySerializer(serializers.ModelSerializer):
    source = choice(Source.choices)
    category = choice(Category.choices)
    org_kind = choice(OrgKind.choices)
    status = choice(EntryStatus.choices)
    teacher_external_id = serializers.CharField(source="teacher.external_id", read_only=True)
    category_display = serializers.CharField(source="get_category_display", read_only=True)
    source_display = serializers.CharField(source="get_source_display", read_only=True)

    class Meta:
        model = CreditEntry
        fields = [
            "id",
            "teacher",
            "teacher_external_id",
            "district",
            "source",
            "source_display",
            "category",
            "category_display",
            "hours",
            "earned_on",
            "title",
            "evidence",
            "activity_key",
            "external_id",
            "reverses",
            "reason",
            "status",
            "org_kind",
            "org_name",
            "created_at",
            "updated_at",
        ]
        read_only_fields = fields


class CreditClaimSerializer(serializers.ModelSerializer):
    source = choice(Source.choices)
    category = choice(Category.choices)
    status = choice(ClaimStatus.choices)
    status_display = serializers.CharField(source="get_status_display", read_only=True)

    class Meta:
        model = CreditClaim
        fields = [
            "id",
            "teacher",
            "school",
            "district",
            "responsible_center",
            "title",
            "source",
            "category",
            "hours",
            "earned_on",
            "description",
            "status",
            "status_display",
            "reject_reason",
            "entry",
            "created_at",
            "updated_at",
        ]
        read_only_fields = fields


class ReasonSerializer(serializers.Serializer):
    reason = serializers.CharField(max_length=300)


def summary_data(summary) -> dict:
    policy = summary.policy
    return {
        "teacher": summary.teacher.pk,
        "policy": None
        if policy is None
        else {
            "id": policy.pk,
            "name": policy.name,
            "cycle_start": policy.cycle_start,
            "cycle_end": policy.cycle_end,
            "total_hours": str(policy.total_hours),
        },
        "total_hours": str(summary.total),
        "required_hours": str(summary.required),
        "remaining_hours": str(summary.remaining),
        "percent": summary.percent,
        "complete": summary.complete,
        "projected_hours": str(summary.projected),
        "at_risk": summary.at_risk,
        "by_category": [
            {
                "category": line.category,
                "label": str(line.label),
                "hours": str(line.hours),
                "minimum": None if line.minimum is None else str(line.minimum),
                "met": line.met,
            }
            for line in summary.by_category
        ],
        "pending_claims": summary.pending_count,
        "pending_hours": str(summary.pending_hours),
    }


def _enum(values, required=True):
    @extend_schema_field({"type": "string", "enum": list(values)})
    class InlineEnum(serializers.CharField):
        pass

    return InlineEnum(required=required)


class CreditBatchRowSerializer(serializers.Serializer):
    """One row of ``POST credits/entries/batch/``, for the schema only: the
    service (``credits.services.sync.validate_batch_rows``) checks the rows.
    The body is a list of these (``many=True``); ``{"entries": [...]}`` is
    taken too."""

    external_id = serializers.CharField(max_length=64, help_text="The row's id in your system.")
    teacher = serializers.CharField(max_length=64, help_text="The teacher's id in your system.")
    category = _enum(Category.values)
    # plain text here: a second "source" enum would collide with the entries' in the schema
    source = serializers.CharField(
        required=False,
        help_text="One of: " + ", ".join(v for v in Source.values if v != Source.CLAIM),
    )
    hours = serializers.DecimalField(max_digits=5, decimal_places=1, min_value=Decimal("0.1"))
    earned_on = serializers.DateField()
    title = serializers.CharField(max_length=200, required=False)
    evidence = serializers.CharField(max_length=300, required=False)
    activity_key = serializers.CharField(max_length=100, required=False)
