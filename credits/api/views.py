"""Credits API: a teacher reads their summary and entries; a district
system posts entries in batches under an ``Idempotency-Key`` and reads
changes with ``updated_since``; reviewers read and decide claims."""

import json

from django.core.exceptions import ValidationError
from django.http import HttpResponse
from django.shortcuts import get_object_or_404
from django.utils.translation import gettext as _
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework.decorators import action
from rest_framework.exceptions import ParseError, UnsupportedMediaType
from rest_framework.response import Response
from rest_framework.views import APIView

from centers.models import District, Teacher
from core.api.exceptions import error_response
from core.api.viewsets import ScopedReadOnlyViewSet
from core.permissions import can

from .. import services
from ..filtersets import CreditClaimFilterSet, CreditEntryFilterSet
from ..models import CreditClaim, CreditEntry
from .serializers import (
    CreditBatchRowSerializer,
    CreditClaimSerializer,
    CreditEntrySerializer,
    ReasonSerializer,
    summary_data,
)

MAX_KEY = 100


def _refuse_constant(name):
    raise ValueError(f"{name} is not JSON")


def read_json(request):
    """The request's JSON body and its bytes, parsed once with the standard
    library (what DRF's JSON parser does, without its stream decoding)."""
    content_type = (request.content_type or "").split(";")[0].strip().lower()
    if content_type != "application/json" and not content_type.endswith("+json"):
        raise UnsupportedMediaType(request.content_type)
    raw = request.body
    try:
        return json.loads(raw, parse_constant=_refuse_constant), raw
    except ValueError as exc:  # JSONDecodeError, UnicodeDecodeError
        raise ParseError(_("The body is not valid JSON.")) from exc


class CreditEntryViewSet(ScopedReadOnlyViewSet):
    """The ledger in the caller's scope; ``?updated_since=`` reads changes
    (a reversal is a new entry pointing at what it reverses)."""

    queryset = CreditEntry.objects.select_related("teacher")
    serializer_class = CreditEntrySerializer
    filterset_class = CreditEntryFilterSet
    ordering_fields = ["updated_at", "earned_on", "id"]
    ordering = ["id"]
    permission_actions = {"batch": "add"}

    @extend_schema(
        parameters=[
            OpenApiParameter("Idempotency-Key", str, OpenApiParameter.HEADER, required=True)
        ],
        request={"application/json": CreditBatchRowSerializer(many=True)},
    )
    @action(detail=False, methods=["post"])
    def batch(self, request):
        """Post up to 1,000 entries of the token's district, all or nothing.

        The body is read, hashed and parsed once here; the answer goes out
        as the same compact JSON that is stored with the key (no serializer
        or renderer: the service has checked every row already)."""
        districts = list(District.objects.restrict(request.user, "sync_credits")[:2])
        if len(districts) != 1:
            return error_response(
                403,
                "not_a_district_system",
                _("Only a district system's token may post credit batches."),
            )
        key = (request.headers.get("Idempotency-Key") or "").strip()
        if not key or len(key) > MAX_KEY:
            return error_response(
                400,
                "idempotency_key_required",
                _("Send an Idempotency-Key header (1 to 100 characters) with every batch."),
            )
        body, raw = read_json(request)
        district = districts[0]
        answer = services.sync_batch(
            district=district,
            key=key,
            body=body,
            user=request.user,
            digest=services.request_hash(raw),
        )
        response = HttpResponse(
            answer.content, status=answer.status, content_type="application/json"
        )
        if answer.replayed:
            response["Idempotent-Replayed"] = "true"
        return response


class CreditClaimViewSet(ScopedReadOnlyViewSet):
    queryset = CreditClaim.objects.all()
    serializer_class = CreditClaimSerializer
    filterset_class = CreditClaimFilterSet
    permission_actions = {"approve": "change", "reject": "change"}

    @extend_schema(request=None)
    @action(detail=True, methods=["post"])
    def approve(self, request, pk=None):
        claim = self.get_object()
        try:
            claim = services.approve_claim(claim=claim, by=request.user)
        except ValidationError as exc:
            return error_response(409, "decided", " ".join(exc.messages))
        return Response(CreditClaimSerializer(claim).data)

    @extend_schema(request=ReasonSerializer)
    @action(detail=True, methods=["post"])
    def reject(self, request, pk=None):
        claim = self.get_object()
        serializer = ReasonSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        try:
            claim = services.reject_claim(
                claim=claim, by=request.user, reason=serializer.validated_data["reason"]
            )
        except ValidationError as exc:
            return error_response(409, "decided", " ".join(exc.messages))
        return Response(CreditClaimSerializer(claim).data)


class SummaryView(APIView):
    """Hours this cycle against the policy: the caller's own (a teacher), or
    ``?teacher=<id>`` for a teacher in the caller's scope."""

    permission_model = CreditEntry

    @extend_schema(
        parameters=[OpenApiParameter("teacher", int, OpenApiParameter.QUERY, required=False)],
        responses={200: {"type": "object"}},
    )
    def get(self, request):
        teacher_id = request.query_params.get("teacher")
        teachers = Teacher.objects.restrict(request.user, "view_credits").select_related("school")
        if teacher_id:
            if not teacher_id.isdigit():
                return error_response(400, "invalid", _("teacher must be an id."))
            teacher = get_object_or_404(teachers, pk=int(teacher_id))
        else:
            if not can(request.user, "self", Teacher):
                return error_response(
                    400, "teacher_required", _("Name a teacher with ?teacher=<id>.")
                )
            teacher = Teacher.objects.restrict(request.user, "self").order_by("pk").first()
        return Response(summary_data(services.teacher_summary(teacher)))
