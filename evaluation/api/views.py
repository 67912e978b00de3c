"""Evaluation API: surveys in reach with their stored results, the
signed-in user's open invitations, and answering through a token (once)."""

from django.http import Http404
from django.shortcuts import get_object_or_404
from drf_spectacular.utils import extend_schema
from rest_framework import generics, status
from rest_framework.decorators import action
from rest_framework.permissions import IsAuthenticated
from rest_framework.response import Response
from rest_framework.views import APIView

from centers.models import District, School
from core.api.viewsets import ScopedCreateListRetrieveViewSet, ScopedReadOnlyViewSet

from .. import services
from ..filtersets import FindingFilterSet, SurveyFilterSet, VisitFilterSet
from ..models import (
    Appraisee,
    Campaign,
    CampaignStatus,
    Dimension,
    Finding,
    ProjectScore,
    SupervisionVisit,
    Survey,
)
from .serializers import (
    AnswerSerializer,
    AppraiseeSerializer,
    CampaignCreateSerializer,
    CampaignSerializer,
    FindingSerializer,
    InvitationSerializer,
    PrincipalAddSerializer,
    ProjectScoreSerializer,
    ReplySerializer,
    SurveySerializer,
    VisitSerializer,
)


def _valid(serializer_class, request) -> dict:
    serializer = serializer_class(data=request.data)
    serializer.is_valid(raise_exception=True)
    return serializer.validated_data


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


class VisitViewSet(ScopedReadOnlyViewSet):
    """Supervision visits in reach, with their observations, interviews and findings."""

    queryset = SupervisionVisit.objects.prefetch_related("observations", "interviews", "findings")
    serializer_class = VisitSerializer
    filterset_class = VisitFilterSet
    ordering = ["id"]


class FindingViewSet(ScopedReadOnlyViewSet):
    """Findings in reach; POST ``reply`` is the vendor's answer to one."""

    queryset = Finding.objects.all()
    serializer_class = FindingSerializer
    filterset_class = FindingFilterSet
    ordering = ["id"]
    permission_actions = {"reply": "reply"}

    @extend_schema(request=ReplySerializer, responses=FindingSerializer)
    @action(detail=True, methods=["post"])
    def reply(self, request, pk=None):
        finding = self.get_object()
        serializer = ReplySerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        finding = services.reply(
            finding=finding, by=request.user, text=serializer.validated_data["text"]
        )
        return Response(FindingSerializer(finding).data)


class ProjectScoreViewSet(ScopedReadOnlyViewSet):
    """Stored project scores in reach (satisfaction, attendance, results,
    supervision and checklists combined by the weights held as data)."""

    queryset = ProjectScore.objects.all()
    serializer_class = ProjectScoreSerializer
    ordering = ["id"]


class CampaignViewSet(ScopedCreateListRetrieveViewSet):
    """Principals' evaluation campaigns in reach (the district's own, the
    bureau's all), and each one's district profile (stored scores). POST
    starts a campaign for a district and term; ``principals`` adds a
    principal of one of the district's schools; ``open`` / ``close`` set its
    status (closing refuses new answers and computes the final scores)."""

    queryset = Campaign.objects.prefetch_related("weights")
    serializer_class = CampaignSerializer
    ordering = ["id"]
    permission_actions = {
        "principals": "change",
        "open": "change",
        "close": "change",
        "profile": "view",
    }

    @extend_schema(request=CampaignCreateSerializer, responses={201: CampaignSerializer})
    def create(self, request, *args, **kwargs):
        data = _valid(CampaignCreateSerializer, request)
        district = get_object_or_404(District.objects.restrict(request.user), pk=data["district"])
        campaign = services.start_campaign(
            district=district,
            term=data["term"],
            title=data["title"],
            min_answers=data["min_answers"],
            by=request.user,
        )
        campaign = self.get_queryset().get(pk=campaign.pk)
        return Response(CampaignSerializer(campaign).data, status=status.HTTP_201_CREATED)

    @extend_schema(request=PrincipalAddSerializer, responses={201: AppraiseeSerializer})
    @action(detail=True, methods=["post"])
    def principals(self, request, pk=None):
        campaign = self.get_object()
        data = _valid(PrincipalAddSerializer, request)
        school = get_object_or_404(School.objects.restrict(request.user), pk=data["school"])
        appraisee = services.add_principal(
            campaign=campaign, school=school, name=data["name"], by=request.user
        )
        return Response(AppraiseeSerializer(appraisee).data, status=status.HTTP_201_CREATED)

    def _set_status(self, request, value):
        campaign = services.set_campaign_status(
            campaign=self.get_object(), status=value, by=request.user
        )
        return Response(CampaignSerializer(self.get_queryset().get(pk=campaign.pk)).data)

    @extend_schema(request=None, responses=CampaignSerializer)
    @action(detail=True, methods=["post"])
    def open(self, request, pk=None):
        return self._set_status(request, CampaignStatus.OPEN)

    @extend_schema(request=None, responses=CampaignSerializer)
    @action(detail=True, methods=["post"])
    def close(self, request, pk=None):
        return self._set_status(request, CampaignStatus.CLOSED)

    @extend_schema(responses={200: None})
    @action(detail=True, methods=["get"])
    def profile(self, request, pk=None):
        """The district profile: per school its principal's weighted score per
        dimension, and each dimension's distribution over score bands."""
        profile = services.district_profile(self.get_object())
        return Response(
            {
                "dimensions": Dimension.values,
                "rows": [
                    {**row, "score": str(row["score"]) if row["score"] is not None else None}
                    for row in profile["rows"]
                ],
                "distribution": profile["distribution"],
            }
        )


class AppraiseeViewSet(ScopedReadOnlyViewSet):
    """The principals of the campaigns in reach with their stored scores
    (per rater group only where the group reached the minimum)."""

    queryset = Appraisee.objects.select_related("school")
    serializer_class = AppraiseeSerializer
    filterset_fields = ["campaign"]
    ordering = ["id"]
