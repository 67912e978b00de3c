from rest_framework.routers import SimpleRouter

from . import views

router = SimpleRouter()
router.register("funding/lines", views.BudgetLineViewSet, basename="funding-line")
router.register("funding/allocations", views.AllocationViewSet, basename="funding-allocation")
router.register("funding/disbursements", views.DisbursementViewSet, basename="funding-disbursement")
router.register("funding/figures", views.BudgetFigureViewSet, basename="funding-figure")

urlpatterns = router.urls
