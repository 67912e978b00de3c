from django.urls import path

from . import views

app_name = "dashboards"

urlpatterns = [
    path("", views.index, name="index"),
    path("annual-report/", views.annual_report, name="annual-report"),
    path("annual-report/<int:year>/", views.annual_report, name="annual-report"),
    path("<slug:key>/", views.dashboard, name="dashboard"),
    path("<slug:key>/charts/<slug:chart>.xlsx", views.chart_xlsx, name="chart-xlsx"),
]
