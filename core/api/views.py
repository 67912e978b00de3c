from django.contrib.auth import authenticate
from django.core.exceptions import PermissionDenied, ValidationError
from django.shortcuts import get_object_or_404
from django.utils.translation import gettext as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import generics, status
from rest_framework.decorators import action
from rest_framework.permissions import AllowAny
from rest_framework.response import Response
from rest_framework.views import APIView

from ..exports import check_download, download, registry, start_export
from ..models import Announcement, ApiToken, ExportJob, ExportStatus, Membership
from ..permissions import get_scope
from ..roles import roles
from ..services import issue_token, revoke_token
from .exceptions import error_response
from .serializers import (
    AnnouncementSerializer,
    AnnouncementWithdrawSerializer,
    ErrorSerializer,
    ExporterSerializer,
    ExportJobSerializer,
    ExportOptionsSerializer,
    MarkReadSerializer,
    MeSerializer,
    NotificationSerializer,
    TokenRequestSerializer,
    TokenResponseSerializer,
)
from .throttles import TokenThrottle
from .viewsets import ScopedModelViewSet

ERROR = OpenApiResponse(ErrorSerializer, description="The error body (docs/api.md).")
COMMON_ERRORS = {401: ERROR, 403: ERROR}


class MeView(APIView):
    """Who the caller is and which roles (memberships) they act with."""

    public = True

    @extend_schema(operation_id="me", responses={200: MeSerializer, **COMMON_ERRORS})
    def get(self, request):
        user = request.user
        scope = get_scope(user)
        if request.auth is not None:
            memberships = [request.auth.membership]
        else:
            memberships = Membership.objects.restrict(user).active().filter(user=user)
        return Response(
            MeSerializer(
                {
                    "username": user.get_username(),
                    "name": str(user),
                    "roles": sorted(scope.roles),
                    "memberships": memberships,
                }
            ).data
        )


def _locked():
    return error_response(
        429, "locked", _("Too many failed attempts: the account is locked for a while.")
    )


class TokenView(APIView):
    """Issue a token for a district system account (username and password).
    Failed attempts count towards the same lock-out as the log-in page."""

    permission_classes = [AllowAny]
    authentication_classes = []
    throttle_classes = [TokenThrottle]

    @extend_schema(
        operation_id="token_issue",
        request=TokenRequestSerializer,
        responses={
            201: TokenResponseSerializer,
            400: ERROR,
            401: ERROR,
            403: ERROR,
            429: OpenApiResponse(ErrorSerializer, description="Locked after 5 failures."),
        },
        auth=[],
    )
    def post(self, request):
        serializer = TokenRequestSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        try:
            # Through Django's authenticate, so django-axes counts failures and
            # refuses a locked account (its backend comes first).
            user = authenticate(
                request._request, username=data["username"], password=data["password"]
            )
        except PermissionDenied:
            return _locked()
        if getattr(request._request, "axes_locked_out", False):
            return _locked()
        if user is None:
            return error_response(401, "authentication_failed", _("Wrong username or password."))
        memberships = list(
            Membership.objects.restrict(user)
            .active()
            .filter(user=user, role__in=roles.api_clients())
        )
        if len(memberships) != 1:
            return error_response(
                403,
                "not_a_district_system",
                _("Only a district system account can hold an API token."),
            )
        token, raw_key = issue_token(
            actor=user, membership=memberships[0], name=data["name"], request=request._request
        )
        body = {
            "token": raw_key,
            "expires_at": token.expires_at,
            "name": token.name,
            "district_id": memberships[0].organisation_id,
        }
        return Response(TokenResponseSerializer(body).data, status=status.HTTP_201_CREATED)


class TokenRevokeView(APIView):
    """Revoke the token the request is made with."""

    public = True

    @extend_schema(
        operation_id="token_revoke",
        request=None,
        responses={204: None, 400: ERROR, **COMMON_ERRORS},
    )
    def delete(self, request):
        if not isinstance(request.auth, ApiToken):
            return error_response(400, "no_token", _("This request was not made with a token."))
        revoke_token(actor=request.user, token=request.auth)
        return Response(status=status.HTTP_204_NO_CONTENT)


class ExporterListView(APIView):
    """The exports the caller may run."""

    public = True

    @extend_schema(
        operation_id="exporters_list",
        responses={200: ExporterSerializer(many=True), **COMMON_ERRORS},
    )
    def get(self, request):
        return Response(
            [
                {
                    "identifier": cls.identifier,
                    "name": str(cls.name),
                    "description": str(cls.description),
                    "options": list(cls.options_form.base_fields),
                }
                for cls in registry.available_to(request.user)
            ]
        )


class ExportStartView(APIView):
    """Start an export: 202 with the job, and its URL to poll in Location."""

    public = True

    @extend_schema(
        operation_id="export_start",
        request=ExportOptionsSerializer,
        responses={202: ExportJobSerializer, 400: ERROR, 404: ERROR, **COMMON_ERRORS},
    )
    def post(self, request, identifier):
        try:
            job = start_export(user=request.user, identifier=identifier, data=request.data)
        except LookupError:
            return error_response(404, "not_found", _("No such export."))
        except ValidationError as exc:
            return error_response(
                400,
                "invalid",
                _("Invalid options."),
                exc.message_dict if hasattr(exc, "error_dict") else exc.messages,
            )
        job.refresh_from_db()
        body = ExportJobSerializer(job, context={"request": request}).data
        return Response(body, status=status.HTTP_202_ACCEPTED, headers={"Location": body["url"]})


class ExportJobListView(generics.ListAPIView):
    """The caller's own export jobs, newest first."""

    public = True
    serializer_class = ExportJobSerializer
    filter_backends = []

    def get_queryset(self):
        return ExportJob.objects.restrict(self.request.user).filter(owner=self.request.user)

    @extend_schema(
        operation_id="export_jobs_list",
        responses={200: ExportJobSerializer(many=True), **COMMON_ERRORS},
    )
    def get(self, request, *args, **kwargs):
        return super().get(request, *args, **kwargs)


class ExportJobView(APIView):
    """Poll a job: 409 with progress while it runs, 410 if it failed or its
    file expired, the file when it is done."""

    public = True

    @extend_schema(
        operation_id="export_job_retrieve",
        responses={
            (200, "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"): (
                OpenApiTypes.BINARY
            ),
            409: OpenApiResponse(ExportJobSerializer, description="Still running: progress."),
            410: OpenApiResponse(ExportJobSerializer, description="Failed or expired."),
            404: ERROR,
            **COMMON_ERRORS,
        },
    )
    def get(self, request, pk):
        job = get_object_or_404(ExportJob.objects.restrict(request.user), pk=pk, owner=request.user)
        body = ExportJobSerializer(job, context={"request": request}).data
        if job.status == ExportStatus.FAILED:
            return Response(body, status=status.HTTP_410_GONE)
        if job.status != ExportStatus.DONE:
            return Response(body, status=status.HTTP_409_CONFLICT)
        if not job.file:
            return Response(body, status=status.HTTP_410_GONE)
        check_download(request.user, job)
        return download(job)


class NotificationListView(generics.ListAPIView):
    """The caller's notifications, newest first (``?unread=1``: unread only),
    each rendered in the request's language."""

    public = True
    serializer_class = NotificationSerializer
    filter_backends = []

    def get_queryset(self):
        from .. import notifications

        qs = notifications.mine(self.request.user)
        if self.request.query_params.get("unread") in ("1", "true"):
            qs = qs.unread()
        return qs

    @extend_schema(
        operation_id="notifications_list",
        responses={200: NotificationSerializer(many=True), **COMMON_ERRORS},
    )
    def get(self, request, *args, **kwargs):
        return super().get(request, *args, **kwargs)


class NotificationReadView(APIView):
    """Mark the caller's notifications read: ``{"ids": [...]}``, or all."""

    public = True

    @extend_schema(
        operation_id="notifications_read",
        request=MarkReadSerializer,
        responses={200: OpenApiTypes.OBJECT, **COMMON_ERRORS},
    )
    def post(self, request):
        from .. import notifications

        body = MarkReadSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        marked = notifications.mark_read(user=request.user, ids=body.validated_data.get("ids"))
        return Response({"marked": marked, "unread": notifications.unread_count(request.user)})


class AnnouncementViewSet(ScopedModelViewSet):
    """通知公告: the announcements addressed to the caller (their role or
    everyone; withdrawn ones only for their publishers and the bureau).
    The bureau and center staff publish (POST), edit (PATCH: author or a
    colleague of the publishing organisation) and withdraw
    (``POST …/withdraw/`` ``{"reason": "…"}``, also the bureau for any)."""

    queryset = Announcement.objects.select_related("author")
    serializer_class = AnnouncementSerializer
    http_method_names = ["get", "post", "patch", "head", "options"]
    permission_actions = {"withdraw": "withdraw"}
    filterset_fields = ["audience"]

    @extend_schema(request=AnnouncementWithdrawSerializer, responses=AnnouncementSerializer)
    @action(detail=True, methods=["post"], serializer_class=AnnouncementWithdrawSerializer)
    def withdraw(self, request, pk=None):
        from ..services import withdraw_announcement

        body = AnnouncementWithdrawSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        item = withdraw_announcement(
            announcement=self.get_object(),
            by=request.user,
            reason=body.validated_data["reason"],
            request=request,
        )
        return Response(AnnouncementSerializer(item, context={"request": request}).data)
