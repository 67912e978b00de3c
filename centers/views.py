from django.utils.translation import gettext_lazy as _

from core.generic import ScopedDetailView, ScopedListView

from .filtersets import CenterFilterSet, SchoolFilterSet, TeacherFilterSet
from .models import Center, School, Teacher


class CenterListView(ScopedListView):
    model = Center
    filterset_class = CenterFilterSet
    title = _("Centers")
    columns = [
        (_("Name"), "name"),
        (_("Kind"), "kind"),
        (_("District"), "district"),
        (_("Host institution"), "host_institution"),
        (_("Established on"), "established_on"),
    ]

    def get_base_queryset(self):
        return Center.objects.select_related("district")


class CenterDetailView(ScopedDetailView):
    model = Center
    template_name = "centers/center_detail.html"

    def get_base_queryset(self):
        return Center.objects.select_related("district")


class SchoolListView(ScopedListView):
    model = School
    filterset_class = SchoolFilterSet
    title = _("Schools")
    columns = [
        (_("Name"), "name"),
        (_("District"), "district"),
        (_("Stage"), "stage"),
        (_("Ownership"), "ownership"),
    ]
    empty_message = _(
        "No schools match. District staff add schools here or sync them from the district system."
    )

    def get_base_queryset(self):
        return School.objects.select_related("district")


class SchoolDetailView(ScopedDetailView):
    model = School
    template_name = "centers/school_detail.html"

    def get_base_queryset(self):
        return School.objects.select_related("district")


class TeacherListView(ScopedListView):
    model = Teacher
    filterset_class = TeacherFilterSet
    title = _("Teachers")
    columns = [
        (_("Name"), "name"),
        (_("School"), "school"),
        (_("District"), "district"),
        (_("ID number"), "masked_id_number"),
        (_("Subject"), "subject"),
        (_("Professional title"), "title"),
        (_("Career stage"), "career_stage"),
    ]

    def get_base_queryset(self):
        return Teacher.objects.select_related("school", "district")


class TeacherDetailView(ScopedDetailView):
    model = Teacher
    template_name = "centers/teacher_detail.html"

    def get_base_queryset(self):
        return Teacher.objects.select_related("school", "district")
