from rest_framework.routers import SimpleRouter

from . import views

router = SimpleRouter()
router.register("training/plans", views.PlanViewSet, basename="training-plan")
router.register("training/projects", views.ProjectViewSet, basename="training-project")
router.register("training/subprojects", views.SubProjectViewSet, basename="training-subproject")
router.register("training/enrollments", views.EnrollmentViewSet, basename="training-enrollment")
router.register("training/sessions", views.SessionViewSet, basename="training-session")
router.register("training/attendance", views.AttendanceViewSet, basename="training-attendance")
router.register("training/results", views.ResultViewSet, basename="training-result")

urlpatterns = router.urls
