from django.contrib import admin

from ..models import (
    CourseGridImport,
)


@admin.register(CourseGridImport)
class CourseGridImportAdmin(admin.ModelAdmin):
    list_display = ["original_name", "uploaded_by", "status", "dry_run", "created_at"]
    list_filter = ["status", "dry_run"]
    readonly_fields = ["report", "total_rows", "processed_rows", "finished_at"]


# --- Incidents and SLAs ---------------------------------------------------------------------
