"""The administrators' view of saved reports, their subscriptions and what was sent."""

from django.contrib import admin

from .models import ReportDelivery, ReportSubscription, SavedReport


class SubscriptionInline(admin.TabularInline):
    model = ReportSubscription
    extra = 0
    fields = ("frequency", "format", "group", "addresses", "only_period", "is_active", "created_by")
    raw_id_fields = ("created_by",)


@admin.register(SavedReport)
class SavedReportAdmin(admin.ModelAdmin):
    list_display = ("name", "source", "owner", "updated_at")
    list_filter = ("source",)
    search_fields = ("name", "owner__email")
    raw_id_fields = ("owner",)
    filter_horizontal = ("shared_with",)
    readonly_fields = ("created_at", "updated_at")
    inlines = [SubscriptionInline]


@admin.register(ReportDelivery)
class ReportDeliveryAdmin(admin.ModelAdmin):
    list_display = ("subscription", "period_start", "sent_at", "recipients", "attempts", "error")
    list_filter = ("sent_at",)
    date_hierarchy = "period_start"

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False
