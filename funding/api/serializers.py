from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from ..models import (
    Allocation,
    BudgetFigure,
    BudgetLine,
    Disbursement,
    DisbursementKind,
    FigureKind,
    FundingSource,
    HolderKind,
    Purpose,
)


def choice(choices):
    """A read-only choice documented inline (recurring names would collide)."""

    @extend_schema_field({"type": "string", "enum": [value for value, _label in choices]})
    class InlineChoice(serializers.CharField):
        pass

    return InlineChoice(read_only=True)


class BudgetLineSerializer(serializers.ModelSerializer):
    holder_kind = choice(HolderKind.choices)
    source = choice(FundingSource.choices)
    purpose = choice(Purpose.choices)
    available = serializers.DecimalField(max_digits=14, decimal_places=2, read_only=True)
    rate = serializers.DecimalField(max_digits=5, decimal_places=1, read_only=True)

    class Meta:
        model = BudgetLine
        fields = [
            "id",
            "year",
            "holder_kind",
            "center",
            "district",
            "school",
            "source",
            "purpose",
            "name",
            "amount",
            "allocated",
            "disbursed",
            "available",
            "rate",
            "external_id",
            "updated_at",
        ]
        read_only_fields = fields


class AllocationSerializer(serializers.ModelSerializer):
    available = serializers.DecimalField(max_digits=14, decimal_places=2, read_only=True)

    class Meta:
        model = Allocation
        fields = [
            "id",
            "line",
            "plan",
            "project",
            "subproject",
            "center",
            "amount",
            "reverses",
            "reversed",
            "disbursed",
            "available",
            "made_on",
            "reason",
        ]
        read_only_fields = fields


class DisbursementSerializer(serializers.ModelSerializer):
    kind = choice(DisbursementKind.choices)

    class Meta:
        model = Disbursement
        fields = [
            "id",
            "allocation",
            "kind",
            "amount",
            "contract",
            "payment_step",
            "reverses",
            "refunded",
            "payee",
            "paid_on",
            "reference",
            "reason",
        ]
        read_only_fields = fields


class BudgetFigureSerializer(serializers.ModelSerializer):
    kind = choice(FigureKind.choices)

    class Meta:
        model = BudgetFigure
        fields = ["id", "year", "kind", "district", "school", "amount", "updated_at"]
        read_only_fields = fields


class AllocateSerializer(serializers.Serializer):
    amount = serializers.DecimalField(max_digits=14, decimal_places=2, coerce_to_string=True)
    plan = serializers.IntegerField(required=False)
    project = serializers.IntegerField(required=False)
    subproject = serializers.IntegerField(required=False)
    center = serializers.IntegerField(required=False)
    made_on = serializers.DateField(required=False)
    reason = serializers.CharField(required=False, allow_blank=True, max_length=300)


class DisburseSerializer(serializers.Serializer):
    amount = serializers.DecimalField(max_digits=14, decimal_places=2)
    kind = serializers.ChoiceField(
        choices=[c for c in DisbursementKind.choices if c[0] not in ("refund", "correction")]
    )
    payment_step = serializers.IntegerField(required=False)
    contract = serializers.IntegerField(required=False)
    paid_on = serializers.DateField(required=False)
    payee = serializers.CharField(required=False, allow_blank=True, max_length=200)
    reference = serializers.CharField(required=False, allow_blank=True, max_length=60)


class ReverseSerializer(serializers.Serializer):
    amount = serializers.DecimalField(max_digits=14, decimal_places=2, required=False)
    reason = serializers.CharField(max_length=300)
    kind = serializers.ChoiceField(choices=["refund", "correction"], required=False)
