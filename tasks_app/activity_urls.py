"""tasks_app's pages on the CRM side: to-dos, their Kanban, the calendar (at /agent/)."""

urlpatterns: list = []
app_name = "activities"
