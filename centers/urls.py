from django.urls import path

from . import views

app_name = "centers"

urlpatterns = [
    path("", views.CenterListView.as_view(), name="center-list"),
    path("<int:pk>/", views.CenterDetailView.as_view(), name="center-detail"),
    path("schools/", views.SchoolListView.as_view(), name="school-list"),
    path("schools/<int:pk>/", views.SchoolDetailView.as_view(), name="school-detail"),
    path("teachers/", views.TeacherListView.as_view(), name="teacher-list"),
    path("teachers/<int:pk>/", views.TeacherDetailView.as_view(), name="teacher-detail"),
]
