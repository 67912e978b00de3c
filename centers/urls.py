from django.urls import path

from . import views

app_name = "centers"

urlpatterns = [
    path("", views.CenterListView.as_view(), name="center-list"),
    path("<int:pk>/", views.CenterDetailView.as_view(), name="center-detail"),
    path("<int:pk>/standards/", views.center_standards, name="center-standards"),
    path("<int:pk>/standards/move-out/", views.move_out_inactive, name="center-move-out-inactive"),
    path("standards/", views.standards_matrix, name="standards-matrix"),
    path("mandates/", views.MandateListView.as_view(), name="mandate-list"),
    path("districts/", views.DistrictListView.as_view(), name="district-list"),
    path("districts/new/", views.DistrictCreateView.as_view(), name="district-create"),
    path("districts/<int:pk>/", views.DistrictDetailView.as_view(), name="district-detail"),
    path("districts/<int:pk>/edit/", views.DistrictUpdateView.as_view(), name="district-update"),
    path("schools/", views.SchoolListView.as_view(), name="school-list"),
    path("schools/new/", views.SchoolCreateView.as_view(), name="school-create"),
    path("schools/<int:pk>/", views.SchoolDetailView.as_view(), name="school-detail"),
    path("schools/<int:pk>/edit/", views.SchoolUpdateView.as_view(), name="school-update"),
    path("teachers/", views.TeacherListView.as_view(), name="teacher-list"),
    path("teachers/new/", views.TeacherCreateView.as_view(), name="teacher-create"),
    path("teachers/<int:pk>/", views.TeacherDetailView.as_view(), name="teacher-detail"),
    path("teachers/<int:pk>/edit/", views.TeacherUpdateView.as_view(), name="teacher-update"),
    path("teachers/<int:pk>/id-number/", views.teacher_reveal_id, name="teacher-reveal-id"),
    path("facilities/", views.CampusListView.as_view(), name="campus-list"),
    path("facilities/new/", views.CampusCreateView.as_view(), name="campus-create"),
    path("facilities/<int:pk>/", views.CampusDetailView.as_view(), name="campus-detail"),
    path("facilities/<int:pk>/edit/", views.CampusUpdateView.as_view(), name="campus-update"),
    path("rooms/", views.RoomListView.as_view(), name="room-list"),
    path("rooms/new/", views.RoomCreateView.as_view(), name="room-create"),
    path("rooms/<int:pk>/edit/", views.RoomUpdateView.as_view(), name="room-update"),
    path("staff/", views.StaffListView.as_view(), name="staff-list"),
    path("staff/new/", views.StaffCreateView.as_view(), name="staff-create"),
    path("staff/<int:pk>/", views.StaffDetailView.as_view(), name="staff-detail"),
    path("staff/<int:pk>/edit/", views.StaffUpdateView.as_view(), name="staff-update"),
    path("staff/records/new/", views.StaffYearRecordCreateView.as_view(), name="record-create"),
    path(
        "staff/records/<int:pk>/edit/",
        views.StaffYearRecordUpdateView.as_view(),
        name="record-update",
    ),
    path("import/", views.import_upload, name="import-upload"),
    path("import/<int:pk>/", views.import_preview, name="import-preview"),
    path("import/<int:pk>/commit/", views.import_commit, name="import-commit"),
    path("import/<int:pk>/discard/", views.import_discard, name="import-discard"),
    path("import/template/<slug:kind>.xlsx", views.import_template, name="import-template"),
]
