from django.contrib import admin
from django.utils.translation import gettext_lazy as _
from simple_history.admin import SimpleHistoryAdmin

from .models import Client


@admin.register(Client)
class ClientAdmin(SimpleHistoryAdmin):
    list_display = ["__str__", "email", "phone", "language", "user", "created_at"]
    list_filter = ["language"]
    search_fields = ["first_name", "last_name", "email", "phone"]
    raw_id_fields = ["user"]
    readonly_fields = ["created_at", "updated_at"]
    list_select_related = ["user"]
    fieldsets = [
        (None, {"fields": ["first_name", "last_name", "email", "phone", "language", "user"]}),
        (
            _("Postal address"),
            {"fields": ["street", "street_2", "city", "region", "postal_code", "country"]},
        ),
        (None, {"fields": ["created_at", "updated_at"]}),
    ]
