from allauth.account import views as account_views
from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.urls import include, path, re_path

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
        # The catalogue at "/", procedure pages, "My requests"…
        path("", include("requests_app.portal.urls")),
        path("", include("contacts.portal_urls")),
    ],
    "portal",
)

# Citizen accounts: allauth's sign-up and e-mail verification only. Its names for the login,
# logout, password reset and password change are given to the one page of each that everyone
# uses (above), so allauth's redirects and templates land on them.
account_patterns = [
    path("accounts/signup/", account_views.signup, name="account_signup"),
    path(
        "accounts/confirm-email/",
        account_views.email_verification_sent,
        name="account_email_verification_sent",
    ),
    re_path(
        r"^accounts/confirm-email/(?P<key>[-:\w]+)/$",
        account_views.confirm_email,
        name="account_confirm_email",
    ),
    path("accounts/inactive/", account_views.account_inactive, name="account_inactive"),
    path("accounts/login/", views.LoginView.as_view(), name="account_login"),
    path("accounts/logout/", auth_views.LogoutView.as_view(), name="account_logout"),
    path(
        "accounts/password_reset/", views.PasswordResetView.as_view(), name="account_reset_password"
    ),
    path(
        "accounts/password_change/",
        auth_views.PasswordChangeView.as_view(),
        name="account_change_password",
    ),
]

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
    *account_patterns,
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
    path("files/journal/", include("requests_app.mail.urls")),
    # The report builder before the dashboards, whose /reports/<name>/ would take "saved".
    path("reports/saved/", include("reporting.builder_urls")),
    path("reports/", include("reporting.report_urls")),
    path("", include("contacts.urls")),
]
