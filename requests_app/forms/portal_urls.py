"""The form pages of the portal, in the ``portal`` namespace (requests_app/portal/urls.py)."""

from django.urls import path

from . import views

urlpatterns = [
    path("services/<slug:slug>/start/", views.request_start, name="request_start"),
    path("services/<slug:slug>/step/<int:number>/", views.request_step, name="request_step"),
    path(
        "services/<slug:slug>/draft/discard/",
        views.request_draft_discard,
        name="request_draft_discard",
    ),
    path("services/<slug:slug>/filed/<int:pk>/", views.request_filed, name="request_filed"),
    path(
        "services/<slug:slug>/check-email/", views.request_check_email, name="request_check_email"
    ),
    path("services/confirm/<str:token>/", views.request_confirm, name="form_confirm"),
    path("services/follow/<str:token>/", views.request_follow, name="request_follow"),
    path("services/documents/<int:pk>/", views.form_document, name="form_document"),
]
