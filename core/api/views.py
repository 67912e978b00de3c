from django.contrib.auth import authenticate
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import FileResponse
from django.shortcuts import get_object_or_404
from django.utils.translation import gettext as _
from drf_spectacular.utils import extend_schema
from rest_framework import status
from rest_framework.permissions import AllowAny
from rest_framework.response import Response
from rest_framework.views import APIView

from ..exports import registry, start_export
from ..models import ApiToken, ExportJob, ExportStatus, Membership
from ..permissions import get_scope
from ..roles import Role
from .exceptions import error_response
from .serializers import ExportJobSerializer, MembershipSerializer, TokenRequestSerializer


class MeView(APIView):
    """Who the caller is and which roles (memberships) they act with."""

    public = True

    def get(self, request):
        user = request.user
        scope = get_scope(user)
        if request.auth is not None:
            memberships = [request.auth.membership]
        else:
            memberships = Membership.objects.active().filter(user=user)
        return Response(
            {
                "username": user.get_username(),
                "name": str(user),
                "roles": sorted(scope.roles),
                "memberships": MembershipSerializer(memberships, many=True).data,
            }
        )


class TokenView(APIView):
    """Issue a token for a district system account (username and password);
    DELETE revokes the token the request is made with. Failed attempts count
    towards the same lock-out as the log-in page."""

    permission_classes = [AllowAny]
    authentication_classes = []
    throttle_classes = []

    @extend_schema(request=TokenRequestSerializer)
    def post(self, request):
        serializer = TokenRequestSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        try:
            user = authenticate(
                request._request, username=data["username"], password=data["password"]
            )
        except PermissionDenied:
            return error_response(
                403, "locked", _("Too many failed attempts: the account is locked for a while.")
            )
        if getattr(request._request, "axes_locked_out", False):
            return error_response(
                403, "locked", _("Too many failed attempts: the account is locked for a while.")
            )
        if user is None:
            return error_response(401, "authentication_failed", _("Wrong username or password."))
        memberships = list(Membership.objects.active().filter(user=user, role=Role.DISTRICT_SYSTEM))
        if len(memberships) != 1:
            return error_response(
                403,
                "not_a_district_system",
                _("Only a district system account can hold an API token."),
            )
        token, raw_key = ApiToken.issue(membership=memberships[0], name=data["name"])
        return Response(
            {
                "token": raw_key,
                "expires_at": token.expires_at,
                "name": token.name,
                "district_id": memberships[0].organisation_id,
            },
            status=status.HTTP_201_CREATED,
        )


class TokenRevokeView(APIView):
    public = True

    def delete(self, request):
        if not isinstance(request.auth, ApiToken):
            return error_response(400, "no_token", _("This request was not made with a token."))
        request.auth.revoke()
        return Response(status=status.HTTP_204_NO_CONTENT)


class ExporterListView(APIView):
    """The exports the caller may run."""

    public = True

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
    """Start an export: 202 with the job and the URL to poll."""

    public = True

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


class ExportJobListView(APIView):
    public = True

    def get(self, request):
        jobs = ExportJob.objects.filter(owner=request.user)[:100]
        return Response(ExportJobSerializer(jobs, many=True, context={"request": request}).data)


class ExportJobView(APIView):
    """Poll a job: 409 with progress while it runs, 410 if it failed, the
    file when it is done."""

    public = True

    def get(self, request, pk):
        job = get_object_or_404(ExportJob, pk=pk, owner=request.user)
        body = ExportJobSerializer(job, context={"request": request}).data
        if job.status == ExportStatus.FAILED:
            return Response(body, status=status.HTTP_410_GONE)
        if job.status != ExportStatus.DONE:
            return Response(body, status=status.HTTP_409_CONFLICT)
        if not job.file:
            return Response(body, status=status.HTTP_410_GONE)
        return FileResponse(
            job.file.open("rb"), as_attachment=True, filename=job.file.name.rsplit("/", 1)[-1]
        )
