from django.urls import path
from rest_framework.routers import SimpleRouter

from . import views

router = SimpleRouter()
router.register("evaluation/surveys", views.SurveyViewSet, basename="evaluation-survey")
router.register("evaluation/visits", views.VisitViewSet, basename="evaluation-visit")
router.register("evaluation/findings", views.FindingViewSet, basename="evaluation-finding")
router.register(
    "evaluation/project-scores", views.ProjectScoreViewSet, basename="evaluation-project-score"
)
router.register("evaluation/campaigns", views.CampaignViewSet, basename="evaluation-campaign")
router.register("evaluation/principals", views.AppraiseeViewSet, basename="evaluation-principal")
router.register("evaluation/links", views.RaterLinkViewSet, basename="evaluation-link")

urlpatterns = router.urls + [
    path(
        "evaluation/invitations/",
        views.MyInvitationsView.as_view(),
        name="evaluation-invitations",
    ),
    path("evaluation/answer/<str:token>/", views.AnswerView.as_view(), name="evaluation-answer"),
    path("evaluation/rate/<str:token>/", views.RateView.as_view(), name="evaluation-rate"),
]
