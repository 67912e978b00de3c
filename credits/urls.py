from django.urls import path

from . import views

app_name = "credits"

urlpatterns = [
    path("", views.my_credits, name="mine"),
    path("transcript/", views.issue_transcript, name="issue-transcript"),
    path("transcripts/<str:code>/", views.transcript_page, name="transcript"),
    path("transcripts/<str:code>/xlsx/", views.transcript_xlsx, name="transcript-xlsx"),
    path("verify/", views.verify, name="verify"),
    path("verify/<str:code>/", views.verify, name="verify-code"),
    path("teachers/<int:pk>/", views.teacher_credits, name="teacher"),
    path("entries/", views.EntryListView.as_view(), name="entry-list"),
    path("entries/new/", views.entry_award, name="entry-award"),
    path("entries/<int:pk>/", views.EntryDetailView.as_view(), name="entry-detail"),
    path("entries/<int:pk>/reverse/", views.entry_reverse, name="entry-reverse"),
    path("claims/", views.ClaimListView.as_view(), name="claim-list"),
    path("claims/new/", views.claim_create, name="claim-create"),
    path("claims/<int:pk>/", views.ClaimDetailView.as_view(), name="claim-detail"),
    path("claims/<int:pk>/approve/", views.claim_approve, name="claim-approve"),
    path("claims/<int:pk>/reject/", views.claim_reject, name="claim-reject"),
    path(
        "claims/<int:pk>/evidence/<int:evidence_pk>/",
        views.claim_evidence,
        name="claim-evidence",
    ),
    path("completion/", views.completion_view, name="completion"),
    path("at-risk/", views.AtRiskListView.as_view(), name="at-risk"),
    path("policies/", views.PolicyListView.as_view(), name="policy-list"),
    path("policies/new/", views.PolicyCreateView.as_view(), name="policy-create"),
    path("policies/<int:pk>/edit/", views.PolicyUpdateView.as_view(), name="policy-update"),
    path("reminders/<int:pk>/dismiss/", views.reminder_dismiss, name="reminder-dismiss"),
]
