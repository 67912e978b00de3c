"""Evaluation API: surveys in reach with their stored results, the
signed-in user's open invitations, and answering through a token (once)."""

from django.http import Http404
from drf_spectacular.utils import extend_schema
from rest_framework import generics, status
from rest_framework.permissions import IsAuthenticated
from rest_framework.response import Response
from rest_framework.views import APIView

from core.api.viewsets import ScopedReadOnlyViewSet

from .. import services
from ..filtersets import SurveyFilterSet
from ..models import Survey
from .serializers import AnswerSerializer, InvitationSerializer, SurveySerializer


class SurveyViewSet(ScopedReadOnlyViewSet):
    queryset = Survey.objects.select_related("subproject")
    serializer_class = SurveySerializer
    filterset_class = SurveyFilterSet
    ordering = ["id"]


class MyInvitationsView(generics.ListAPIView):
    """The surveys waiting for the signed-in user."""

    serializer_class = InvitationSerializer
    permission_classes = [IsAuthenticated]

    def get_queryset(self):
        return services.pending_invitations(self.request.user)


class AnswerView(APIView):
    permission_classes = [IsAuthenticated]

    @extend_schema(request=AnswerSerializer, responses={201: None})
    def post(self, request, token):
        serializer = AnswerSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        try:
            services.invitation_for(token=token, by=request.user)
        except Exception as exc:
            raise Http404 from exc
        services.answer(token=token, answers=serializer.validated_data["answers"], by=request.user)
        return Response({"detail": "ok"}, status=status.HTTP_201_CREATED)
