from django.contrib import admin
from django.urls import include, path
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerSplitView

api_patterns = [
    path("", include("core.api.urls")),
    path("", include("centers.api.urls")),
    path("", include("alliance.api.urls")),
    path("", include("credits.api.urls")),
    path("", include("funding.api.urls")),
    path("", include("training.api.urls")),
    path("", include("studios.api.urls")),
    path("", include("evaluation.api.urls")),
    path("schema/", SpectacularAPIView.as_view(), name="schema"),
    # The split view serves its set-up script as a file: no inline script (CSP).
    path("docs/", SpectacularSwaggerSplitView.as_view(url_name="api:schema"), name="docs"),
]

urlpatterns = [
    path("", include("core.urls")),
    path("centers/", include("centers.urls")),
    path("alliance/", include("alliance.urls")),
    path("credits/", include("credits.urls")),
    path("funding/", include("funding.urls")),
    path("training/", include("training.urls")),
    path("studios/", include("studios.urls")),
    path("evaluation/", include("evaluation.urls")),
    path("dashboards/", include("dashboards.urls")),
    path("api/v1/", include((api_patterns, "api"))),
    path("i18n/", include("django.conf.urls.i18n")),
    path("admin/", admin.site.urls),
]
# No route serves MEDIA_ROOT, in development either: exports and evidence are
# served only by views that check who asks (core.views.export_download,
# credits.views.claim_evidence).
