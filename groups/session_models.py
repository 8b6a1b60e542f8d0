"""Scheduled sessions of a group, their RSVPs and reminders, and the live room's records.

Imported by groups/models.py, so these are models of the groups app like the others.
"""
import secrets
import uuid
from datetime import datetime, timedelta

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

DEFAULT_CAPACITY = 12
ROOM_OPENS_BEFORE = timedelta(minutes=10)
ROOM_MESSAGE_MAX_LENGTH = 2000
CONNECTION_STALE_AFTER = timedelta(seconds=90)


class SessionSeries(models.Model):
    """A recurring session: the rule (weekly, every two weeks, monthly by weekday) that makes occurrences.

    The wall-clock time is kept in the series' own time zone, so "Tuesdays at 19:00 Berlin time"
    stays 19:00 across daylight-saving changes.
    """

    class Frequency(models.TextChoices):
        WEEKLY = "weekly", _("Every week")
        BIWEEKLY = "biweekly", _("Every two weeks")
        MONTHLY_WEEKDAY = "monthly_weekday", _("Every month, same weekday (e.g. 2nd Tuesday)")

    group = models.ForeignKey("support_groups.SupportGroup", on_delete=models.CASCADE, related_name="session_series")
    title = models.CharField(_("title"), max_length=140)
    agenda = models.TextField(_("agenda"), max_length=4000, blank=True)
    first_start = models.DateTimeField(_("first session starts"))
    time_zone = models.CharField(max_length=64, default="UTC")
    duration_minutes = models.PositiveSmallIntegerField(_("duration (minutes)"), default=60)
    capacity = models.PositiveSmallIntegerField(_("places"), default=DEFAULT_CAPACITY)
    frequency = models.CharField(_("repeats"), max_length=20, choices=Frequency.choices)
    occurrences = models.PositiveSmallIntegerField(_("number of sessions"), default=8)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+")
    created_at = models.DateTimeField(default=timezone.now)

    def __str__(self) -> str:
        return f"series #{self.pk}"


class GroupSession(models.Model):
    """One scheduled meeting of a group, and the state of its live room."""

    class Status(models.TextChoices):
        SCHEDULED = "scheduled", _("Scheduled")
        LIVE = "live", _("Live")
        ENDED = "ended", _("Ended")
        CANCELLED = "cancelled", _("Cancelled")

    group = models.ForeignKey("support_groups.SupportGroup", on_delete=models.CASCADE, related_name="sessions")
    series = models.ForeignKey(SessionSeries, on_delete=models.SET_NULL, null=True, blank=True, related_name="sessions")
    # The occurrence's place in its series as the rule made it; changes to this one session keep it,
    # so regenerating the series never duplicates or resurrects an occurrence.
    series_slot = models.DateTimeField(null=True, blank=True)
    title = models.CharField(_("title"), max_length=140)
    agenda = models.TextField(_("agenda"), max_length=4000, blank=True)
    starts_at = models.DateTimeField(_("starts"))
    duration_minutes = models.PositiveSmallIntegerField(_("duration (minutes)"), default=60)
    capacity = models.PositiveSmallIntegerField(_("places"), default=DEFAULT_CAPACITY)
    facilitators = models.ManyToManyField(settings.AUTH_USER_MODEL, related_name="facilitated_sessions", blank=True)
    # Stored: scheduled, ended (early or by the clock) or cancelled. "Live" is the room's open window.
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.SCHEDULED)
    extended_minutes = models.PositiveSmallIntegerField(default=0)
    ended_at = models.DateTimeField(null=True, blank=True)
    cancelled_at = models.DateTimeField(null=True, blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+")
    created_at = models.DateTimeField(default=timezone.now)
    # The live room.
    last_seq = models.PositiveIntegerField(default=0)
    room_locked = models.BooleanField(default=False)
    slow_mode_seconds = models.PositiveSmallIntegerField(default=0)
    pinned_message = models.ForeignKey("RoomMessage", on_delete=models.SET_NULL, null=True, blank=True, related_name="+")
    round_queue = models.JSONField(default=list, blank=True)  # user ids still to be invited in this round
    round_current = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+")

    class Meta:
        ordering = ["starts_at"]
        indexes = [models.Index(fields=["group", "starts_at"]), models.Index(fields=["status", "starts_at"])]
        constraints = [
            models.UniqueConstraint(fields=["series", "series_slot"], name="one_session_per_series_slot"),
        ]

    def __str__(self) -> str:
        return f"session #{self.pk}"

    def get_absolute_url(self) -> str:
        return reverse("groups:session_detail", kwargs={"slug": self.group.slug, "session_id": self.pk})

    @property
    def ends_at(self) -> datetime:
        if self.ended_at is not None:
            return self.ended_at
        return self.starts_at + timedelta(minutes=self.duration_minutes + self.extended_minutes)

    @property
    def room_opens_at(self) -> datetime:
        return self.starts_at - ROOM_OPENS_BEFORE

    def room_is_open(self, now: datetime | None = None) -> bool:
        now = now or timezone.now()
        if self.status in (self.Status.CANCELLED, self.Status.ENDED):
            return False
        return self.room_opens_at <= now < self.ends_at

    def status_at(self, now: datetime | None = None) -> str:
        now = now or timezone.now()
        if self.status in (self.Status.CANCELLED, self.Status.ENDED):
            return self.status
        if now >= self.ends_at:
            return self.Status.ENDED
        if now >= self.starts_at:
            return self.Status.LIVE
        return self.Status.SCHEDULED


class Rsvp(models.Model):
    class Status(models.TextChoices):
        GOING = "going", _("Going")
        WAITING = "waiting", _("On the waiting list")
        CANCELLED = "cancelled", _("Cancelled")

    session = models.ForeignKey(GroupSession, on_delete=models.CASCADE, related_name="rsvps")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="rsvps")
    status = models.CharField(max_length=10, choices=Status.choices)
    # Waiting-list order: the time the member asked for a place.
    requested_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["requested_at", "pk"]
        constraints = [models.UniqueConstraint(fields=["session", "user"], name="one_rsvp_per_member_and_session")]

    def __str__(self) -> str:
        return f"rsvp #{self.pk} ({self.status})"


class SessionReminder(models.Model):
    """A reminder sent: the unique row is what makes each reminder go out once."""

    class Kind(models.TextChoices):
        DAY_BEFORE = "24h", _("24 hours before")
        SHORTLY_BEFORE = "15m", _("15 minutes before")

    session = models.ForeignKey(GroupSession, on_delete=models.CASCADE, related_name="reminders")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    kind = models.CharField(max_length=4, choices=Kind.choices)
    sent_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["session", "user", "kind"], name="one_reminder_per_kind")]


def _calendar_token() -> str:
    return secrets.token_urlsafe(32)


class CalendarFeed(models.Model):
    """The secret address of a member's calendar feed; resetting it replaces the token."""

    user = models.OneToOneField(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="calendar_feed")
    token = models.CharField(max_length=64, unique=True, default=_calendar_token)
    created_at = models.DateTimeField(default=timezone.now)


class RoomMessage(models.Model):
    """A message in a live room: stored before it is broadcast, numbered per room by `seq`."""

    session = models.ForeignKey(GroupSession, on_delete=models.CASCADE, related_name="messages")
    seq = models.PositiveIntegerField()
    author = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="room_messages")
    body = models.TextField(max_length=ROOM_MESSAGE_MAX_LENGTH)
    # Chosen by the sender's browser; a retried send with the same id stores nothing new.
    client_id = models.UUIDField(default=uuid.uuid4)
    created_at = models.DateTimeField(default=timezone.now)
    hidden_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["seq"]
        constraints = [
            models.UniqueConstraint(fields=["session", "seq"], name="one_message_per_room_seq"),
            models.UniqueConstraint(fields=["session", "author", "client_id"], name="one_message_per_client_id"),
        ]

    def __str__(self) -> str:
        return f"room message #{self.pk} (session #{self.session_id}, seq {self.seq})"


class RoomParticipant(models.Model):
    """A member's standing in one session's room: muted by the facilitator, removed, last message."""

    session = models.ForeignKey(GroupSession, on_delete=models.CASCADE, related_name="participants")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    muted = models.BooleanField(default=False)
    removed_at = models.DateTimeField(null=True, blank=True)
    last_message_at = models.DateTimeField(null=True, blank=True)
    first_joined_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["session", "user"], name="one_participant_per_session")]


class RoomConnection(models.Model):
    """One open socket in a room. Presence is read from these rows, so it is right across every
    web process sharing the database; a socket's row goes when it closes (a closed tab too)."""

    session = models.ForeignKey(GroupSession, on_delete=models.CASCADE, related_name="connections")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    channel_name = models.CharField(max_length=200, unique=True)
    connected_at = models.DateTimeField(default=timezone.now)
    # Refreshed by the client's pings (every 25 s): a row whose web process died without closing
    # it stops counting as present after CONNECTION_STALE_AFTER, and the beat sweep removes it.
    last_seen_at = models.DateTimeField(default=timezone.now)

    class Meta:
        indexes = [models.Index(fields=["session", "user"])]


class CheckIn(models.Model):
    """Two quick scales and some feeling words, on entering a room and again on leaving."""

    class Phase(models.TextChoices):
        IN = "in", _("Check-in")
        OUT = "out", _("Check-out")

    FEELING_WORDS = (
        "flat", "numb", "foggy", "distant", "tired", "tense", "restless", "calm", "curious",
        "hopeful", "warm", "sad", "anxious", "irritable", "grateful", "present",
    )

    session = models.ForeignKey(GroupSession, on_delete=models.CASCADE, related_name="check_ins")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="check_ins")
    phase = models.CharField(max_length=3, choices=Phase.choices)
    feel = models.PositiveSmallIntegerField(_("How much can you feel right now?"))
    connected = models.PositiveSmallIntegerField(_("How connected do you feel to others?"))
    words = models.JSONField(default=list, blank=True)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["session", "user", "phase"], name="one_check_in_per_phase"),
            models.CheckConstraint(condition=Q(feel__lte=10) & Q(connected__lte=10), name="check_in_scales_0_to_10"),
        ]
