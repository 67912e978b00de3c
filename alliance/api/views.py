from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import status
from rest_framework.decorators import action
from rest_framework.response import Response
from rest_framework.views import APIView

from core.api.viewsets import ScopedModelViewSet

from .. import services
from ..filtersets import (
    AchievementFilterSet,
    AssistanceActivityFilterSet,
    AssistancePairFilterSet,
    BookingFilterSet,
    CenterPlanFilterSet,
    ChairTermFilterSet,
    CouncilMemberFilterSet,
    DigitalResourceFilterSet,
    FacultyEngagementFilterSet,
    FollowUpFilterSet,
    GuidanceVisitFilterSet,
    JointProjectFilterSet,
    MeetingFilterSet,
    ProposalFilterSet,
    ResolutionFilterSet,
    SharedFacultyFilterSet,
    TeacherDevelopmentSchoolFilterSet,
    WorkDocumentFilterSet,
)
from ..models import (
    Achievement,
    AssistanceActivity,
    AssistancePair,
    Booking,
    CenterPlan,
    ChairTerm,
    CouncilMember,
    DigitalResource,
    FacultyEngagement,
    FollowUp,
    GuidanceVisit,
    JointProject,
    Meeting,
    Proposal,
    Resolution,
    SharedFaculty,
    TeacherDevelopmentSchool,
    WorkDocument,
)
from .serializers import (
    AchievementSerializer,
    AssistanceActivitySerializer,
    AssistancePairSerializer,
    BookingSerializer,
    CenterPlanSerializer,
    ChairTermSerializer,
    CouncilMemberSerializer,
    DigitalResourceSerializer,
    DocumentCommentSerializer,
    DocumentVersionSerializer,
    FacultyEngagementSerializer,
    FollowUpSerializer,
    GuidanceVisitSerializer,
    JointProjectSerializer,
    MeetingSerializer,
    PlanStepSerializer,
    PlanSummarySerializer,
    ProposalSerializer,
    ProposalStepSerializer,
    RenewalRateSerializer,
    ResolutionSerializer,
    ResultsRollupSerializer,
    SharedFacultySerializer,
    TeacherDevelopmentSchoolSerializer,
    TransitionSerializer,
    WorkDocumentSerializer,
)


class CouncilMemberViewSet(ScopedModelViewSet):
    queryset = CouncilMember.objects.select_related("center")
    serializer_class = CouncilMemberSerializer
    filterset_class = CouncilMemberFilterSet


class ChairTermViewSet(ScopedModelViewSet):
    queryset = ChairTerm.objects.select_related("center")
    serializer_class = ChairTermSerializer
    filterset_class = ChairTermFilterSet


class WorkDocumentViewSet(ScopedModelViewSet):
    """Plans and reports. ``POST …/transition/`` takes a workflow step;
    ``…/versions/`` lists every saved text; ``…/comments/`` reads or adds
    members' comments."""

    queryset = WorkDocument.objects.prefetch_related("steps")
    serializer_class = WorkDocumentSerializer
    filterset_class = WorkDocumentFilterSet
    permission_actions = {"transition": "view", "versions": "view", "comments": "view"}
    http_method_names = ["get", "post", "put", "patch", "head", "options"]

    @extend_schema(request=TransitionSerializer, responses=WorkDocumentSerializer)
    @action(detail=True, methods=["post"], serializer_class=TransitionSerializer)
    def transition(self, request, pk=None):
        document = self.get_object()
        data = TransitionSerializer(data=request.data, context=self.get_serializer_context())
        data.is_valid(raise_exception=True)
        document = services.transition(
            document,
            data.validated_data["step"],
            user=request.user,
            note=data.validated_data["note"],
            meeting=data.validated_data.get("meeting"),
        )
        return Response(WorkDocumentSerializer(document, context={"request": request}).data)

    @extend_schema(responses=DocumentVersionSerializer(many=True))
    @action(detail=True, methods=["get"], serializer_class=DocumentVersionSerializer)
    def versions(self, request, pk=None):
        document = self.get_object()
        rows = document.versions.order_by("-number")
        return Response(DocumentVersionSerializer(rows, many=True).data)

    @extend_schema(responses=DocumentCommentSerializer(many=True), methods=["GET"])
    @extend_schema(
        request=DocumentCommentSerializer, responses=DocumentCommentSerializer, methods=["POST"]
    )
    @action(detail=True, methods=["get", "post"], serializer_class=DocumentCommentSerializer)
    def comments(self, request, pk=None):
        document = self.get_object()
        if request.method == "POST":
            services.check_can_comment(document, user=request.user)
            data = DocumentCommentSerializer(data=request.data)
            data.is_valid(raise_exception=True)
            comment = services.add_comment(
                document, user=request.user, body=data.validated_data["body"]
            )
            return Response(DocumentCommentSerializer(comment).data, status=status.HTTP_201_CREATED)
        return Response(DocumentCommentSerializer(document.comments.all(), many=True).data)


class MeetingViewSet(ScopedModelViewSet):
    queryset = Meeting.objects.prefetch_related(
        "problem_shared_by", "participant_centers", "participants"
    )
    serializer_class = MeetingSerializer
    filterset_class = MeetingFilterSet


class AchievementViewSet(ScopedModelViewSet):
    queryset = Achievement.objects.all()
    serializer_class = AchievementSerializer
    filterset_class = AchievementFilterSet


class ResultsRollupView(APIView):
    """``GET /alliance/results/rollup/?year=2026``: the year's results per
    member and kind, with totals, within the caller's scope."""

    permission_model = Achievement
    serializer_class = ResultsRollupSerializer

    @extend_schema(
        parameters=[OpenApiParameter("year", OpenApiTypes.INT, required=True)],
        responses=ResultsRollupSerializer,
    )
    def get(self, request):
        try:
            year = int(request.query_params.get("year", ""))
        except ValueError:
            from rest_framework.exceptions import ValidationError

            raise ValidationError({"year": ["Give the year, e.g. ?year=2026."]}) from None
        rollup = services.results_rollup(year=year, user=request.user)
        return Response(
            {
                "year": year,
                "centers": [{"id": c.pk, "name": c.name} for c in rollup.centers],
                "rows": [
                    {"kind": value, "label": str(label), "counts": counts, "total": total}
                    for (value, label), (_l, counts, total) in zip(
                        rollup.kinds, rollup.rows(), strict=True
                    )
                ],
                "center_totals": rollup.center_totals(),
                "total": rollup.total,
            }
        )


class BookingViewSet(ScopedModelViewSet):
    queryset = Booking.objects.select_related("room")
    serializer_class = BookingSerializer
    filterset_class = BookingFilterSet
    http_method_names = ["get", "post", "put", "patch", "head", "options"]
    permission_actions = {"cancel": "change"}

    @extend_schema(request=None, responses=BookingSerializer)
    @action(detail=True, methods=["post"])
    def cancel(self, request, pk=None):
        booking = services.cancel_booking(self.get_object(), user=request.user)
        return Response(BookingSerializer(booking, context={"request": request}).data)


class SharedFacultyViewSet(ScopedModelViewSet):
    queryset = SharedFaculty.objects.select_related("staff")
    serializer_class = SharedFacultySerializer
    filterset_class = SharedFacultyFilterSet
    http_method_names = ["get", "post", "put", "patch", "head", "options"]
    permission_actions = {"withdraw": "change"}

    @extend_schema(request=None, responses=SharedFacultySerializer)
    @action(detail=True, methods=["post"])
    def withdraw(self, request, pk=None):
        listing = services.withdraw_faculty(self.get_object(), user=request.user)
        return Response(SharedFacultySerializer(listing, context={"request": request}).data)


class DigitalResourceViewSet(ScopedModelViewSet):
    queryset = DigitalResource.objects.all()
    serializer_class = DigitalResourceSerializer
    filterset_class = DigitalResourceFilterSet

    @extend_schema(
        parameters=[OpenApiParameter("year", OpenApiTypes.INT, required=False)],
        responses=RenewalRateSerializer,
    )
    @action(detail=False, methods=["get"], url_path="renewal-rate", filterset_class=None)
    def renewal_rate(self, request):
        try:
            year = int(request.query_params.get("year") or 0) or None
        except ValueError:
            year = None
        rate = services.renewal_rate(year, queryset=self.get_queryset())
        return Response(
            {
                "year": rate.year,
                "first_year": rate.first_year,
                "total": rate.total,
                "added": rate.added,
                "renewed": rate.renewed,
                "rate": rate.rate,
                "target": rate.target,
                "meets_target": rate.meets_target,
                "per_year": [{"year": y, "added": a, "renewed": r} for y, a, r in rate.per_year],
            }
        )


class ResolutionViewSet(ScopedModelViewSet):
    queryset = Resolution.objects.select_related("meeting")
    serializer_class = ResolutionSerializer
    filterset_class = ResolutionFilterSet


class FollowUpViewSet(ScopedModelViewSet):
    queryset = FollowUp.objects.all()
    serializer_class = FollowUpSerializer
    filterset_class = FollowUpFilterSet


class JointProjectViewSet(ScopedModelViewSet):
    queryset = JointProject.objects.select_related("lead_center").prefetch_related(
        "partner_centers"
    )
    serializer_class = JointProjectSerializer
    filterset_class = JointProjectFilterSet


class AssistancePairViewSet(ScopedModelViewSet):
    queryset = AssistancePair.objects.all()
    serializer_class = AssistancePairSerializer
    filterset_class = AssistancePairFilterSet


class AssistanceActivityViewSet(ScopedModelViewSet):
    queryset = AssistanceActivity.objects.all()
    serializer_class = AssistanceActivitySerializer
    filterset_class = AssistanceActivityFilterSet


class ProposalViewSet(ScopedModelViewSet):
    """Development proposals to the bureau. ``POST …/{id}/step/`` with
    ``{"step": "submit" | "return" | "forward" | "answer", "text": …}`` takes
    one step; a wrong one answers 400 (wrong state, missing text) or 403
    (another's step)."""

    queryset = Proposal.objects.all()
    serializer_class = ProposalSerializer
    filterset_class = ProposalFilterSet
    http_method_names = ["get", "post", "put", "patch", "head", "options"]
    permission_actions = {"step": "view"}

    @extend_schema(request=ProposalStepSerializer, responses=ProposalSerializer)
    @action(detail=True, methods=["post"], serializer_class=ProposalStepSerializer)
    def step(self, request, pk=None):
        proposal = self.get_object()
        data = ProposalStepSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        proposal = services.take_proposal_step(
            proposal,
            data.validated_data["step"],
            user=request.user,
            text=data.validated_data["text"],
        )
        return Response(ProposalSerializer(proposal, context={"request": request}).data)


class GuidanceVisitViewSet(ScopedModelViewSet):
    """Guidance visits of district centers. ``GET …/coverage/?year=`` gives,
    per district center, the year's visits and open follow-ups."""

    queryset = GuidanceVisit.objects.select_related("center", "district_center").prefetch_related(
        "partner_centers"
    )
    serializer_class = GuidanceVisitSerializer
    filterset_class = GuidanceVisitFilterSet

    @extend_schema(parameters=[OpenApiParameter("year", OpenApiTypes.INT, required=False)])
    @action(detail=False, methods=["get"], filterset_class=None)
    def coverage(self, request):
        from django.utils import timezone

        raw = request.query_params.get("year", "")
        year = int(raw) if raw.isdigit() else timezone.localdate().year
        rows = services.guidance_coverage(year=year, user=request.user)
        return Response(
            {
                "year": year,
                "districts": [
                    {"id": c.pk, "name": c.name, "visits": n, "open_follow_ups": o}
                    for c, n, o in rows
                ],
            }
        )


class CenterPlanViewSet(ScopedModelViewSet):
    """The centers' five-year and annual plans. ``POST …/{id}/step/`` with
    ``{"step": "file" | "return" | "approve", "note": …}``;
    ``POST …/{id}/summary/`` with ``{"summary": …}``."""

    queryset = CenterPlan.objects.all()
    serializer_class = CenterPlanSerializer
    filterset_class = CenterPlanFilterSet
    http_method_names = ["get", "post", "put", "patch", "head", "options"]
    permission_actions = {"step": "view", "summary": "view"}

    @extend_schema(request=PlanStepSerializer, responses=CenterPlanSerializer)
    @action(detail=True, methods=["post"], serializer_class=PlanStepSerializer)
    def step(self, request, pk=None):
        plan = self.get_object()
        data = PlanStepSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        plan = services.take_plan_step(
            plan, data.validated_data["step"], user=request.user, note=data.validated_data["note"]
        )
        return Response(CenterPlanSerializer(plan, context={"request": request}).data)

    @extend_schema(request=PlanSummarySerializer, responses=CenterPlanSerializer)
    @action(detail=True, methods=["post"], serializer_class=PlanSummarySerializer)
    def summary(self, request, pk=None):
        plan = self.get_object()
        data = PlanSummarySerializer(data=request.data)
        data.is_valid(raise_exception=True)
        plan = services.write_plan_summary(
            plan, user=request.user, text=data.validated_data["summary"]
        )
        return Response(CenterPlanSerializer(plan, context={"request": request}).data)


class FacultyEngagementViewSet(ScopedModelViewSet):
    queryset = FacultyEngagement.objects.all()
    serializer_class = FacultyEngagementSerializer
    filterset_class = FacultyEngagementFilterSet


class TeacherDevelopmentSchoolViewSet(ScopedModelViewSet):
    """Teacher-development schools (教师发展学校建设, charter 第七条, 第八条(五))."""

    queryset = TeacherDevelopmentSchool.objects.select_related(
        "school", "district_center", "guiding_center"
    )
    serializer_class = TeacherDevelopmentSchoolSerializer
    filterset_class = TeacherDevelopmentSchoolFilterSet
