from django.urls import path

from . import views

app_name = "funding"

urlpatterns = [
    path("", views.LineListView.as_view(), name="line-list"),
    path("lines/<int:pk>/", views.LineDetailView.as_view(), name="line-detail"),
    path("lines/<int:pk>/allocate/", views.line_allocate, name="line-allocate"),
    path("allocations/<int:pk>/disburse/", views.allocation_disburse, name="allocation-disburse"),
    path("allocations/<int:pk>/reverse/", views.allocation_reverse, name="allocation-reverse"),
    path(
        "disbursements/<int:pk>/reverse/",
        views.disbursement_reverse,
        name="disbursement-reverse",
    ),
    path("overview/", views.OverviewView.as_view(), name="overview"),
    path("book/bureau/", views.BookView.as_view(), {"kind": "bureau"}, name="book-bureau"),
    path("book/<slug:kind>/<int:pk>/", views.BookView.as_view(), name="book"),
]
