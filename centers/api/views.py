"""Read endpoints with the pages' filter sets, and the district-sync batch
upserts (POST …/schools/sync/ and …/teachers/sync/)."""

from django.core.exceptions import PermissionDenied
from drf_spectacular.utils import extend_schema, extend_schema_view
from rest_framework import status
from rest_framework.decorators import action
from rest_framework.response import Response

from core.api.exceptions import error_response
from core.api.viewsets import ScopedCreateListRetrieveViewSet, ScopedReadOnlyViewSet
from core.permissions import can

from .. import services
from ..filtersets import (
    CampusFilterSet,
    CenterFilterSet,
    MandateFilterSet,
    RoomFilterSet,
    SchoolFilterSet,
    StaffMemberFilterSet,
    StaffYearRecordFilterSet,
    StandardCenterFilterSet,
    TeacherFilterSet,
)
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
    Teacher,
)
from ..rows import ROW_FORMS
from .serializers import (
    AppointmentReasonSerializer,
    AppointSerializer,
    CampusSerializer,
    CenterSerializer,
    DecideAppointmentSerializer,
    DistrictSerializer,
    EndAppointmentSerializer,
    MandateSerializer,
    RoomSerializer,
    SchoolSerializer,
    StaffAppointmentSerializer,
    StaffMemberSerializer,
    StaffYearRecordSerializer,
    StandardSerializer,
    TeacherSerializer,
    evaluation_data,
)


class DistrictViewSet(ScopedReadOnlyViewSet):
    queryset = District.objects.all()
    serializer_class = DistrictSerializer
    pagination_class = None


class CenterViewSet(ScopedReadOnlyViewSet):
    queryset = Center.objects.select_related("district")
    serializer_class = CenterSerializer
    filterset_class = CenterFilterSet


def sync_request_schema(kind: str) -> dict:
    """The OpenAPI body of ``<list>/sync/``: a list of rows (or ``{"rows":
    [...]}``), each with the kind's row fields, so the schema and the
    fuzzers send real-shaped batches rather than one object."""
    form = ROW_FORMS[kind]()
    row = {
        "type": "object",
        "properties": {name: {"type": "string"} for name in form.fields},
        "required": [name for name, field in form.fields.items() if field.required],
    }
    rows = {"type": "array", "items": row, "minItems": 1, "maxItems": services.MAX_BATCH_ROWS}
    body = {"oneOf": [rows, {"type": "object", "properties": {"rows": rows}, "required": ["rows"]}]}
    return {"application/json": body}


class SyncMixin:
    """``POST <list>/sync/`` with a list of rows (or ``{"rows": [...]}``):
    upserted by the district's own ids, all or nothing. 200 with the counts;
    400 naming each bad row's index (0-based) and writing nothing."""

    sync_kind = ""
    permission_actions = {"sync": "add"}

    @action(detail=False, methods=["post"], url_path="sync")
    def sync(self, request):
        model = self.queryset.model
        if not can(request.user, "change", model):
            raise PermissionDenied
        rows = request.data.get("rows") if isinstance(request.data, dict) else request.data
        try:
            result = services.BATCH_WRITERS[self.sync_kind](
                user=request.user, rows=rows, source="api"
            )
        except services.BatchError as exc:
            details = {"rows": {str(i): fields for i, fields in exc.by_row().items()}}
            return error_response(status.HTTP_400_BAD_REQUEST, "invalid_rows", exc.message, details)
        return Response(result.as_dict())


@extend_schema_view(sync=extend_schema(request=sync_request_schema("schools")))
class SchoolViewSet(SyncMixin, ScopedReadOnlyViewSet):
    queryset = School.objects.all()
    serializer_class = SchoolSerializer
    filterset_class = SchoolFilterSet
    sync_kind = "schools"


@extend_schema_view(sync=extend_schema(request=sync_request_schema("teachers")))
class TeacherViewSet(SyncMixin, ScopedReadOnlyViewSet):
    """ID numbers are always masked here (``440104********1234``)."""

    queryset = Teacher.objects.all()
    serializer_class = TeacherSerializer
    filterset_class = TeacherFilterSet
    sync_kind = "teachers"


class CampusViewSet(ScopedReadOnlyViewSet):
    queryset = Campus.objects.all()
    serializer_class = CampusSerializer
    filterset_class = CampusFilterSet


class RoomViewSet(ScopedReadOnlyViewSet):
    queryset = Room.objects.select_related("campus")
    serializer_class = RoomSerializer
    filterset_class = RoomFilterSet


class StaffMemberViewSet(ScopedReadOnlyViewSet):
    queryset = StaffMember.objects.all()
    serializer_class = StaffMemberSerializer
    filterset_class = StaffMemberFilterSet


class StaffYearRecordViewSet(ScopedReadOnlyViewSet):
    queryset = StaffYearRecord.objects.all()
    serializer_class = StaffYearRecordSerializer
    filterset_class = StaffYearRecordFilterSet


class StaffAppointmentViewSet(ScopedCreateListRetrieveViewSet):
    """互聘: appointments of a trainer of one member center by another, as
    both centers (and the bureau, the secretariat) see them. POST enters one
    for the appointing center (confirmed at once when the secretariat
    records it); ``confirm`` is the home center's answer (``decline``, with a
    reason, the same as ``confirm: false``), ``withdraw`` the appointing
    center's while it awaits that answer, ``end`` ends a confirmed one early."""

    queryset = StaffAppointment.objects.select_related("staff__center", "center")
    serializer_class = StaffAppointmentSerializer
    filterset_fields = ["center", "staff", "staff__center", "status"]
    # The services decide who may enter and confirm (``appoint_for`` /
    # ``confirm_for`` on the centers): the view needs only to see the object.
    permission_actions = {
        "create": "view",
        "confirm": "view",
        "decline": "view",
        "withdraw": "view",
        "end": "view",
    }

    @extend_schema(request=AppointSerializer, responses=StaffAppointmentSerializer)
    def create(self, request, *args, **kwargs):
        data = AppointSerializer(data=request.data, context={"request": request})
        data.is_valid(raise_exception=True)
        appointment = services.appoint(user=request.user, **data.validated_data)
        return Response(
            StaffAppointmentSerializer(appointment).data, status=status.HTTP_201_CREATED
        )

    @extend_schema(request=DecideAppointmentSerializer, responses=StaffAppointmentSerializer)
    @action(detail=True, methods=["post"])
    def confirm(self, request, pk=None):
        data = DecideAppointmentSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        appointment = services.decide_appointment(
            user=request.user,
            appointment=self.get_object(),
            confirm=data.validated_data["confirm"],
            note=data.validated_data["note"],
        )
        return Response(StaffAppointmentSerializer(appointment).data)

    def _with_reason(self, request, step):
        appointment = self.get_object()  # 404 outside the user's scope, before the body
        data = AppointmentReasonSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        appointment = step(
            user=request.user, appointment=appointment, reason=data.validated_data["reason"]
        )
        return Response(StaffAppointmentSerializer(appointment).data)

    @extend_schema(request=AppointmentReasonSerializer, responses=StaffAppointmentSerializer)
    @action(detail=True, methods=["post"])
    def decline(self, request, pk=None):
        """拒绝: the home center declines an appointment awaiting it: ``{"reason"}``."""
        return self._with_reason(request, services.decline_appointment)

    @extend_schema(request=AppointmentReasonSerializer, responses=StaffAppointmentSerializer)
    @action(detail=True, methods=["post"])
    def withdraw(self, request, pk=None):
        """撤回: the appointing center withdraws an appointment awaiting the
        home center: ``{"reason"}`` (optional)."""
        return self._with_reason(request, services.withdraw_appointment)

    @extend_schema(request=EndAppointmentSerializer, responses=StaffAppointmentSerializer)
    @action(detail=True, methods=["post"])
    def end(self, request, pk=None):
        """End the appointment before its term: ``{"ended_on", "reason"}``."""
        appointment = self.get_object()  # 404 outside the user's scope, before the body
        data = EndAppointmentSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        appointment = services.end_appointment(
            user=request.user,
            appointment=appointment,
            ended_on=data.validated_data["ended_on"],
            reason=data.validated_data["reason"],
        )
        return Response(StaffAppointmentSerializer(appointment).data)


class MandateViewSet(ScopedReadOnlyViewSet):
    queryset = Mandate.objects.all()
    serializer_class = MandateSerializer
    filterset_class = MandateFilterSet

    @action(detail=False, methods=["get"], url_path="route")
    def route(self, request):
        """Which center is responsible: ``?training_kind=&target_group=&stage=&ownership=``."""
        params = {
            k: request.query_params.get(k, "")
            for k in ("training_kind", "target_group", "stage", "ownership")
        }
        mandate = services.route_mandate(**params)
        if mandate is None:
            return Response({"center": None, "mandate": None})
        return Response(
            {
                "center": mandate.center_id,
                "center_name": mandate.center.name,
                "mandate": MandateSerializer(mandate).data,
            }
        )


class StandardViewSet(ScopedReadOnlyViewSet):
    """The standards in force with their rules; ``evaluation/`` evaluates
    them for the centers in the user's reach (filters: ``kind``,
    ``district``, ``q``, as on the matrix page)."""

    queryset = Standard.objects.prefetch_related("rules")
    serializer_class = StandardSerializer
    pagination_class = None

    @action(detail=False, methods=["get"], url_path="evaluation")
    def evaluation(self, request):
        filterset = StandardCenterFilterSet(
            request.query_params or None,
            queryset=Center.objects.restrict(request.user, "standards").select_related("district"),
            request=request,
        )
        if filterset.is_bound and not filterset.is_valid():
            return error_response(
                status.HTTP_400_BAD_REQUEST, "invalid", "Invalid filter.", filterset.errors
            )
        evaluations = services.evaluate_centers(filterset.qs)
        return Response([evaluation_data(e) for e in evaluations])

    @action(detail=False, methods=["get"], url_path="ladders")
    def ladders(self, request):
        """The career ladders of the seeds (``centers.ladders_data``), each
        with its steps from the first."""
        return Response(
            [
                {
                    "code": item.code,
                    "name": item.name,
                    "source": item.source,
                    "steps": [
                        {"position": n, "code": code, "name": name}
                        for n, (code, name) in enumerate(item.steps)
                    ],
                }
                for item in services.ladders()
            ]
        )
