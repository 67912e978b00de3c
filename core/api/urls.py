from django.urls import path
from rest_framework.routers import SimpleRouter

from . import views

router = SimpleRouter()
router.register("announcements", views.AnnouncementViewSet, basename="announcement")

urlpatterns = [
    path("me/", views.MeView.as_view(), name="me"),
    path("auth/token/", views.TokenView.as_view(), name="token"),
    path("auth/token/revoke/", views.TokenRevokeView.as_view(), name="token-revoke"),
    path("notifications/", views.NotificationListView.as_view(), name="notifications"),
    path("notifications/read/", views.NotificationReadView.as_view(), name="notifications-read"),
    path("exports/", views.ExporterListView.as_view(), name="exporters"),
    path("exports/jobs/", views.ExportJobListView.as_view(), name="export-jobs"),
    path("exports/jobs/<int:pk>/", views.ExportJobView.as_view(), name="export-job"),
    path("exports/<slug:identifier>/", views.ExportStartView.as_view(), name="export-start"),
    *router.urls,
]
