from django.urls import path

from . import views

app_name = "evaluation"

urlpatterns = [
    path("", views.SurveyListView.as_view(), name="survey-list"),
    path("mine/", views.mine, name="mine"),
    path("surveys/<int:pk>/", views.SurveyDetailView.as_view(), name="survey-detail"),
    path("surveys/<int:pk>/recompute/", views.survey_recompute, name="survey-recompute"),
    path("answer/<str:token>/", views.answer, name="answer"),
    path("visits/", views.VisitListView.as_view(), name="visit-list"),
    path("visits/new/", views.visit_add, name="visit-add"),
    path("visits/<int:pk>/", views.VisitDetailView.as_view(), name="visit-detail"),
    path("visits/<int:pk>/observe/", views.visit_observe, name="visit-observe"),
    path("visits/<int:pk>/interview/", views.visit_interview, name="visit-interview"),
    path("visits/<int:pk>/finding/", views.visit_finding, name="visit-finding"),
    path("visits/<int:pk>/report/", views.visit_report, name="visit-report"),
    path("visits/<int:pk>/close/", views.visit_close, name="visit-close"),
    path("findings/<int:pk>/reply/", views.finding_reply, name="finding-reply"),
    path("findings/<int:pk>/resolve/", views.finding_resolve, name="finding-resolve"),
    path("performance/<int:subproject_pk>/", views.performance, name="performance"),
    path(
        "performance/<int:subproject_pk>/start/",
        views.performance_start,
        name="performance-start",
    ),
    path("checks/<int:pk>/", views.check_item, name="check-item"),
    path("vendors/", views.vendor_records, name="vendor-records"),
    path("campaigns/", views.CampaignListView.as_view(), name="campaign-list"),
    path("campaigns/new/", views.campaign_add, name="campaign-add"),
    path("campaigns/<int:pk>/", views.CampaignDetailView.as_view(), name="campaign-detail"),
    path("campaigns/<int:pk>/edit/", views.campaign_edit, name="campaign-edit"),
    path("campaigns/<int:pk>/status/<str:status>/", views.campaign_status, name="campaign-status"),
    path("campaigns/<int:pk>/progress/", views.campaign_progress, name="campaign-progress"),
    path(
        "campaigns/<int:pk>/principals/",
        views.campaign_principal_add,
        name="campaign-principal-add",
    ),
    path("principals/<int:pk>/", views.AppraiseeDetailView.as_view(), name="appraisee-detail"),
    path("principals/<int:pk>/links/", views.appraisee_links, name="appraisee-links"),
    path("principals/<int:pk>/qr/<str:group>/", views.appraisee_qr, name="appraisee-qr"),
    path("campaigns/<int:pk>/recompute/", views.campaign_recompute, name="campaign-recompute"),
    path("rate/<str:token>/", views.rate, name="rate"),
]
