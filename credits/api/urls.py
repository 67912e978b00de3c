from django.urls import path
from rest_framework.routers import SimpleRouter

from . import views

router = SimpleRouter()
router.register("credits/entries", views.CreditEntryViewSet, basename="credit-entry")
router.register("credits/claims", views.CreditClaimViewSet, basename="credit-claim")

urlpatterns = [
    path("credits/summary/", views.SummaryView.as_view(), name="credit-summary"),
    *router.urls,
]
