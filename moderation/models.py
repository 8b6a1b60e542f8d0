"""Reports from members and sanctions on members. (Risk assessments and flags join with their issue.)"""
from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class Report(models.Model):
    class Reason(models.TextChoices):
        WORRIED = "worried", _("I'm worried about this person's safety")
        HARASSMENT = "harassment", _("Harassment or unkindness")
        SPAM = "spam", _("Spam or advertising")
        OTHER = "other", _("Something else")

    class Status(models.TextChoices):
        OPEN = "open", _("Open")
        RESOLVED = "resolved", _("Resolved")
        DISMISSED = "dismissed", _("Dismissed")

    # The reporter is never shown to the author; only moderators see who reported.
    reporter = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="reports_made")
    post = models.ForeignKey("support_groups.Post", on_delete=models.CASCADE, related_name="reports")
    reason = models.CharField(max_length=12, choices=Reason.choices)
    note = models.TextField(max_length=1000, blank=True)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.OPEN)
    created_at = models.DateTimeField(default=timezone.now)
    resolved_at = models.DateTimeField(null=True, blank=True)
    resolved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )

    class Meta:
        ordering = ["created_at"]
        indexes = [models.Index(fields=["status", "created_at"])]
        constraints = [
            # Reporting the same post twice while the first report is open changes nothing.
            models.UniqueConstraint(
                fields=["reporter", "post"], condition=Q(status="open"), name="one_open_report_per_reporter_and_post"
            )
        ]

    def __str__(self) -> str:
        return f"report #{self.pk} ({self.reason}, {self.status})"


class Sanction(models.Model):
    class Kind(models.TextChoices):
        WARNING = "warning", _("Warning")
        MUTE = "mute", _("Muted")
        SUSPENSION = "suspension", _("Suspended")

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="sanctions")
    kind = models.CharField(max_length=12, choices=Kind.choices)
    # A mute may be limited to one group; empty means everywhere.
    group = models.ForeignKey(
        "support_groups.SupportGroup", on_delete=models.CASCADE, null=True, blank=True, related_name="sanctions"
    )
    reason = models.TextField(_("reason shown to the member"), max_length=2000)
    starts_at = models.DateTimeField(default=timezone.now)
    ends_at = models.DateTimeField(null=True, blank=True, help_text=_("Empty: until lifted."))
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+")
    lifted_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        indexes = [models.Index(fields=["user", "kind"])]

    def __str__(self) -> str:
        return f"sanction #{self.pk} ({self.kind})"
