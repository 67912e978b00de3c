"""Training API: plans, projects, sub-projects (and their state moves),
enrolments (apply, decide, withdraw, acknowledge), sessions (check in, sign
off), attendance and results. Lists read changes with ``?updated_since=``:
a district system reads its district's participation and results. Every
rule is the services'; a refused move answers 400 with its reason."""

import json

from django.http import HttpResponse
from django.shortcuts import get_object_or_404
from django.utils.translation import gettext as _
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import status
from rest_framework.decorators import action
from rest_framework.exceptions import ParseError, UnsupportedMediaType
from rest_framework.parsers import FormParser, JSONParser, MultiPartParser
from rest_framework.response import Response
from rest_framework.views import APIView

from centers.api.serializers import LadderStepSerializer
from centers.models import District, Teacher
from core.api.exceptions import error_response
from core.api.viewsets import ScopedCreateListRetrieveViewSet, ScopedReadOnlyViewSet
from core.batch import request_hash
from core.permissions import get_scope
from core.registry import registry
from core.roles import Role

from .. import imports, services
from ..filtersets import (
    AttendanceFilterSet,
    EnrollmentFilterSet,
    PlanFilterSet,
    ProjectFilterSet,
    ResultFilterSet,
    SessionFilterSet,
    SubProjectFilterSet,
)
from ..models import Attendance, Enrollment, Plan, Project, Result, Session, SubProject
from ..services import sync
from .serializers import (
    AcknowledgeSerializer,
    ApplySerializer,
    AttendanceSerializer,
    CheckinSerializer,
    DecideSerializer,
    EnrollmentSerializer,
    MoveSerializer,
    PlanSerializer,
    ProjectSerializer,
    ResultSerializer,
    ScoresSerializer,
    SessionSerializer,
    SubProjectSerializer,
    WithdrawSerializer,
)


def _valid(serializer_class, request):
    serializer = serializer_class(data=request.data)
    serializer.is_valid(raise_exception=True)
    return serializer.validated_data


class PlanViewSet(ScopedReadOnlyViewSet):
    queryset = Plan.objects.all()
    serializer_class = PlanSerializer
    filterset_class = PlanFilterSet
    ordering = ["id"]
    permission_actions = {"move": "view", "ladder_step": "view"}

    @extend_schema(request=MoveSerializer)
    @action(detail=True, methods=["post"])
    def move(self, request, pk=None):
        plan = self.get_object()
        data = _valid(MoveSerializer, request)
        plan = services.move_plan(
            plan=plan, move=data["move"], by=request.user, reason=data["reason"]
        )
        return Response(PlanSerializer(plan).data)


class ProjectViewSet(ScopedReadOnlyViewSet):
    queryset = Project.objects.all()
    serializer_class = ProjectSerializer
    filterset_class = ProjectFilterSet
    ordering = ["id"]


class SubProjectViewSet(ScopedReadOnlyViewSet):
    queryset = SubProject.objects.all()
    serializer_class = SubProjectSerializer
    filterset_class = SubProjectFilterSet
    ordering = ["id"]
    # The services decide who may which move (the bureau approves, the
    # responsible center starts and closes): the view only needs the object.
    permission_actions = {"move": "view"}

    @extend_schema(request=MoveSerializer)
    @action(detail=True, methods=["post"])
    def move(self, request, pk=None):
        sub = self.get_object()
        data = _valid(MoveSerializer, request)
        services.move_subproject(
            subproject=sub, move=data["move"], by=request.user, reason=data["reason"]
        )
        sub.refresh_from_db()
        return Response(SubProjectSerializer(sub).data)

    @extend_schema(request=LadderStepSerializer, responses=SubProjectSerializer)
    @action(detail=True, methods=["post"], url_path="ladder-step")
    def ladder_step(self, request, pk=None):
        """Set the career ladder step the class trains for (400 for an unknown step)."""
        sub = self.get_object()
        data = _valid(LadderStepSerializer, request)
        services.set_ladder_step(subproject=sub, ladder_step=data["ladder_step"], by=request.user)
        return Response(SubProjectSerializer(sub).data)


class EnrollmentViewSet(ScopedCreateListRetrieveViewSet):
    """Enrolments in reach; POST applies (a teacher for themself, a school
    admin nominating a teacher of their school)."""

    queryset = Enrollment.objects.select_related("teacher")
    serializer_class = EnrollmentSerializer
    filterset_class = EnrollmentFilterSet
    ordering = ["id"]
    permission_actions = {"decide": "change", "withdraw": "change", "acknowledge": "change"}

    @extend_schema(request=ApplySerializer, responses=EnrollmentSerializer)
    def create(self, request, *args, **kwargs):
        data = _valid(ApplySerializer, request)
        sub = get_object_or_404(SubProject.objects.restrict(request.user), pk=data["subproject"])
        teacher = get_object_or_404(Teacher.objects.restrict(request.user), pk=data["teacher"])
        enrollment = services.apply(subproject=sub, teacher=teacher, by=request.user)
        return Response(EnrollmentSerializer(enrollment).data, status=status.HTTP_201_CREATED)

    @extend_schema(request=DecideSerializer)
    @action(detail=True, methods=["post"])
    def decide(self, request, pk=None):
        enrollment = self.get_object()
        data = _valid(DecideSerializer, request)
        enrollment = services.decide(
            enrollment=enrollment,
            by=request.user,
            approve=data["approve"],
            reason=data["reason"],
        )
        return Response(EnrollmentSerializer(enrollment).data)

    @extend_schema(request=WithdrawSerializer)
    @action(detail=True, methods=["post"])
    def withdraw(self, request, pk=None):
        enrollment = self.get_object()
        data = _valid(WithdrawSerializer, request)
        enrollment = services.withdraw(
            enrollment=enrollment, by=request.user, reason=data["reason"]
        )
        return Response(EnrollmentSerializer(enrollment).data)

    @extend_schema(request=AcknowledgeSerializer)
    @action(detail=True, methods=["post"])
    def acknowledge(self, request, pk=None):
        enrollment = self.get_object()
        data = _valid(AcknowledgeSerializer, request)
        enrollment = services.acknowledge(enrollment=enrollment, by=request.user, **data)
        return Response(EnrollmentSerializer(enrollment).data)


class SessionViewSet(ScopedReadOnlyViewSet):
    queryset = Session.objects.all()
    serializer_class = SessionSerializer
    filterset_class = SessionFilterSet
    ordering = ["id"]
    permission_actions = {"checkin": "view", "sign_off": "change"}

    @extend_schema(request=CheckinSerializer, responses=AttendanceSerializer)
    @action(detail=True, methods=["post"])
    def checkin(self, request, pk=None):
        session = self.get_object()
        data = _valid(CheckinSerializer, request)
        row = services.check_in(session=session, by=request.user, code=data["code"])
        return Response(AttendanceSerializer(row).data)

    @extend_schema(request=None)
    @action(detail=True, methods=["post"], url_path="sign-off")
    def sign_off(self, request, pk=None):
        session = services.sign_off(session=self.get_object(), by=request.user)
        return Response(SessionSerializer(session).data)


class AttendanceViewSet(ScopedReadOnlyViewSet):
    queryset = Attendance.objects.select_related("enrollment")
    serializer_class = AttendanceSerializer
    filterset_class = AttendanceFilterSet
    ordering = ["id"]


class ResultViewSet(ScopedCreateListRetrieveViewSet):
    """Results in reach; POST enters a trainee's scores (the vendor), and the
    answer carries the computed score and grade."""

    queryset = Result.objects.select_related("enrollment")
    serializer_class = ResultSerializer
    filterset_class = ResultFilterSet
    ordering = ["id"]

    def get_queryset(self):
        qs = super().get_queryset()
        user = self.request.user
        if not get_scope(user).has_role(Role.TEACHER):
            return qs
        own = (
            Enrollment.objects.restrict(user)
            .filter(teacher__user_id=user.pk)
            .values_list("subproject_id", flat=True)
        )
        locked = registry.locked_results(user, list(own))
        if locked:
            # A trainee's own result waits for the gate (the survey answered).
            qs = qs.exclude(
                enrollment__teacher__user_id=user.pk, enrollment__subproject_id__in=locked
            )
        return qs

    @extend_schema(request=ScoresSerializer, responses=ResultSerializer)
    def create(self, request, *args, **kwargs):
        data = dict(_valid(ScoresSerializer, request))
        enrollment = get_object_or_404(
            Enrollment.objects.restrict(request.user, "change")
            .filter(subproject__in=SubProject.objects.restrict(request.user, "change"))
            .select_related("subproject"),
            pk=data.pop("enrollment"),
        )
        recommended = data.pop("recommended", None)
        result = services.enter_result(
            enrollment=enrollment, by=request.user, recommended=recommended, **data
        )
        return Response(ResultSerializer(result).data, status=status.HTTP_201_CREATED)


class ParticipationBatchView(APIView):
    """``POST /api/v1/training/participation/``: a district system's own
    区培 / 校本 participation, ``{"rows": [...]}`` under an
    ``Idempotency-Key`` (``training.services.sync``)."""

    permission_model = District
    # The permission action of every request to this route (RolePermission).
    action = "sync"
    permission_actions = {"sync": "sync_training"}

    @extend_schema(
        parameters=[
            OpenApiParameter("Idempotency-Key", str, OpenApiParameter.HEADER, required=True)
        ],
        request={"application/json": {"type": "object"}},
        responses={201: {"type": "object"}},
    )
    def post(self, request):
        districts = list(District.objects.restrict(request.user, "sync_training")[:2])
        if len(districts) != 1:
            return error_response(
                403,
                "not_a_district_system",
                _("Only a district system's token may post participation."),
            )
        key = (request.headers.get("Idempotency-Key") or "").strip()
        if not key or len(key) > 100:
            return error_response(
                400,
                "idempotency_key_required",
                _("Send an Idempotency-Key header (1 to 100 characters) with every batch."),
            )
        content_type = (request.content_type or "").split(";")[0].strip().lower()
        if content_type != "application/json":
            raise UnsupportedMediaType(request.content_type)
        raw = request.body
        try:
            body = json.loads(raw, parse_constant=_refuse_constant)
        except ValueError as exc:
            raise ParseError(_("The body is not valid JSON.")) from exc
        answer = sync.sync_participation(
            district=districts[0],
            key=key,
            body=body,
            user=request.user,
            digest=request_hash(raw),
        )
        response = HttpResponse(
            answer.content, status=answer.status, content_type="application/json"
        )
        if answer.replayed:
            response["Idempotent-Replayed"] = "true"
        return response


def _refuse_constant(name):
    raise ValueError(f"{name} is not JSON")


class NominationImportView(APIView):
    """``POST /api/v1/training/nominations/import/`` (multipart): ``file`` an
    .xlsx nomination list (the page's template), optional ``subproject`` for
    rows that name none, ``dry_run`` to check only. The same guard, parser
    and service as the page (``training.imports``): a refused file answers
    400 ``file_refused``; bad rows 422 ``invalid_rows`` with each row's
    number, field and message, and nothing is written."""

    permission_model = Teacher
    action = "nominate"
    permission_actions = {"nominate": "nominate"}
    # JSON is read too, to answer a body without the file with its reason.
    parser_classes = [MultiPartParser, FormParser, JSONParser]

    @extend_schema(
        request={
            "multipart/form-data": {
                "type": "object",
                "properties": {
                    "file": {"type": "string", "format": "binary"},
                    "subproject": {"type": "integer"},
                    "dry_run": {"type": "boolean"},
                },
                "required": ["file"],
            }
        },
        responses={200: {"type": "object"}, 201: {"type": "object"}},
    )
    def post(self, request):
        upload = request.FILES.get("file")
        if upload is None:
            return error_response(400, "file_required", _("Attach the workbook as “file”."))
        sub = None
        wanted = str(request.data.get("subproject") or "").strip()
        if wanted:
            if not wanted.isdigit() or len(wanted) > 9:
                return error_response(400, "invalid", _("Give the sub-project's id."))
            sub = get_object_or_404(SubProject.objects.restrict(request.user), pk=int(wanted))
        dry_run = str(request.data.get("dry_run", "")).lower() in ("1", "true", "yes")
        try:
            rows, _digest = imports.read_workbook(upload)
        except imports.ImportRefused as exc:
            return error_response(400, "file_refused", str(exc))
        result, errors = imports.check_rows(
            user=request.user, rows=rows, subproject=sub, dry_run=dry_run
        )
        if errors:
            details = [
                {"row": int(number) or None, "field": None if f == "__all__" else f, "message": m}
                for number, fields in errors.items()
                for f, messages in fields.items()
                for m in messages
            ]
            return error_response(
                422,
                "invalid_rows",
                _("%(n)d rows are invalid; nothing of this list was written.")
                % {"n": len([n for n in errors if n != "0"])},
                {"rows": details},
            )
        if dry_run:
            return Response({"rows": len(rows), "valid": True, "created": 0})
        return Response(
            {
                "rows": len(rows),
                "created": result.created,
                "enrollments": [e.pk for e in result.rows],
            },
            status=status.HTTP_201_CREATED,
        )
