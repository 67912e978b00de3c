from rest_framework.routers import SimpleRouter

from . import views

router = SimpleRouter()
router.register("districts", views.DistrictViewSet, basename="district")
router.register("centers", views.CenterViewSet, basename="center")
router.register("schools", views.SchoolViewSet, basename="school")
router.register("teachers", views.TeacherViewSet, basename="teacher")
router.register("campuses", views.CampusViewSet, basename="campus")
router.register("rooms", views.RoomViewSet, basename="room")
router.register("staff", views.StaffMemberViewSet, basename="staff")
router.register("appointments", views.StaffAppointmentViewSet, basename="staff-appointment")
router.register("staff-records", views.StaffYearRecordViewSet, basename="staff-record")
router.register("mandates", views.MandateViewSet, basename="mandate")
router.register("standards", views.StandardViewSet, basename="standard")

urlpatterns = router.urls
