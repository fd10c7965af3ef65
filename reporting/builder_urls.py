"""The report builder, included at /reports/saved/ (namespace ``report_builder``)."""

from django.urls import path

from . import builder_views as views

app_name = "report_builder"

urlpatterns = [
    path("", views.report_list, name="list"),
    path("new/", views.report_create, name="create"),
    path("<int:pk>/", views.report_detail, name="detail"),
    path("<int:pk>/edit/", views.report_edit, name="edit"),
    path("<int:pk>/delete/", views.report_delete, name="delete"),
    path("<int:pk>/export.<str:fmt>", views.report_export, name="export"),
    path("<int:pk>/subscriptions/", views.subscription_create, name="subscribe"),
    path(
        "<int:pk>/subscriptions/<int:subscription_pk>/delete/",
        views.subscription_delete,
        name="unsubscribe",
    ),
]
