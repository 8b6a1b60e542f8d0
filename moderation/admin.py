from django.contrib import admin

from moderation.models import Report, Sanction


@admin.register(Report)
class ReportAdmin(admin.ModelAdmin):
    list_display = ("pk", "reason", "status", "created_at")
    list_filter = ("reason", "status")
    raw_id_fields = ("reporter", "post", "resolved_by")


@admin.register(Sanction)
class SanctionAdmin(admin.ModelAdmin):
    list_display = ("pk", "kind", "group", "starts_at", "ends_at", "lifted_at")
    list_filter = ("kind",)
    raw_id_fields = ("user", "created_by")
