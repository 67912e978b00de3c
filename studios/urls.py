from django.urls import path

from . import views

app_name = "studios"

urlpatterns = [
    path("", views.StudioListView.as_view(), name="list"),
    path("add/", views.StudioCreateView.as_view(), name="add"),
    path("workspace/", views.WorkspaceView.as_view(), name="workspace"),
    path("<int:pk>/", views.StudioDetailView.as_view(), name="detail"),
    path("<int:pk>/edit/", views.StudioUpdateView.as_view(), name="edit"),
    path("<int:pk>/people/add/", views.PersonAddView.as_view(), name="person-add"),
    path("people/<int:pk>/end/", views.PersonEndView.as_view(), name="person-end"),
    path("<int:pk>/activities/add/", views.ActivityCreateView.as_view(), name="activity-add"),
    path("activities/", views.ActivityListView.as_view(), name="activity-list"),
    path("activities/<int:pk>/", views.ActivityDetailView.as_view(), name="activity-detail"),
    path("activities/<int:pk>/edit/", views.ActivityUpdateView.as_view(), name="activity-edit"),
    path("<int:pk>/pairs/add/", views.PairCreateView.as_view(), name="pair-add"),
    path("pairs/<int:pk>/complete/", views.PairCompleteView.as_view(), name="pair-complete"),
    path("<int:pk>/outputs/add/", views.OutputCreateView.as_view(), name="output-add"),
    path("<int:pk>/tasks/add/", views.TaskCreateView.as_view(), name="task-add"),
    path("<int:pk>/plans/add/", views.PlanCreateView.as_view(), name="plan-add"),
    path("plans/<int:pk>/edit/", views.PlanUpdateView.as_view(), name="plan-edit"),
    path("plans/<int:pk>/<slug:step>/", views.PlanStepView.as_view(), name="plan-step"),
    path("<int:pk>/rounds/add/", views.RoundCreateView.as_view(), name="round-add"),
    path("rounds/", views.RoundListView.as_view(), name="round-list"),
    path("rounds/<int:pk>/", views.RoundDetailView.as_view(), name="round-detail"),
    path("rounds/<int:pk>/apply/", views.ApplyView.as_view(), name="apply"),
    path("rounds/<int:pk>/<slug:step>/", views.RoundStepView.as_view(), name="round-step"),
    path(
        "applications/<int:pk>/<slug:step>/",
        views.ApplicationStepView.as_view(),
        name="application-step",
    ),
    path(
        "<int:pk>/evaluations/<slug:kind>/",
        views.EvaluationStartView.as_view(),
        name="evaluation-start",
    ),
    path("evaluations/<int:pk>/", views.EvaluationDetailView.as_view(), name="evaluation-detail"),
    path("outputs/<int:pk>/file/", views.output_file, name="output-file"),
    path("documents/<int:pk>/", views.application_document, name="document-file"),
]
