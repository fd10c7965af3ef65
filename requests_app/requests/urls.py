from django.urls import include, path

from . import views

app_name = "requests"

urlpatterns = [
    path("", views.request_list, name="list"),
    path("new/", views.request_create, name="create"),
    # Through the request type's own form (requests_app/forms).
    path("", include("requests_app.forms.agent_urls")),
    path("<int:pk>/", views.request_detail, name="detail"),
    path("<int:pk>/edit/", views.request_edit, name="edit"),
    path("<int:pk>/journal/", views.request_journal, name="journal"),
    path("<int:pk>/documents/<int:attachment_pk>/", views.request_attachment, name="attachment"),
    path("<int:pk>/<slug:action>/", views.request_action, name="action"),
]
