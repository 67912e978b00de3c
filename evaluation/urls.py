from django.urls import path

from . import views

app_name = "evaluation"

urlpatterns = [
    path("", views.SurveyListView.as_view(), name="survey-list"),
    path("mine/", views.mine, name="mine"),
    path("surveys/<int:pk>/", views.SurveyDetailView.as_view(), name="survey-detail"),
    path("surveys/<int:pk>/recompute/", views.survey_recompute, name="survey-recompute"),
    path("answer/<str:token>/", views.answer, name="answer"),
]
