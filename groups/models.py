"""Support groups, membership, and the forum.

A topic's opening text is its first Post (`is_opening`), so editing, deleting, reacting, reporting
and risk assessment work the same for topics and replies.
"""
import secrets

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from django.utils.functional import cached_property
from django.utils.translation import gettext_lazy as _

TITLE_MAX_LENGTH = 140
BODY_MAX_LENGTH = 10_000


class SupportGroup(models.Model):
    class Focus(models.TextChoices):
        ANTIDEPRESSANTS = "antidepressants", _("Numbness on antidepressants")
        TRAUMA = "trauma", _("Numbness after trauma")
        DEPRESSION = "depression", _("Depression and numbness")
        BURNOUT = "burnout", _("Burnout")
        SUPPORTERS = "supporters", _("Supporting someone who feels numb")
        GENERAL = "general", _("Living with numbness")

    class Visibility(models.TextChoices):
        LISTED = "listed", _("Listed in the directory")
        PRIVATE = "private", _("Private: invisible to non-members")

    class JoinPolicy(models.TextChoices):
        OPEN = "open", _("Anyone can join")
        REQUEST = "request", _("Members ask to join; a facilitator approves")
        INVITATION = "invitation", _("By invitation link only")

    name = models.CharField(_("name"), max_length=80)
    slug = models.SlugField(_("address"), max_length=80, unique=True)
    description = models.TextField(_("description"), max_length=4000, help_text=_("Markdown."))
    description_html = models.TextField(editable=False, default="")
    house_rules = models.TextField(_("house rules"), max_length=4000, blank=True, help_text=_("Markdown."))
    house_rules_html = models.TextField(editable=False, default="")
    focus = models.CharField(_("focus"), max_length=20, choices=Focus.choices, default=Focus.GENERAL)
    visibility = models.CharField(_("visibility"), max_length=10, choices=Visibility.choices, default=Visibility.LISTED)
    join_policy = models.CharField(_("join policy"), max_length=12, choices=JoinPolicy.choices, default=JoinPolicy.OPEN)
    size_cap = models.PositiveIntegerField(
        _("size cap"), null=True, blank=True, help_text=_("Leave empty for no cap. Past it, people join a waiting list.")
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        return reverse("groups:detail", kwargs={"slug": self.slug})

    @property
    def is_private(self) -> bool:
        return self.visibility == self.Visibility.PRIVATE


class Membership(models.Model):
    class Role(models.TextChoices):
        MEMBER = "member", _("Member")
        FACILITATOR = "facilitator", _("Facilitator")

    class Status(models.TextChoices):
        ACTIVE = "active", _("Active")
        REQUESTED = "requested", _("Asked to join")
        WAITLISTED = "waitlisted", _("On the waiting list")
        LEFT = "left", _("Left")
        REMOVED = "removed", _("Removed")
        DECLINED = "declined", _("Request declined")

    group = models.ForeignKey(SupportGroup, on_delete=models.CASCADE, related_name="memberships")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="memberships")
    role = models.CharField(max_length=12, choices=Role.choices, default=Role.MEMBER)
    status = models.CharField(max_length=12, choices=Status.choices, default=Status.ACTIVE)
    created_at = models.DateTimeField(auto_now_add=True)
    status_changed_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["group", "user"], name="one_membership_per_group")]
        indexes = [models.Index(fields=["group", "status", "created_at"])]

    def __str__(self) -> str:
        return f"membership #{self.pk} ({self.role}, {self.status})"

    @property
    def is_active(self) -> bool:
        return self.status == self.Status.ACTIVE

    @property
    def is_facilitator(self) -> bool:
        return self.is_active and self.role == self.Role.FACILITATOR


def _invitation_token() -> str:
    return secrets.token_urlsafe(24)


class Invitation(models.Model):
    group = models.ForeignKey(SupportGroup, on_delete=models.CASCADE, related_name="invitations")
    token = models.CharField(max_length=64, unique=True, default=_invitation_token, editable=False)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    expires_at = models.DateTimeField()
    revoked_at = models.DateTimeField(null=True, blank=True)
    uses = models.PositiveIntegerField(default=0)

    def __str__(self) -> str:
        return f"invitation #{self.pk}"

    def is_usable(self, now=None) -> bool:
        now = now or timezone.now()
        return self.revoked_at is None and self.expires_at > now


class Topic(models.Model):
    group = models.ForeignKey(SupportGroup, on_delete=models.CASCADE, related_name="topics")
    author = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="topics")
    title = models.CharField(_("title"), max_length=TITLE_MAX_LENGTH)
    created_at = models.DateTimeField(default=timezone.now)
    last_activity_at = models.DateTimeField(default=timezone.now)
    reply_count = models.PositiveIntegerField(default=0)
    is_pinned = models.BooleanField(default=False)
    is_locked = models.BooleanField(default=False)
    # Set by the periodic job when nobody has replied for a few hours; cleared by the first reply.
    unanswered_since = models.DateTimeField(null=True, blank=True)
    deleted_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        indexes = [
            models.Index(fields=["group", "-is_pinned", "-last_activity_at"], name="topic_listing"),
            models.Index(fields=["reply_count", "created_at"], name="topic_unanswered"),
        ]

    def __str__(self) -> str:
        return f"topic #{self.pk}"

    def get_absolute_url(self) -> str:
        return reverse("groups:topic", kwargs={"slug": self.group.slug, "topic_id": self.pk})


class ContentWarning(models.TextChoices):
    SELF_HARM = "self_harm", _("Self-harm")
    SUICIDE = "suicide", _("Suicide")
    TRAUMA = "trauma", _("Trauma")
    MEDICATION = "medication", _("Medication")
    OTHER = "other", _("Other")


class Post(models.Model):
    topic = models.ForeignKey(Topic, on_delete=models.CASCADE, related_name="posts")
    author = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="posts")
    is_opening = models.BooleanField(default=False)
    body = models.TextField(max_length=BODY_MAX_LENGTH)
    body_html = models.TextField(editable=False, default="")
    content_warning = models.CharField(max_length=12, choices=ContentWarning.choices, blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    edited_at = models.DateTimeField(null=True, blank=True)
    # Bumped on every edit; a risk assessment is keyed on (post, version).
    version = models.PositiveIntegerField(default=1)
    deleted_at = models.DateTimeField(null=True, blank=True)
    # Hidden by a moderator (moderation issue); the author still sees their own post.
    hidden_at = models.DateTimeField(null=True, blank=True)
    # Held for a moderator's approval (posts under review, a watched phrase): until approved only
    # the author and moderators see it.
    held_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["created_at", "pk"]
        indexes = [models.Index(fields=["topic", "created_at"])]
        constraints = [
            models.UniqueConstraint(fields=["topic"], condition=Q(is_opening=True), name="one_opening_post_per_topic"),
        ]

    def __str__(self) -> str:
        return f"post #{self.pk}"

    @property
    def is_deleted(self) -> bool:
        return self.deleted_at is not None

    @cached_property
    def my_reaction_kinds(self) -> set[str]:
        """The kinds the viewer reacted with (`my_reactions` is set by selectors.post_list_for_topic)."""
        return {reaction.kind for reaction in getattr(self, "my_reactions", [])}


class PostRevision(models.Model):
    """An earlier version of an edited post, kept for moderators."""

    post = models.ForeignKey(Post, on_delete=models.CASCADE, related_name="revisions")
    version = models.PositiveIntegerField()
    # An opening post's topic title at this version: the title is part of what was said.
    title = models.CharField(max_length=200, blank=True)
    body = models.TextField()
    content_warning = models.CharField(max_length=12, choices=ContentWarning.choices, blank=True)
    created_at = models.DateTimeField()

    class Meta:
        ordering = ["-version"]
        constraints = [models.UniqueConstraint(fields=["post", "version"], name="one_revision_per_version")]


class Reaction(models.Model):
    class Kind(models.TextChoices):
        HEAR_YOU = "hear_you", _("I hear you")
        ME_TOO = "me_too", _("Me too")
        STRENGTH = "strength", _("Sending strength")

    post = models.ForeignKey(Post, on_delete=models.CASCADE, related_name="reactions")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="reactions")
    kind = models.CharField(max_length=12, choices=Kind.choices)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["post", "user", "kind"], name="one_reaction_of_a_kind")]


class TopicSubscription(models.Model):
    topic = models.ForeignKey(Topic, on_delete=models.CASCADE, related_name="subscriptions")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="topic_subscriptions")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["topic", "user"], name="one_subscription_per_topic")]


class ReaderPreference(models.Model):
    """How a member wants posts with content warnings shown. By default every warning folds."""

    user = models.OneToOneField(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="reader_preference")
    # Warnings the member has chosen to see unfolded; every other warning stays folded.
    unfolded_warnings = models.JSONField(default=list, blank=True)

    def __str__(self) -> str:
        return f"reader preference #{self.pk}"


# Sessions and live rooms live in their own module; importing them here makes them this app's models.
from groups.session_models import (  # noqa: E402, F401
    CalendarFeed,
    CheckIn,
    GroupSession,
    RoomConnection,
    RoomMessage,
    RoomParticipant,
    Rsvp,
    SessionReminder,
    SessionSeries,
)

# Library entries that facilitators attach to a group or a session (the library never imports groups).
from groups.resource_links import LibraryAttachment  # noqa: E402, F401
