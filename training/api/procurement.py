"""Procurement API: procurements and their steps (each a POST action calling
``training.services.procurement``; a refused move answers 400 with its
reason), bids (POST records a bid; ``score`` records an expert's points),
contracts (accept, end) and their payment steps (invoice, pay), the expert
pool and the practice bases."""

from django.shortcuts import get_object_or_404
from drf_spectacular.utils import extend_schema
from rest_framework import mixins, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.response import Response

from centers.models import Vendor
from core.api.viewsets import ScopedReadOnlyViewSet, ScopedViewSetMixin
from credits.api.serializers import choice

from ..filtersets import (
    BidFilterSet,
    ContractFilterSet,
    ExpertFilterSet,
    PaymentStepFilterSet,
    PracticeBaseFilterSet,
    ProcurementFilterSet,
)
from ..models import (
    Bid,
    Contract,
    ContractStatus,
    Criterion,
    DueCondition,
    Expert,
    PaymentKind,
    PaymentStep,
    PaymentStepStatus,
    PracticeBase,
    Procurement,
    ProcurementMethod,
    ProcurementStatus,
    Score,
)
from ..services import procurement as proc

# --- Serializers -----------------------------------------------------------------------


class CriterionSerializer(serializers.ModelSerializer):
    class Meta:
        model = Criterion
        fields = ["id", "name", "max_points", "position"]
        read_only_fields = fields


class ScoreSerializer(serializers.ModelSerializer):
    class Meta:
        model = Score
        fields = ["expert", "criterion", "points"]
        read_only_fields = fields


class BidSerializer(serializers.ModelSerializer):
    scores = ScoreSerializer(many=True, read_only=True)

    class Meta:
        model = Bid
        fields = [
            "id",
            "procurement",
            "vendor",
            "amount",
            "submitted_at",
            "total_score",
            "scores",
        ]
        read_only_fields = fields


class ProcurementSerializer(serializers.ModelSerializer):
    method = choice(ProcurementMethod.choices)
    status = choice(ProcurementStatus.choices)
    criteria = CriterionSerializer(many=True, read_only=True)
    panel = serializers.SerializerMethodField()
    contract = serializers.SerializerMethodField()

    class Meta:
        model = Procurement
        fields = [
            "id",
            "title",
            "center",
            "subprojects",
            "method",
            "agency",
            "budget",
            "status",
            "need_filed_at",
            "need_approved_at",
            "announced_on",
            "bids_close_at",
            "expert_count",
            "draw_seed",
            "draw_pool",
            "draw_excluded",
            "drawn_at",
            "panel",
            "criteria",
            "awarded_bid",
            "awarded_at",
            "award_notice_on",
            "contract",
            "reason",
            "updated_at",
        ]
        read_only_fields = fields

    def get_panel(self, obj) -> list[int]:
        return [p.expert_id for p in obj.panel.all()]

    def get_contract(self, obj) -> int | None:
        contract = getattr(obj, "contract", None)
        return contract.pk if contract else None


class PaymentStepSerializer(serializers.ModelSerializer):
    kind = choice(PaymentKind.choices)
    due_condition = choice(DueCondition.choices)
    status = choice(PaymentStepStatus.choices)

    class Meta:
        model = PaymentStep
        fields = [
            "id",
            "contract",
            "position",
            "kind",
            "amount",
            "due_condition",
            "status",
            "invoice_number",
            "invoiced_on",
            "due_on",
            "paid_on",
            "updated_at",
        ]
        read_only_fields = fields


class ContractSerializer(serializers.ModelSerializer):
    status = choice(ContractStatus.choices)
    steps = PaymentStepSerializer(many=True, read_only=True)

    class Meta:
        model = Contract
        fields = [
            "id",
            "number",
            "procurement",
            "center",
            "vendor",
            "subprojects",
            "amount",
            "signed_on",
            "performance_bond",
            "bond_received_on",
            "status",
            "accepted_on",
            "ended_on",
            "steps",
            "updated_at",
        ]
        read_only_fields = fields


class ExpertSerializer(serializers.ModelSerializer):
    class Meta:
        model = Expert
        fields = [
            "id",
            "name",
            "organisation",
            "title",
            "stage",
            "subjects",
            "vendor",
            "conflicts",
            "available",
            "updated_at",
        ]
        read_only_fields = ["id", "updated_at"]


class PracticeBaseSerializer(serializers.ModelSerializer):
    class Meta:
        model = PracticeBase
        fields = [
            "id",
            "name",
            "school",
            "district",
            "stage",
            "subjects",
            "capacity",
            "available",
            "updated_at",
        ]
        read_only_fields = ["id", "updated_at"]


class AnnounceSerializer(serializers.Serializer):
    agency = serializers.CharField(required=False, allow_blank=True, default="")
    announced_on = serializers.DateField(required=False, allow_null=True, default=None)
    bids_close_at = serializers.DateTimeField(required=False, allow_null=True, default=None)


class DrawSerializer(serializers.Serializer):
    seed = serializers.CharField(required=False, allow_blank=True, max_length=64, default="")


class OnSerializer(serializers.Serializer):
    on = serializers.DateField(required=False, allow_null=True, default=None)


class ProcurementReasonSerializer(serializers.Serializer):
    reason = serializers.CharField(max_length=300)


class StepInSerializer(serializers.Serializer):
    kind = serializers.ChoiceField(PaymentKind.choices)
    amount = serializers.DecimalField(max_digits=14, decimal_places=2)
    due_condition = serializers.ChoiceField(DueCondition.choices)


class ContractInSerializer(serializers.Serializer):
    number = serializers.CharField(max_length=60)
    signed_on = serializers.DateField(required=False, allow_null=True, default=None)
    amount = serializers.DecimalField(
        max_digits=14, decimal_places=2, required=False, allow_null=True, default=None
    )
    performance_bond = serializers.DecimalField(max_digits=14, decimal_places=2, default=0)
    bond_received_on = serializers.DateField(required=False, allow_null=True, default=None)
    steps = StepInSerializer(many=True, required=False, default=list)


class BidInSerializer(serializers.Serializer):
    procurement = serializers.IntegerField()
    vendor = serializers.IntegerField()
    amount = serializers.DecimalField(max_digits=14, decimal_places=2)


class ScoreInSerializer(serializers.Serializer):
    expert = serializers.IntegerField()
    points = serializers.DictField(
        child=serializers.DecimalField(max_digits=5, decimal_places=1), allow_empty=False
    )


class EndSerializer(serializers.Serializer):
    on = serializers.DateField(required=False, allow_null=True, default=None)
    reason = serializers.CharField(required=False, allow_blank=True, default="", max_length=300)


class InvoiceSerializer(serializers.Serializer):
    invoice_number = serializers.CharField(max_length=60)
    invoiced_on = serializers.DateField(required=False, allow_null=True, default=None)


class PaySerializer(serializers.Serializer):
    paid_on = serializers.DateField(required=False, allow_null=True, default=None)


def _valid(serializer_class, request):
    serializer = serializer_class(data=request.data)
    serializer.is_valid(raise_exception=True)
    return serializer.validated_data


# --- Views -----------------------------------------------------------------------------

STEPS = ("approve", "announce", "draw", "award", "award_notice", "contract", "fail")


class ProcurementViewSet(ScopedReadOnlyViewSet):
    queryset = Procurement.objects.select_related("contract").prefetch_related(
        "criteria", "panel", "subprojects"
    )
    serializer_class = ProcurementSerializer
    filterset_class = ProcurementFilterSet
    ordering = ["id"]
    permission_actions = dict.fromkeys(STEPS, "change")

    def _answer(self, procurement):
        return Response(ProcurementSerializer(self.get_queryset().get(pk=procurement.pk)).data)

    @extend_schema(request=None)
    @action(detail=True, methods=["post"])
    def approve(self, request, pk=None):
        return self._answer(proc.approve_need(procurement=self.get_object(), by=request.user))

    @extend_schema(request=AnnounceSerializer)
    @action(detail=True, methods=["post"])
    def announce(self, request, pk=None):
        p = self.get_object()
        data = _valid(AnnounceSerializer, request)
        return self._answer(proc.announce(procurement=p, by=request.user, **data))

    @extend_schema(request=DrawSerializer)
    @action(detail=True, methods=["post"])
    def draw(self, request, pk=None):
        p = self.get_object()
        seed = _valid(DrawSerializer, request)["seed"] or None
        proc.draw_experts(procurement=p, by=request.user, seed=seed)
        return self._answer(p)

    @extend_schema(request=None)
    @action(detail=True, methods=["post"])
    def award(self, request, pk=None):
        p = self.get_object()
        proc.award(procurement=p, by=request.user)
        return self._answer(p)

    @extend_schema(request=OnSerializer)
    @action(detail=True, methods=["post"], url_path="award-notice")
    def award_notice(self, request, pk=None):
        p = self.get_object()
        on = _valid(OnSerializer, request)["on"]
        return self._answer(proc.publish_award_notice(procurement=p, by=request.user, on=on))

    @extend_schema(request=ContractInSerializer, responses=ContractSerializer)
    @action(detail=True, methods=["post"])
    def contract(self, request, pk=None):
        p = self.get_object()
        data = dict(_valid(ContractInSerializer, request))
        data["steps"] = [(s["kind"], s["amount"], s["due_condition"]) for s in data["steps"]]
        contract = proc.sign_contract(procurement=p, by=request.user, **data)
        return Response(ContractSerializer(contract).data, status=status.HTTP_201_CREATED)

    @extend_schema(request=ProcurementReasonSerializer)
    @action(detail=True, methods=["post"])
    def fail(self, request, pk=None):
        p = self.get_object()
        reason = _valid(ProcurementReasonSerializer, request)["reason"]
        return self._answer(proc.fail(procurement=p, by=request.user, reason=reason))


class BidViewSet(
    ScopedViewSetMixin,
    mixins.CreateModelMixin,
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    viewsets.GenericViewSet,
):
    """Bids in reach (a vendor sees its own); POST records a bid while the
    tender is open; ``score`` records a drawn expert's points."""

    queryset = Bid.objects.prefetch_related("scores")
    serializer_class = BidSerializer
    filterset_class = BidFilterSet
    ordering = ["id"]
    permission_actions = {"score": "change"}

    @extend_schema(request=BidInSerializer, responses=BidSerializer)
    def create(self, request, *args, **kwargs):
        data = _valid(BidInSerializer, request)
        p = get_object_or_404(
            Procurement.objects.restrict(request.user, "change"), pk=data["procurement"]
        )
        vendor = get_object_or_404(Vendor.objects.all(), pk=data["vendor"])
        bid = proc.submit_bid(procurement=p, vendor=vendor, amount=data["amount"], by=request.user)
        return Response(BidSerializer(bid).data, status=status.HTTP_201_CREATED)

    @extend_schema(request=ScoreInSerializer, responses=BidSerializer)
    @action(detail=True, methods=["post"])
    def score(self, request, pk=None):
        bid = self.get_object()
        data = _valid(ScoreInSerializer, request)
        expert = get_object_or_404(Expert.objects.all(), pk=data["expert"])
        proc.score_bid(bid=bid, expert=expert, points=data["points"], by=request.user)
        return Response(BidSerializer(self.get_queryset().get(pk=bid.pk)).data)


class ContractViewSet(ScopedReadOnlyViewSet):
    queryset = Contract.objects.prefetch_related("steps", "subprojects")
    serializer_class = ContractSerializer
    filterset_class = ContractFilterSet
    ordering = ["id"]
    permission_actions = {"accept": "change", "end": "change"}

    @extend_schema(request=OnSerializer)
    @action(detail=True, methods=["post"])
    def accept(self, request, pk=None):
        contract = self.get_object()
        on = _valid(OnSerializer, request)["on"]
        proc.accept_contract(contract=contract, by=request.user, on=on)
        return Response(ContractSerializer(self.get_queryset().get(pk=contract.pk)).data)

    @extend_schema(request=EndSerializer)
    @action(detail=True, methods=["post"])
    def end(self, request, pk=None):
        contract = self.get_object()
        data = _valid(EndSerializer, request)
        proc.end_contract(contract=contract, by=request.user, **data)
        return Response(ContractSerializer(self.get_queryset().get(pk=contract.pk)).data)


class PaymentStepViewSet(ScopedReadOnlyViewSet):
    queryset = PaymentStep.objects.select_related("contract")
    serializer_class = PaymentStepSerializer
    filterset_class = PaymentStepFilterSet
    ordering = ["id"]
    permission_actions = {"invoice": "change", "pay": "change"}

    @extend_schema(request=InvoiceSerializer)
    @action(detail=True, methods=["post"])
    def invoice(self, request, pk=None):
        step = self.get_object()
        data = _valid(InvoiceSerializer, request)
        step = proc.record_invoice(step=step, by=request.user, **data)
        return Response(PaymentStepSerializer(step).data)

    @extend_schema(request=PaySerializer)
    @action(detail=True, methods=["post"])
    def pay(self, request, pk=None):
        step = self.get_object()
        data = _valid(PaySerializer, request)
        step = proc.pay_step(step=step, by=request.user, **data)
        return Response(PaymentStepSerializer(step).data)


class _PoolViewSet(
    ScopedViewSetMixin,
    mixins.CreateModelMixin,
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.UpdateModelMixin,
    viewsets.GenericViewSet,
):
    http_method_names = ["get", "post", "patch", "head", "options"]
    ordering = ["id"]

    def perform_create(self, serializer):
        serializer.save()


class ExpertViewSet(_PoolViewSet):
    """The expert pool (专家库): the bureau and the centers keep it."""

    queryset = Expert.objects.prefetch_related("conflicts")
    serializer_class = ExpertSerializer
    filterset_class = ExpertFilterSet


class PracticeBaseViewSet(_PoolViewSet):
    """The practice bases (实践基地)."""

    queryset = PracticeBase.objects.all()
    serializer_class = PracticeBaseSerializer
    filterset_class = PracticeBaseFilterSet
