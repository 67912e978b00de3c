from django.urls import path
from rest_framework.routers import SimpleRouter

from . import procurement, views

router = SimpleRouter()
router.register("training/plans", views.PlanViewSet, basename="training-plan")
router.register("training/projects", views.ProjectViewSet, basename="training-project")
router.register("training/subprojects", views.SubProjectViewSet, basename="training-subproject")
router.register("training/enrollments", views.EnrollmentViewSet, basename="training-enrollment")
router.register("training/sessions", views.SessionViewSet, basename="training-session")
router.register("training/attendance", views.AttendanceViewSet, basename="training-attendance")
router.register("training/results", views.ResultViewSet, basename="training-result")

router.register(
    "training/procurements", procurement.ProcurementViewSet, basename="training-procurement"
)
router.register("training/bids", procurement.BidViewSet, basename="training-bid")
router.register("training/contracts", procurement.ContractViewSet, basename="training-contract")
router.register(
    "training/payment-steps", procurement.PaymentStepViewSet, basename="training-paymentstep"
)
router.register("training/experts", procurement.ExpertViewSet, basename="training-expert")
router.register(
    "training/practice-bases", procurement.PracticeBaseViewSet, basename="training-practicebase"
)

urlpatterns = [
    path(
        "training/participation/",
        views.ParticipationBatchView.as_view(),
        name="training-participation",
    ),
    path(
        "training/nominations/import/",
        views.NominationImportView.as_view(),
        name="training-nomination-import",
    ),
    *router.urls,
]
