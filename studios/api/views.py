"""Studios API: read-only, scoped like the pages; ``?updated_since=`` reads
what changed (the writes go through the pages and their services)."""

from django.db.models import Prefetch
from drf_spectacular.utils import extend_schema
from rest_framework.decorators import action
from rest_framework.response import Response

from centers.api.serializers import LadderStepSerializer
from core.api.viewsets import ScopedReadOnlyViewSet

from .. import services
from ..filtersets import (
    ActivityFilterSet,
    EvaluationFilterSet,
    MentoringPairFilterSet,
    StudioFilterSet,
    StudioPersonFilterSet,
)
from ..models import Activity, Attendance, Evaluation, MentoringPair, Score, Studio, StudioPerson
from .serializers import (
    ActivitySerializer,
    EvaluationSerializer,
    MentoringPairSerializer,
    StudioPersonSerializer,
    StudioSerializer,
)


class StudioViewSet(ScopedReadOnlyViewSet):
    queryset = Studio.objects.select_related("managing_center")
    serializer_class = StudioSerializer
    filterset_class = StudioFilterSet
    ordering = ["id"]


class StudioPersonViewSet(ScopedReadOnlyViewSet):
    queryset = StudioPerson.objects.select_related("teacher")
    serializer_class = StudioPersonSerializer
    filterset_class = StudioPersonFilterSet
    ordering = ["id"]
    permission_actions = {"ladder_step": "view"}  # the service checks "change"

    @extend_schema(request=LadderStepSerializer, responses=StudioPersonSerializer)
    @action(detail=True, methods=["post"], url_path="ladder-step")
    def ladder_step(self, request, pk=None):
        """Set the host's career ladder step (400 for an unknown step or a non-host)."""
        person = self.get_object()
        serializer = LadderStepSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        services.set_ladder_step(
            person=person, ladder_step=serializer.validated_data["ladder_step"], by=request.user
        )
        return Response(StudioPersonSerializer(person).data)


class ActivityViewSet(ScopedReadOnlyViewSet):
    queryset = Activity.objects.prefetch_related(
        Prefetch("attendance", queryset=Attendance.objects.order_by("teacher_id"))
    )
    serializer_class = ActivitySerializer
    filterset_class = ActivityFilterSet
    ordering = ["id"]


class MentoringPairViewSet(ScopedReadOnlyViewSet):
    queryset = MentoringPair.objects.all()
    serializer_class = MentoringPairSerializer
    filterset_class = MentoringPairFilterSet
    ordering = ["id"]


class EvaluationViewSet(ScopedReadOnlyViewSet):
    queryset = Evaluation.objects.prefetch_related(
        Prefetch("scores", queryset=Score.objects.select_related("criterion"))
    )
    serializer_class = EvaluationSerializer
    filterset_class = EvaluationFilterSet
    ordering = ["id"]
