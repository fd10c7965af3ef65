"""URL patterns of the CRM's documents: upload, download, delete (the document's page is the
generic record page, contacts:document_detail)."""

from django.urls import path

from . import document_views

urlpatterns: list = [
    path("agent/documents/new/", document_views.document_create, name="document_create"),
    path(
        "agent/documents/<int:pk>/download/",
        document_views.document_download,
        name="document_download",
    ),
    path(
        "agent/documents/<int:pk>/delete/",
        document_views.document_delete,
        name="document_delete",
    ),
]
