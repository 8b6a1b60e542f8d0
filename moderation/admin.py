from django.contrib import admin

from moderation.models import AuditEntry, CrisisCase, Flag, Report, RiskAssessment, Sanction, WatchedPhrase


@admin.register(Report)
class ReportAdmin(admin.ModelAdmin):
    list_display = ("pk", "reason", "status", "created_at")
    list_filter = ("reason", "status")
    raw_id_fields = ("reporter", "post", "room_message", "resolved_by", "flag")


# The pipeline's records are written by the pipeline: the admin shows them read-only.
class ReadOnlyAdmin(admin.ModelAdmin):
    def has_add_permission(self, request) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False


@admin.register(Sanction)
class SanctionAdmin(ReadOnlyAdmin):
    # Set and lifted on the moderators' pages only: there each one is audited, the member is told,
    # and a suspension closes their sessions. An edit here would do none of that.
    list_display = ("pk", "kind", "group", "starts_at", "ends_at", "lifted_at")
    list_filter = ("kind",)
    raw_id_fields = ("user", "created_by", "lifted_by")


@admin.register(RiskAssessment)
class RiskAssessmentAdmin(ReadOnlyAdmin):
    list_display = ("pk", "content_kind", "content_id", "content_version", "status", "level", "score", "requested_at")
    list_filter = ("status", "level", "content_kind")


@admin.register(Flag)
class FlagAdmin(ReadOnlyAdmin):
    list_display = ("pk", "level", "source", "status", "raised_at")
    list_filter = ("level", "source", "status")


@admin.register(CrisisCase)
class CrisisCaseAdmin(ReadOnlyAdmin):
    list_display = ("pk", "origin", "status", "opened_at", "acknowledged_at", "closed_at")
    list_filter = ("origin", "status")


@admin.register(AuditEntry)
class AuditEntryAdmin(ReadOnlyAdmin):
    """Append-only: the admin reads the log and can neither add, change nor delete an entry."""

    list_display = ("pk", "created_at", "action", "actor", "target_user", "subject_kind", "subject_id")
    list_filter = ("action",)
    raw_id_fields = ("actor", "target_user", "group")


@admin.register(WatchedPhrase)
class WatchedPhraseAdmin(ReadOnlyAdmin):
    # Changed on the moderators' page, where each change is audited and applies at once.
    list_display = ("pk", "phrase", "action", "is_active", "updated_at")
    list_filter = ("action", "is_active")
