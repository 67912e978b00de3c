from django.urls import path
from rest_framework.routers import SimpleRouter

from . import views

router = SimpleRouter()
router.register("evaluation/surveys", views.SurveyViewSet, basename="evaluation-survey")

urlpatterns = router.urls + [
    path(
        "evaluation/invitations/",
        views.MyInvitationsView.as_view(),
        name="evaluation-invitations",
    ),
    path("evaluation/answer/<str:token>/", views.AnswerView.as_view(), name="evaluation-answer"),
]
