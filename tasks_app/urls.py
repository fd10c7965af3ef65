from django.urls import path

from . import views

app_name = "tasks"

urlpatterns = [
    path("", views.task_list, {"scope": "mine"}, name="mine"),
    path("queue/", views.task_list, {"scope": "queue"}, name="queue"),
    path("all/", views.task_list, {"scope": "all"}, name="all"),
    path("kanban/", views.kanban, name="kanban"),
    path("<int:pk>/", views.task_detail, name="detail"),
    path("<int:pk>/assign/", views.task_assign, name="assign"),
    path("<int:pk>/journal/", views.task_journal, name="journal"),
    path("<int:pk>/support/", views.support_task_create, name="support"),
    path("<int:pk>/schedule/", views.support_task_schedule, name="schedule"),
    path("<int:pk>/move/", views.kanban_move, name="move"),
    path("<int:pk>/<slug:action>/", views.task_action, name="action"),
]
