from django.urls import path

from . import views

app_name = "alliance"

urlpatterns = [
    path("", views.CouncilView.as_view(), name="council"),
    path("members/add/", views.MemberCreateView.as_view(), name="member-add"),
    path("members/<int:pk>/", views.MemberDetailView.as_view(), name="member-detail"),
    path("members/<int:pk>/edit/", views.MemberUpdateView.as_view(), name="member-edit"),
    path("terms/", views.TermListView.as_view(), name="term-list"),
    path("terms/add/", views.TermCreateView.as_view(), name="term-add"),
    path("terms/extend/", views.TermExtendView.as_view(), name="term-extend"),
    path("terms/<int:pk>/", views.TermDetailView.as_view(), name="term-detail"),
    path("terms/<int:pk>/edit/", views.TermUpdateView.as_view(), name="term-edit"),
    path("documents/", views.DocumentListView.as_view(), name="document-list"),
    path("documents/add/", views.DocumentCreateView.as_view(), name="document-add"),
    path("documents/<int:pk>/", views.DocumentDetailView.as_view(), name="document-detail"),
    path("documents/<int:pk>/edit/", views.DocumentUpdateView.as_view(), name="document-edit"),
    path(
        "documents/<int:pk>/versions/<int:number>/",
        views.VersionDetailView.as_view(),
        name="version-detail",
    ),
    path(
        "documents/<int:pk>/steps/<slug:name>/",
        views.DocumentTransitionView.as_view(),
        name="document-transition",
    ),
    path(
        "documents/<int:pk>/comments/", views.DocumentCommentView.as_view(), name="document-comment"
    ),
    path("meetings/", views.MeetingListView.as_view(), name="meeting-list"),
    path("meetings/add/", views.MeetingCreateView.as_view(), name="meeting-add"),
    path("meetings/<int:pk>/", views.MeetingDetailView.as_view(), name="meeting-detail"),
    path("meetings/<int:pk>/edit/", views.MeetingUpdateView.as_view(), name="meeting-edit"),
    path("resolutions/", views.ResolutionListView.as_view(), name="resolution-list"),
    path("resolutions/add/", views.ResolutionCreateView.as_view(), name="resolution-add"),
    path("resolutions/<int:pk>/", views.ResolutionDetailView.as_view(), name="resolution-detail"),
    path(
        "resolutions/<int:pk>/edit/", views.ResolutionUpdateView.as_view(), name="resolution-edit"
    ),
    path("follow-ups/", views.FollowUpListView.as_view(), name="followup-list"),
    path("follow-ups/add/", views.FollowUpCreateView.as_view(), name="followup-add"),
    path("follow-ups/<int:pk>/", views.FollowUpDetailView.as_view(), name="followup-detail"),
    path("follow-ups/<int:pk>/edit/", views.FollowUpUpdateView.as_view(), name="followup-edit"),
    path("projects/", views.ProjectListView.as_view(), name="project-list"),
    path("projects/add/", views.ProjectCreateView.as_view(), name="project-add"),
    path("projects/<int:pk>/", views.ProjectDetailView.as_view(), name="project-detail"),
    path("projects/<int:pk>/edit/", views.ProjectUpdateView.as_view(), name="project-edit"),
    path("proposals/", views.ProposalListView.as_view(), name="proposal-list"),
    path("proposals/add/", views.ProposalCreateView.as_view(), name="proposal-add"),
    path("proposals/<int:pk>/", views.ProposalDetailView.as_view(), name="proposal-detail"),
    path("proposals/<int:pk>/edit/", views.ProposalUpdateView.as_view(), name="proposal-edit"),
    path(
        "proposals/<int:pk>/steps/<slug:name>/",
        views.ProposalStepView.as_view(),
        name="proposal-step",
    ),
    path("guidance/", views.GuidanceListView.as_view(), name="guidance-list"),
    path("guidance/add/", views.GuidanceCreateView.as_view(), name="guidance-add"),
    path("guidance/<int:pk>/", views.GuidanceDetailView.as_view(), name="guidance-detail"),
    path("guidance/<int:pk>/edit/", views.GuidanceUpdateView.as_view(), name="guidance-edit"),
    path("pairs/", views.PairListView.as_view(), name="pair-list"),
    path("pairs/add/", views.PairCreateView.as_view(), name="pair-add"),
    path("pairs/<int:pk>/", views.PairDetailView.as_view(), name="pair-detail"),
    path("pairs/<int:pk>/edit/", views.PairUpdateView.as_view(), name="pair-edit"),
    path("pairs/activities/add/", views.ActivityCreateView.as_view(), name="activity-add"),
    path("pairs/activities/<int:pk>/", views.ActivityDetailView.as_view(), name="activity-detail"),
    path(
        "pairs/activities/<int:pk>/edit/", views.ActivityUpdateView.as_view(), name="activity-edit"
    ),
    path("results/", views.AchievementListView.as_view(), name="achievement-list"),
    path("results/rollup/", views.RollupView.as_view(), name="results-rollup"),
    path("results/add/", views.AchievementCreateView.as_view(), name="achievement-add"),
    path("results/<int:pk>/", views.AchievementDetailView.as_view(), name="achievement-detail"),
    path("results/<int:pk>/edit/", views.AchievementUpdateView.as_view(), name="achievement-edit"),
    path("bookings/", views.BookingListView.as_view(), name="booking-list"),
    path("bookings/add/", views.BookingCreateView.as_view(), name="booking-add"),
    path("bookings/<int:pk>/", views.BookingDetailView.as_view(), name="booking-detail"),
    path("bookings/<int:pk>/edit/", views.BookingUpdateView.as_view(), name="booking-edit"),
    path("bookings/<int:pk>/cancel/", views.BookingCancelView.as_view(), name="booking-cancel"),
    path("faculty/", views.FacultyListView.as_view(), name="faculty-list"),
    path("faculty/add/", views.FacultyCreateView.as_view(), name="faculty-add"),
    path("faculty/<int:pk>/", views.FacultyDetailView.as_view(), name="faculty-detail"),
    path("faculty/<int:pk>/edit/", views.FacultyUpdateView.as_view(), name="faculty-edit"),
    path(
        "faculty/<int:pk>/withdraw/", views.FacultyWithdrawView.as_view(), name="faculty-withdraw"
    ),
    path("resources/", views.ResourceListView.as_view(), name="resource-list"),
    path("resources/add/", views.ResourceCreateView.as_view(), name="resource-add"),
    path("resources/<int:pk>/", views.ResourceDetailView.as_view(), name="resource-detail"),
    path("resources/<int:pk>/edit/", views.ResourceUpdateView.as_view(), name="resource-edit"),
]
