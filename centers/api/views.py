from core.api.viewsets import ScopedReadOnlyViewSet

from ..filtersets import CenterFilterSet, SchoolFilterSet, TeacherFilterSet
from ..models import Center, District, School, Teacher
from .serializers import CenterSerializer, DistrictSerializer, SchoolSerializer, TeacherSerializer


class DistrictViewSet(ScopedReadOnlyViewSet):
    queryset = District.objects.all()
    serializer_class = DistrictSerializer
    pagination_class = None


class CenterViewSet(ScopedReadOnlyViewSet):
    queryset = Center.objects.select_related("district")
    serializer_class = CenterSerializer
    filterset_class = CenterFilterSet


class SchoolViewSet(ScopedReadOnlyViewSet):
    queryset = School.objects.all()
    serializer_class = SchoolSerializer
    filterset_class = SchoolFilterSet


class TeacherViewSet(ScopedReadOnlyViewSet):
    queryset = Teacher.objects.all()
    serializer_class = TeacherSerializer
    filterset_class = TeacherFilterSet
