from django.urls import path

from . import views

app_name = "contacts"

urlpatterns = [
    path("agent/clients/search/", views.client_search, name="search"),
]
