from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as BaseUserAdmin
from django.utils.translation import gettext_lazy as _
from simple_history.admin import SimpleHistoryAdmin

from .forms import AdminLoginForm
from .models import AssignmentGroup, Notification, User

# The admin is Guichet's: its header, the browser tab and the index page say so.
admin.site.site_header = _("Guichet administration")
admin.site.site_title = _("Guichet administration")
admin.site.index_title = _("Guichet settings")
# The admin's login is throttled like the portal's (crm.throttle).
admin.site.login_form = AdminLoginForm


@admin.register(User)
class UserAdmin(SimpleHistoryAdmin, BaseUserAdmin):
    ordering = ["email"]
    list_display = ["email", "first_name", "last_name", "is_active", "is_staff", "language"]
    list_filter = ["is_active", "is_staff", "groups", "language"]
    search_fields = ["email", "first_name", "last_name"]
    fieldsets = [
        (None, {"fields": ["email", "password"]}),
        (_("Identity"), {"fields": ["first_name", "last_name"]}),
        (_("Preferences"), {"fields": ["language", "theme", "density"]}),
        (
            _("Roles and permissions"),
            {"fields": ["is_active", "is_staff", "is_superuser", "groups", "user_permissions"]},
        ),
        (_("Dates"), {"fields": ["last_login", "date_joined"]}),
    ]
    add_fieldsets = [
        (None, {"classes": ["wide"], "fields": ["email", "password1", "password2", "groups"]}),
    ]


@admin.register(AssignmentGroup)
class AssignmentGroupAdmin(SimpleHistoryAdmin):
    list_display = ["name", "lead", "escalation_group", "is_active"]
    list_filter = ["is_active"]
    search_fields = ["name", "description"]
    filter_horizontal = ["members"]
    autocomplete_fields = ["lead", "escalation_group"]


@admin.register(Notification)
class NotificationAdmin(admin.ModelAdmin):
    list_display = ["title", "recipient", "created_at", "read_at", "emailed_at"]
    list_filter = ["read_at", "created_at"]
    search_fields = ["title", "recipient__email"]
    raw_id_fields = ["recipient"]
    date_hierarchy = "created_at"
