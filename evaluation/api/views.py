"""Evaluation API: surveys in reach with their stored results, the
signed-in user's open invitations, and answering through a token (once);
supervision, project scores; principals' campaigns: their questionnaire and
weights (editable until the campaign opens), principals, rater links
(issued under an Idempotency-Key, listed, revoked while unused) and the
rater's own anonymous answer through a link."""

from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.core.exceptions import ValidationError as DjangoValidationError
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404
from django.utils.translation import gettext as _
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import generics, mixins, status, viewsets
from rest_framework.decorators import action
from rest_framework.permissions import AllowAny, IsAuthenticated
from rest_framework.response import Response
from rest_framework.views import APIView

from centers.models import District, School
from core.api.exceptions import error_response
from core.api.viewsets import (
    ScopedCreateListRetrieveViewSet,
    ScopedReadOnlyViewSet,
    ScopedViewSetMixin,
)

from .. import services
from ..filtersets import FindingFilterSet, RaterLinkFilterSet, SurveyFilterSet, VisitFilterSet
from ..models import (
    Appraisee,
    Campaign,
    CampaignStatus,
    Dimension,
    Finding,
    ProjectScore,
    RaterToken,
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
    ItemSerializer,
    LinkIssueSerializer,
    PrincipalAddSerializer,
    ProjectScoreSerializer,
    QuestionnaireEditSerializer,
    RaterLinkSerializer,
    RateSerializer,
    ReplySerializer,
    SurveySerializer,
    VisitSerializer,
    WeightsSerializer,
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
        "questionnaire": "view",
        "edit_questionnaire": "change",
        "weights": "change",
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

    @extend_schema(responses=ItemSerializer(many=True))
    @action(detail=True, methods=["get"])
    def questionnaire(self, request, pk=None):
        """The campaign's questionnaire: 25 items, five per dimension."""
        campaign = self.get_object()
        return Response(ItemSerializer(campaign.items.order_by("order", "pk"), many=True).data)

    @extend_schema(request=QuestionnaireEditSerializer, responses=ItemSerializer(many=True))
    @questionnaire.mapping.post
    def edit_questionnaire(self, request, pk=None):
        """New wording for items, ``{"items": [{"id": 12, "text": "…"}]}``,
        while the campaign is being prepared (frozen once opened: 400)."""
        campaign = self.get_object()
        data = _valid(QuestionnaireEditSerializer, request)
        items = services.edit_items(
            campaign=campaign,
            texts={row["id"]: row["text"] for row in data["items"]},
            by=request.user,
        )
        return Response(ItemSerializer(items, many=True).data)

    @extend_schema(request=WeightsSerializer, responses=CampaignSerializer)
    @action(detail=True, methods=["post"])
    def weights(self, request, pk=None):
        """The rater groups' weights, ``{"weights": {"students": "20", …}}``:
        every group, adding up to 100, while the campaign is being prepared."""
        campaign = self.get_object()
        data = _valid(WeightsSerializer, request)
        services.set_weights(campaign=campaign, weights=data["weights"], by=request.user)
        return Response(CampaignSerializer(self.get_queryset().get(pk=campaign.pk)).data)

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


class RaterLinkViewSet(
    ScopedViewSetMixin,
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    viewsets.GenericViewSet,
):
    """The rater links of the principals in reach (``?principal=``,
    ``?campaign=``, ``?group=``, ``?used=``). A link's token and URL are
    shown only to who may change it (the district running the campaign,
    the bureau) and only while unused; ``used`` says whether, never when.
    POST issues ``count`` links of a group for a principal under an
    ``Idempotency-Key`` (a resend gets the same links); DELETE revokes an
    unused link (a used one: 400)."""

    queryset = RaterToken.objects.select_related("appraisee")
    serializer_class = RaterLinkSerializer
    filterset_class = RaterLinkFilterSet
    ordering = ["id"]

    def _printable(self, links) -> set:
        """The ids among ``links`` whose token the user may see: one query."""
        ids = [link.pk for link in links if link.used_at is None]
        if not ids:
            return set()
        return set(
            RaterToken.objects.restrict(self.request.user, "change")
            .filter(pk__in=ids)
            .values_list("pk", flat=True)
        )

    def get_serializer_context(self):
        context = super().get_serializer_context()
        context["printable"] = getattr(self, "printable", set())
        return context

    def list(self, request, *args, **kwargs):
        page = self.paginate_queryset(self.filter_queryset(self.get_queryset()))
        self.printable = self._printable(page)
        return self.get_paginated_response(self.get_serializer(page, many=True).data)

    def retrieve(self, request, *args, **kwargs):
        link = self.get_object()
        self.printable = self._printable([link])
        return Response(self.get_serializer(link).data)

    @extend_schema(
        parameters=[
            OpenApiParameter("Idempotency-Key", str, OpenApiParameter.HEADER, required=True)
        ],
        request=LinkIssueSerializer,
        responses={201: {"type": "object"}},
    )
    def create(self, request, *args, **kwargs):
        key = (request.headers.get("Idempotency-Key") or "").strip()
        if not key or len(key) > 100:
            return error_response(
                400,
                "idempotency_key_required",
                _("Send an Idempotency-Key header (1 to 100 characters) with every batch."),
            )
        data = _valid(LinkIssueSerializer, request)
        appraisee = get_object_or_404(
            Appraisee.objects.restrict(request.user, "change").select_related("campaign__district"),
            pk=data["principal"],
        )
        answer = services.issue_links_once(
            appraisee=appraisee,
            group=data["group"],
            count=data["count"],
            by=request.user,
            key=key,
            url_of=request.build_absolute_uri,
        )
        response = HttpResponse(
            answer.content, status=answer.status, content_type="application/json"
        )
        if answer.replayed:
            response["Idempotent-Replayed"] = "true"
        return response

    def destroy(self, request, *args, **kwargs):
        services.revoke_link(link=self.get_object(), by=request.user)
        return Response(status=status.HTTP_204_NO_CONTENT)


class RateView(APIView):
    """A rater's anonymous answer through a one-time link, as the page
    (``/evaluation/rate/<token>/``) takes it: no account, the token is the
    right. GET: the principal, the group and the questionnaire; POST
    ``{"answers": {item id: 1..5}}`` for every item → 201; a used link 409;
    a campaign not open, or a missing answer, 400; an unknown token 404."""

    authentication_classes = []
    permission_classes = [AllowAny]

    def _link(self, token):
        try:
            return services.rater_token(token)
        except DjangoPermissionDenied as exc:
            raise Http404 from exc

    @extend_schema(responses={200: {"type": "object"}})
    def get(self, request, token):
        link = self._link(token)
        campaign = link.appraisee.campaign
        return Response(
            {
                "campaign": campaign.title,
                "status": campaign.status,
                "school": link.appraisee.school.name,
                "principal": link.appraisee.name,
                "group": link.group,
                "used": link.used_at is not None,
                "items": ItemSerializer(campaign.items.order_by("order", "pk"), many=True).data,
            }
        )

    @extend_schema(request=RateSerializer, responses={201: None})
    def post(self, request, token):
        self._link(token)
        data = _valid(RateSerializer, request)
        try:
            services.rate(token=token, answers=data["answers"])
        except DjangoValidationError as exc:
            if getattr(exc, "code", None) == "used":
                return error_response(409, "used", exc.messages[0])
            raise
        return Response({"detail": "ok"}, status=status.HTTP_201_CREATED)
