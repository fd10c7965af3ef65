"""The managers' dashboards, included at /reports/ under the "reports" namespace."""

from django.urls import path

from . import report_views

app_name = "reports"

urlpatterns = [
    path("", report_views.dashboard, name="index"),
    path("volume/requests.csv", report_views.requests_csv, name="requests_csv"),
    path("<slug:name>/", report_views.dashboard, name="dashboard"),
    path("<slug:name>/export.pdf", report_views.dashboard_pdf, name="pdf"),
    path("<slug:name>/<int:section>.csv", report_views.dashboard_csv, name="csv"),
]
