from django.urls import path
from rest_framework.routers import SimpleRouter

from . import views

router = SimpleRouter()
router.register("alliance/members", views.CouncilMemberViewSet, basename="alliance-member")
router.register("alliance/terms", views.ChairTermViewSet, basename="alliance-term")
router.register("alliance/documents", views.WorkDocumentViewSet, basename="alliance-document")
router.register("alliance/meetings", views.MeetingViewSet, basename="alliance-meeting")
router.register("alliance/resolutions", views.ResolutionViewSet, basename="alliance-resolution")
router.register("alliance/follow-ups", views.FollowUpViewSet, basename="alliance-followup")
router.register("alliance/projects", views.JointProjectViewSet, basename="alliance-project")
router.register("alliance/proposals", views.ProposalViewSet, basename="alliance-proposal")
router.register("alliance/guidance", views.GuidanceVisitViewSet, basename="alliance-guidance")
router.register("alliance/plans", views.CenterPlanViewSet, basename="alliance-plan")
router.register("alliance/pairs", views.AssistancePairViewSet, basename="alliance-pair")
router.register(
    "alliance/pair-activities", views.AssistanceActivityViewSet, basename="alliance-pair-activity"
)
router.register("alliance/results", views.AchievementViewSet, basename="alliance-result")
router.register("alliance/bookings", views.BookingViewSet, basename="alliance-booking")
router.register(
    "alliance/engagements", views.FacultyEngagementViewSet, basename="alliance-engagement"
)
router.register("alliance/faculty", views.SharedFacultyViewSet, basename="alliance-faculty")
router.register(
    "alliance/schools", views.TeacherDevelopmentSchoolViewSet, basename="alliance-school"
)
router.register("alliance/resources", views.DigitalResourceViewSet, basename="alliance-resource")

urlpatterns = [
    path(
        "alliance/results-rollup/",
        views.ResultsRollupView.as_view(),
        name="alliance-results-rollup",
    ),
    *router.urls,
]
