from django.contrib.auth import views as auth_views
from django.urls import path

from . import views
from .forms import LoginForm
from .ratelimit import rate_limited

urlpatterns = [
    path("", views.home, name="home"),
    path("inbox/", views.inbox_page, name="inbox"),
    path("search/", views.site_search, name="search"),
    path("notifications/", views.notification_list, name="notifications"),
    path("announcements/", views.announcement_list, name="announcements"),
    path("announcements/new/", views.announcement_create, name="announcement-create"),
    path("announcements/<int:pk>/", views.announcement_detail, name="announcement-detail"),
    path("announcements/<int:pk>/edit/", views.announcement_edit, name="announcement-edit"),
    path(
        "announcements/<int:pk>/withdraw/",
        views.announcement_withdraw,
        name="announcement-withdraw",
    ),
    path("healthz/", views.healthz, name="healthz"),
    path("metrics", views.metrics, name="metrics"),
    path(
        "accounts/login/",
        rate_limited("login", methods=("POST",))(
            auth_views.LoginView.as_view(
                redirect_authenticated_user=True, authentication_form=LoginForm
            )
        ),
        name="login",
    ),
    path("accounts/logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("accounts/password/", auth_views.PasswordChangeView.as_view(), name="password_change"),
    path(
        "accounts/password/done/",
        auth_views.PasswordChangeDoneView.as_view(),
        name="password_change_done",
    ),
    path("accounts/two-factor/", views.two_factor_verify, name="two-factor-verify"),
    path("accounts/two-factor/setup/", views.two_factor_setup, name="two-factor-setup"),
    path("accounts/tokens/", views.token_list, name="api-tokens"),
    path("accounts/tokens/<int:pk>/revoke/", views.token_revoke, name="api-token-revoke"),
    path("exports/", views.export_list, name="exports"),
    path("exports/<int:pk>/status/", views.export_status, name="export-status"),
    path("exports/<int:pk>/download/", views.export_download, name="export-download"),
    path("exports/new/<slug:identifier>/", views.export_start, name="export-start"),
    path("audit/", views.audit_log, name="audit-log"),
]
