"""The CRM's pages, one module of URL patterns per part."""

from django.urls import path

from . import document_urls, duplicate_urls, list_urls, record_urls, views

app_name = "contacts"

urlpatterns = [
    path("agent/clients/search/", views.client_search, name="search"),
    *list_urls.urlpatterns,
    *duplicate_urls.urlpatterns,
    *document_urls.urlpatterns,
    # Last: its /agent/<kind>/<pk>/ patterns come after the lists' fixed words.
    *record_urls.urlpatterns,
]
