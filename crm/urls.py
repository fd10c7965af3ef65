from django.contrib import admin
from django.urls import include, path

from . import views

agent_patterns = (
    [
        path("", include("reporting.urls")),
        path("groups/<int:pk>/", views.group_detail, name="group_detail"),
    ],
    "agent",
)

portal_patterns = (
    [
        path("", views.portal_home, name="home"),
        path("", include("requests_app.portal.urls")),
    ],
    "portal",
)

urlpatterns = [
    path("", include(portal_patterns)),
    path("home/", views.home, name="home"),
    path("agent/", include(agent_patterns)),
    path("agent/tasks/", include("tasks_app.urls")),
    path("agent/", include("tasks_app.activity_urls")),
    path("agent/requests/", include("requests_app.requests.urls")),
    path("agent/incidents/", include("requests_app.incidents.urls")),
    path("accounts/login/", views.LoginView.as_view(), name="login"),
    path("accounts/password_reset/", views.PasswordResetView.as_view(), name="password_reset"),
    path("accounts/", include("django.contrib.auth.urls")),
    path("notifications/", views.notification_list, name="notifications"),
    path("notifications/bell/", views.notification_bell, name="notification_bell"),
    path(
        "notifications/read-all/", views.notification_mark_all_read, name="notifications_read_all"
    ),
    path("notifications/<int:pk>/open/", views.notification_open, name="notification_open"),
    path("i18n/setlang/", views.set_language, name="set_language"),
    path("preferences/display/", views.set_display, name="set_display"),
    path("healthz", views.healthz, name="healthz"),
    path("readyz", views.readyz, name="readyz"),
    path("favicon.ico", views.favicon, name="favicon"),
    path("admin/", admin.site.urls),
    path("agent/import/", include("requests_app.imports.urls")),
    path("reports/saved/", include("reporting.builder_urls")),
    path("", include("contacts.urls")),
]
