"""Included in the ``portal`` namespace (crm/urls.py)."""

from django.urls import include, path

from . import catalogue_views, views

urlpatterns = [
    path("", catalogue_views.home, name="home"),
    path("services/<slug:slug>/", catalogue_views.procedure, name="procedure"),
    path(
        "services/<slug:slug>/documents/<int:pk>/template/",
        catalogue_views.procedure_template,
        name="procedure_template",
    ),
    path("my/requests/", views.my_requests, name="my_requests"),
    path("my/requests/<int:pk>/", views.my_request_detail, name="my_request_detail"),
    path("my/requests/<int:pk>/message/", views.my_request_message, name="my_request_message"),
    path("my/requests/<int:pk>/cancel/", views.my_request_cancel, name="my_request_cancel"),
    # Filling an e-service's form (requests_app/forms).
    path("", include("requests_app.forms.portal_urls")),
    path("my/requests/<int:pk>/documents/", views.my_request_attach, name="my_request_attach"),
    path(
        "my/requests/<int:pk>/documents/<int:attachment_pk>/",
        views.my_request_attachment,
        name="my_request_attachment",
    ),
]
