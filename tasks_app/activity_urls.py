"""tasks_app's pages on the CRM side: to-dos, their Kanban, the calendar (at /agent/)."""

from django.urls import path

from . import calendar_views, todo_views

app_name = "activities"

urlpatterns = [
    path("todos/", todo_views.todo_list, name="todo_list"),
    path("todos/history/", todo_views.todo_list, {"history": True}, name="todo_history"),
    path("todos/new/", todo_views.todo_create, name="todo_create"),
    path("todos/targets/", todo_views.todo_targets, name="todo_targets"),
    path("todos/kanban/", todo_views.todo_kanban, name="todo_kanban"),
    path("todos/<int:pk>/edit/", todo_views.todo_edit, name="todo_edit"),
    path("todos/<int:pk>/status/", todo_views.todo_move, name="todo_move"),
    path("calendar/", calendar_views.calendar_page, name="calendar"),
    path("calendar/events/", calendar_views.calendar_events, name="calendar_events"),
    path("calendar/reschedule/", calendar_views.calendar_reschedule, name="calendar_reschedule"),
    path("calendar/settings/", calendar_views.calendar_settings, name="calendar_settings"),
    path("calendar/feed/renew/", calendar_views.calendar_feed_renew, name="calendar_feed_renew"),
    path("calendar/feed/<str:token>.ics", calendar_views.calendar_feed, name="calendar_feed"),
    path(
        "calendar/<str:kind>/<int:pk>/<str:recurrence>/",
        calendar_views.occurrence,
        name="occurrence",
    ),
    path(
        "calendar/<str:kind>/<int:pk>/<str:recurrence>/remove/",
        calendar_views.occurrence_remove,
        name="occurrence_remove",
    ),
]
