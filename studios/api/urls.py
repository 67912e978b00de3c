from rest_framework.routers import SimpleRouter

from . import views

router = SimpleRouter()
router.register("studios/studios", views.StudioViewSet, basename="studio")
router.register("studios/people", views.StudioPersonViewSet, basename="studio-person")
router.register("studios/activities", views.ActivityViewSet, basename="studio-activity")
router.register("studios/mentoring", views.MentoringPairViewSet, basename="studio-pair")
router.register("studios/evaluations", views.EvaluationViewSet, basename="studio-evaluation")

urlpatterns = router.urls
