from django.contrib import admin

from .models import InboundEmail


@admin.register(InboundEmail)
class InboundEmailAdmin(admin.ModelAdmin):
    """The replies received by e-mail, for the record: they land through the mailbox or the
    pipe only (requests_app/mail/inbound.py)."""

    list_display = ["received_at", "sender", "subject", "entry"]
    search_fields = ["message_id", "sender", "subject"]
    date_hierarchy = "received_at"
    readonly_fields = ["message_id", "entry", "sender", "subject", "received_at", "refused_files"]
    list_select_related = ["entry__author", "entry__author_client"]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False
