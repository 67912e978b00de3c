from rest_framework.routers import SimpleRouter

from . import views

router = SimpleRouter()
router.register("districts", views.DistrictViewSet, basename="district")
router.register("centers", views.CenterViewSet, basename="center")
router.register("schools", views.SchoolViewSet, basename="school")
router.register("teachers", views.TeacherViewSet, basename="teacher")

urlpatterns = router.urls
