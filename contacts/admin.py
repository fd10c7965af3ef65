from django.contrib import admin
from django.utils.translation import gettext_lazy as _
from modeltranslation.admin import TranslationAdmin
from simple_history.admin import SimpleHistoryAdmin

from .models import (
    Call,
    Client,
    Contact,
    Document,
    Favourite,
    Meeting,
    Note,
    Partner,
    PartnerInvitation,
    PartnerMembership,
    Program,
    ProgramEnrolment,
    SAEFile,
    SavedFilter,
    Service,
    ServiceRecord,
)


@admin.register(Client)
class ClientAdmin(SimpleHistoryAdmin):
    list_display = ["__str__", "email", "phone", "client_type", "owner", "created_at"]
    list_filter = ["language", "client_type"]
    search_fields = ["first_name", "last_name", "email", "phone"]
    raw_id_fields = ["user", "owner"]
    readonly_fields = ["created_at", "updated_at"]
    list_select_related = ["user", "owner"]
    fieldsets = [
        (None, {"fields": ["first_name", "last_name", "email", "phone", "language", "user"]}),
        (
            _("Settlement and employment"),
            {
                "fields": [
                    "client_type",
                    "date_of_birth",
                    "arrival_date",
                    "country_of_origin",
                    "languages_spoken",
                    "education_level",
                    "employment_status",
                    "target_occupation",
                    "owner",
                    "description",
                ]
            },
        ),
        (
            _("Postal address"),
            {"fields": ["street", "street_2", "city", "region", "postal_code", "country"]},
        ),
        (None, {"fields": ["created_at", "updated_at"]}),
    ]


# --- The CRM of seed 002 ----------------------------------------------------------------------
#
# Clients, contacts and partners count in hundreds of thousands: every foreign key to them is a
# raw id (never a <select> of every row), and staff are found by autocomplete.

TARGETS = ["client", "contact", "partner"]


class ContactInline(admin.TabularInline):
    model = Contact
    extra = 0
    fields = ["first_name", "last_name", "job_title", "email", "phone", "owner"]
    raw_id_fields = ["owner"]
    show_change_link = True


class PartnerMembershipInline(admin.TabularInline):
    """The portal accounts authorised for the organisation (seed 003)."""

    model = PartnerMembership
    extra = 0
    fields = ["user", "role", "created_at"]
    readonly_fields = ["created_at"]
    raw_id_fields = ["user"]


@admin.register(PartnerMembership)
class PartnerMembershipAdmin(SimpleHistoryAdmin):
    list_display = ["partner", "user", "role", "created_at"]
    list_filter = ["role"]
    search_fields = ["partner__name", "user__email", "user__last_name"]
    raw_id_fields = ["partner", "user"]
    list_select_related = ["partner", "user"]


@admin.register(PartnerInvitation)
class PartnerInvitationAdmin(admin.ModelAdmin):
    list_display = ["email", "partner", "role", "invited_by", "created_at", "accepted_at"]
    list_filter = ["role"]
    search_fields = ["email", "partner__name"]
    raw_id_fields = ["partner", "invited_by"]
    readonly_fields = ["created_at", "accepted_at", "cancelled_at"]
    list_select_related = ["partner", "invited_by"]


@admin.register(Partner)
class PartnerAdmin(SimpleHistoryAdmin):
    list_display = ["name", "kind", "email", "phone", "city", "owner", "created_at"]
    list_filter = ["kind", "created_at"]
    search_fields = ["name", "email", "phone", "city"]
    raw_id_fields = ["owner"]
    readonly_fields = ["created_at", "updated_at"]
    list_select_related = ["owner"]
    inlines = [ContactInline, PartnerMembershipInline]

    def formfield_for_dbfield(self, db_field, request, **kwargs):
        if db_field.name == "website":
            kwargs["assume_scheme"] = "https"
        return super().formfield_for_dbfield(db_field, request, **kwargs)


@admin.register(Contact)
class ContactAdmin(SimpleHistoryAdmin):
    list_display = ["__str__", "partner", "job_title", "email", "phone", "owner"]
    list_filter = ["language"]
    search_fields = ["first_name", "last_name", "email", "phone", "mobile", "partner__name"]
    raw_id_fields = ["partner", "owner"]
    readonly_fields = ["created_at", "updated_at"]
    list_select_related = ["partner", "owner"]


class ActivityAdmin(SimpleHistoryAdmin):
    list_filter = ["created_at"]
    raw_id_fields = [*TARGETS, "assigned_to", "created_by"]
    readonly_fields = ["created_at", "updated_at"]
    list_select_related = [*TARGETS, "assigned_to"]

    @admin.display(description=_("linked to"))
    def target(self, obj):
        return obj.target


@admin.register(Call)
class CallAdmin(ActivityAdmin):
    list_display = ["subject", "starts_at", "direction", "status", "target", "assigned_to"]
    list_filter = ["status", "direction", "starts_at"]
    search_fields = ["subject", "description"]
    date_hierarchy = "starts_at"
    raw_id_fields = [*ActivityAdmin.raw_id_fields, "recurrence_of"]


@admin.register(Meeting)
class MeetingAdmin(ActivityAdmin):
    list_display = ["subject", "starts_at", "ends_at", "status", "target", "assigned_to"]
    list_filter = ["status", "starts_at"]
    search_fields = ["subject", "location", "description"]
    date_hierarchy = "starts_at"
    raw_id_fields = [
        *ActivityAdmin.raw_id_fields,
        "recurrence_of",
        "attendees",
        "contacts_attending",
        "clients_attending",
    ]


@admin.register(Note)
class NoteAdmin(ActivityAdmin):
    list_display = ["subject", "target", "assigned_to", "created_at"]
    search_fields = ["subject", "description"]
    date_hierarchy = "created_at"


@admin.register(Document)
class DocumentAdmin(ActivityAdmin):
    list_display = ["title", "doc_type", "original_name", "size", "target", "created_at"]
    list_filter = ["doc_type", "created_at"]
    search_fields = ["title", "original_name"]
    date_hierarchy = "created_at"
    # The file is checked and stored by the upload page (its type read from the content); the
    # admin shows what was stored and never replaces it.
    readonly_fields = [
        "file",
        "original_name",
        "content_type",
        "size",
        "created_at",
        "updated_at",
    ]

    def has_add_permission(self, request):
        return False


@admin.register(Program)
class ProgramAdmin(TranslationAdmin):
    list_display = ["name", "active"]
    list_filter = ["active"]
    search_fields = ["name_fr", "name_en"]


@admin.register(Service)
class ServiceAdmin(TranslationAdmin):
    list_display = ["name", "active"]
    list_filter = ["active"]
    search_fields = ["name_fr", "name_en"]


class HeldRecordAdmin(SimpleHistoryAdmin):
    raw_id_fields = ["client", "partner", "created_by"]
    readonly_fields = ["created_at"]
    list_filter = ["start_date"]
    date_hierarchy = "start_date"

    @admin.display(description=_("held by"))
    def holder(self, obj):
        return obj.client or obj.partner


@admin.register(ProgramEnrolment)
class ProgramEnrolmentAdmin(HeldRecordAdmin):
    list_display = ["program", "holder", "start_date", "end_date"]
    list_filter = ["program", "start_date"]
    search_fields = ["program__name", "client__last_name", "partner__name"]
    list_select_related = ["program", "client", "partner"]


@admin.register(ServiceRecord)
class ServiceRecordAdmin(HeldRecordAdmin):
    list_display = ["activity_number", "service", "holder", "start_date", "end_date"]
    list_filter = ["service", "start_date"]
    search_fields = ["activity_number", "service__name", "client__last_name", "partner__name"]
    list_select_related = ["service", "client", "partner"]


@admin.register(SAEFile)
class SAEFileAdmin(SimpleHistoryAdmin):
    list_display = ["file_identifier", "client", "status", "counsellor", "opened_on", "closed_on"]
    list_filter = ["status", "opened_on"]
    search_fields = ["file_identifier", "client__last_name", "client__email"]
    raw_id_fields = ["client", "counsellor"]
    readonly_fields = ["created_at", "updated_at"]
    list_select_related = ["client", "counsellor"]
    date_hierarchy = "opened_on"


@admin.register(SavedFilter)
class SavedFilterAdmin(admin.ModelAdmin):
    list_display = ["name", "list_name", "user", "created_at"]
    list_filter = ["list_name"]
    search_fields = ["name", "user__email"]
    raw_id_fields = ["user"]
    list_select_related = ["user"]


@admin.register(Favourite)
class FavouriteAdmin(admin.ModelAdmin):
    list_display = ["label", "content_type", "user", "created_at"]
    list_filter = ["content_type"]
    search_fields = ["label", "user__email"]
    raw_id_fields = ["user"]
    list_select_related = ["user", "content_type"]
    readonly_fields = ["created_at"]
