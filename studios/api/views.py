"""Studios API: read-only, scoped like the pages; ``?updated_since=`` reads
what changed (the writes go through the pages and their services)."""

from django.db.models import Prefetch

from core.api.viewsets import ScopedReadOnlyViewSet

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
