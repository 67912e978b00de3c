"""Funding API: lines, allocations, payments and figures in the caller's
scope; allocating, paying and reversing through ``funding.services``; a
district system posts its district's budget figures in batches (the same
batch again changes nothing)."""

from django.shortcuts import get_object_or_404
from django.utils.translation import gettext as _
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import status
from rest_framework.decorators import action
from rest_framework.response import Response

from centers.models import Center, District
from core.api.exceptions import error_response
from core.api.viewsets import ScopedReadOnlyViewSet
from core.batch import BatchRejected
from training.models import Contract, PaymentStep, Plan, Project, SubProject

from .. import services
from ..filtersets import (
    AllocationFilterSet,
    BudgetFigureFilterSet,
    BudgetLineFilterSet,
    DisbursementFilterSet,
)
from ..models import Allocation, BudgetFigure, BudgetLine, Disbursement
from .serializers import (
    AllocateSerializer,
    AllocationSerializer,
    BudgetFigureSerializer,
    BudgetLineSerializer,
    DisbursementSerializer,
    DisburseSerializer,
    ReverseSerializer,
)

MAX_KEY = 100
TARGETS = {"plan": Plan, "project": Project, "subproject": SubProject, "center": Center}


class BudgetLineViewSet(ScopedReadOnlyViewSet):
    queryset = BudgetLine.objects.all()
    serializer_class = BudgetLineSerializer
    filterset_class = BudgetLineFilterSet
    ordering_fields = ["updated_at", "year", "id"]
    ordering = ["id"]
    permission_actions = {"allocate": "change"}

    @extend_schema(request=AllocateSerializer, responses=AllocationSerializer)
    @action(detail=True, methods=["post"])
    def allocate(self, request, pk=None):
        line = self.get_object()
        body = AllocateSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        data = dict(body.validated_data)
        targets = {}
        for name, model in TARGETS.items():
            if name in data:
                targets[name] = get_object_or_404(model.objects.all(), pk=data.pop(name))
        allocation = services.allocate(line=line, by=request.user, **targets, **data)
        return Response(AllocationSerializer(allocation).data, status=status.HTTP_201_CREATED)


class AllocationViewSet(ScopedReadOnlyViewSet):
    queryset = Allocation.objects.all()
    serializer_class = AllocationSerializer
    filterset_class = AllocationFilterSet
    ordering = ["id"]
    permission_actions = {"disburse": "add", "reverse": "add"}

    @extend_schema(request=DisburseSerializer, responses=DisbursementSerializer)
    @action(detail=True, methods=["post"])
    def disburse(self, request, pk=None):
        allocation = self.get_object()
        body = DisburseSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        data = dict(body.validated_data)
        if "payment_step" in data:
            data["payment_step"] = get_object_or_404(PaymentStep, pk=data["payment_step"])
        if "contract" in data:
            data["contract"] = get_object_or_404(Contract, pk=data["contract"])
        entry = services.disburse(allocation=allocation, by=request.user, **data)
        return Response(DisbursementSerializer(entry).data, status=status.HTTP_201_CREATED)

    @extend_schema(request=ReverseSerializer, responses=AllocationSerializer)
    @action(detail=True, methods=["post"])
    def reverse(self, request, pk=None):
        allocation = self.get_object()
        body = ReverseSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        data = dict(body.validated_data)
        data.pop("kind", None)
        entry = services.reverse_allocation(allocation=allocation, by=request.user, **data)
        return Response(AllocationSerializer(entry).data, status=status.HTTP_201_CREATED)


class DisbursementViewSet(ScopedReadOnlyViewSet):
    queryset = Disbursement.objects.all()
    serializer_class = DisbursementSerializer
    filterset_class = DisbursementFilterSet
    ordering = ["id"]
    permission_actions = {"reverse": "add"}

    @extend_schema(request=ReverseSerializer, responses=DisbursementSerializer)
    @action(detail=True, methods=["post"])
    def reverse(self, request, pk=None):
        payment = self.get_object()
        body = ReverseSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        entry = services.reverse_disbursement(
            disbursement=payment, by=request.user, **body.validated_data
        )
        return Response(DisbursementSerializer(entry).data, status=status.HTTP_201_CREATED)


class BudgetFigureViewSet(ScopedReadOnlyViewSet):
    queryset = BudgetFigure.objects.all()
    serializer_class = BudgetFigureSerializer
    filterset_class = BudgetFigureFilterSet
    ordering_fields = ["updated_at", "id"]
    ordering = ["id"]
    permission_actions = {"batch": "view"}

    @extend_schema(
        parameters=[
            OpenApiParameter("Idempotency-Key", str, OpenApiParameter.HEADER, required=False)
        ],
        request={"application/json": {"type": "object"}},
    )
    @action(detail=False, methods=["post"])
    def batch(self, request):
        """Post the district's budget figures and training lines, all or
        nothing: ``{"rows": [...]}`` (see ``services.post_figures``). Under an
        ``Idempotency-Key`` a resend gets the stored answer back and writes
        nothing (``services.post_figures_once``)."""
        districts = list(District.objects.restrict(request.user, "sync_budget")[:2])
        if len(districts) != 1:
            return error_response(
                403,
                "not_a_district_system",
                _("Only a district system's token may post budget figures."),
            )
        key = (request.headers.get("Idempotency-Key") or "").strip()
        if len(key) > MAX_KEY:
            return error_response(
                400,
                "idempotency_key_too_long",
                _("An Idempotency-Key has 1 to 100 characters."),
            )
        rows = request.data.get("rows") if isinstance(request.data, dict) else None
        try:
            if not key:
                return Response(
                    services.post_figures(district=districts[0], rows=rows, by=request.user)
                )
            answer = services.post_figures_once(
                district=districts[0], key=key, rows=rows, by=request.user
            )
        except BatchRejected as exc:
            return error_response(400, "invalid", exc.message, {"rows": exc.as_list()})
        response = Response(answer.body, status=answer.status)
        if answer.replayed:
            response["Idempotent-Replayed"] = "true"
        return response
