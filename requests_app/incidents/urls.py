from django.urls import path

from . import views

app_name = "incidents"

urlpatterns = [
    path("", views.incident_list, {"scope": "queue"}, name="queue"),
    path("mine/", views.incident_list, {"scope": "mine"}, name="mine"),
    path("all/", views.incident_list, {"scope": "all"}, name="all"),
    path("new/", views.incident_create, name="create"),
    path("<int:pk>/", views.incident_detail, name="detail"),
    path("<int:pk>/assign/", views.incident_assign, name="assign"),
    path("<int:pk>/history/", views.incident_history, name="history"),
    path("<int:pk>/journal/", views.incident_journal, name="journal"),
    path("<int:pk>/<slug:action>/", views.incident_action, name="action"),
]
