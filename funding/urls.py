from django.urls import path

from . import views

app_name = "funding"

urlpatterns = [
    path("", views.LineListView.as_view(), name="line-list"),
    path("lines/<int:pk>/", views.LineDetailView.as_view(), name="line-detail"),
    path("overview/", views.OverviewView.as_view(), name="overview"),
    path("book/bureau/", views.BookView.as_view(), {"kind": "bureau"}, name="book-bureau"),
    path("book/<slug:kind>/<int:pk>/", views.BookView.as_view(), name="book"),
]
