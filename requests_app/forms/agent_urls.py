"""Assisted requests through the form engine, included in the ``requests`` namespace
(requests_app/requests/urls.py)."""

from django.urls import path

from . import views

urlpatterns = [
    path("assisted/", views.assisted_start, name="assisted_start"),
    path(
        "assisted/<int:client_id>/<int:type_id>/step/<int:number>/",
        views.assisted_step,
        name="assisted_step",
    ),
]
