from django.contrib import admin

from resources.models import Entry


@admin.register(Entry)
class EntryAdmin(admin.ModelAdmin):
    """Read-only: entries are edited as files in resources/content/ and loaded by load_resources."""

    list_display = ["title", "topic", "reviewed_on", "reading_minutes", "updated_at"]
    list_filter = ["topic"]
    search_fields = ["title", "summary", "slug"]

    def has_add_permission(self, request) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False
