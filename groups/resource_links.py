"""Library entries that a group's facilitators attach to the group, or to one of its sessions.

The library (resources/) stands alone; groups point at its entries, never the other way round.
An attachment goes when its entry is removed from the library (load_resources reports it).
"""
from django.conf import settings
from django.db import models
from django.db.models import Q

MAX_ATTACHMENTS = 12


class LibraryAttachment(models.Model):
    group = models.ForeignKey("support_groups.SupportGroup", on_delete=models.CASCADE, related_name="library_attachments")
    # Empty for the group's own reading list; set for one session's.
    session = models.ForeignKey(
        "support_groups.GroupSession", on_delete=models.CASCADE, null=True, blank=True, related_name="library_attachments"
    )
    entry = models.ForeignKey("resources.Entry", on_delete=models.CASCADE, related_name="+")
    added_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["created_at", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["group", "entry"], condition=Q(session__isnull=True), name="one_group_attachment_per_entry"
            ),
            models.UniqueConstraint(
                fields=["session", "entry"], condition=Q(session__isnull=False), name="one_session_attachment_per_entry"
            ),
        ]

    def __str__(self) -> str:
        return f"library attachment #{self.pk}"
