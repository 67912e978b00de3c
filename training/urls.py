from django.urls import path

from . import procurement_views, views

app_name = "training"

urlpatterns = [
    path("", views.BoardView.as_view(), name="board"),
    path("mine/", views.mine, name="mine"),
    path("plans/", views.PlanListView.as_view(), name="plan-list"),
    path("plans/<int:pk>/", views.PlanDetailView.as_view(), name="plan-detail"),
    path("plans/<int:pk>/move/", views.plan_move, name="plan-move"),
    path("subprojects/new/", views.SubProjectCreateView.as_view(), name="subproject-create"),
    path("subprojects/<int:pk>/", views.SubProjectDetailView.as_view(), name="subproject-detail"),
    path(
        "subprojects/<int:pk>/edit/", views.SubProjectUpdateView.as_view(), name="subproject-update"
    ),
    path("subprojects/<int:pk>/move/", views.subproject_move, name="subproject-move"),
    path("subprojects/<int:pk>/enrol/", views.enrol, name="enrol"),
    path("subprojects/<int:pk>/class/", views.class_page, name="class"),
    path("subprojects/<int:pk>/sessions/", views.session_add, name="session-add"),
    path("enrollments/", views.EnrollmentListView.as_view(), name="enrollment-list"),
    path("nominations/", views.nomination_upload, name="nomination-upload"),
    path("nominations/template.xlsx", views.nomination_template, name="nomination-template"),
    path("nominations/<int:pk>/", views.nomination_preview, name="nomination-preview"),
    path("nominations/<int:pk>/commit/", views.nomination_commit, name="nomination-commit"),
    path("nominations/<int:pk>/discard/", views.nomination_discard, name="nomination-discard"),
    path("enrollments/<int:pk>/decide/", views.enrollment_decide, name="enrollment-decide"),
    path("enrollments/<int:pk>/withdraw/", views.enrollment_withdraw, name="enrollment-withdraw"),
    path(
        "enrollments/<int:pk>/acknowledge/",
        views.enrollment_acknowledge,
        name="enrollment-acknowledge",
    ),
    path("enrollments/<int:pk>/result/", views.result_enter, name="result-enter"),
    path("sessions/<int:pk>/screen/", views.checkin_screen, name="checkin-screen"),
    path("sessions/<int:pk>/checkin/", views.checkin, name="checkin"),
    path("sessions/<int:pk>/sign-off/", views.session_sign_off, name="session-sign-off"),
    path("sessions/<int:pk>/correct/", views.session_correct, name="session-correct"),
    path("procurements/", procurement_views.ProcurementListView.as_view(), name="procurement-list"),
    path(
        "procurements/<int:pk>/",
        procurement_views.ProcurementDetailView.as_view(),
        name="procurement-detail",
    ),
    path(
        "procurements/<int:pk>/step/", procurement_views.procurement_step, name="procurement-step"
    ),
    path("contracts/<int:pk>/step/", procurement_views.contract_step, name="contract-step"),
    path("experts/", procurement_views.ExpertListView.as_view(), name="expert-list"),
    path(
        "practice-bases/",
        procurement_views.PracticeBaseListView.as_view(),
        name="practicebase-list",
    ),
]
