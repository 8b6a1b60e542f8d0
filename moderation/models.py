"""Reports and sanctions; the risk pipeline: assessments, flags, crisis cases and their follow-up."""
from datetime import timedelta

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
    # What is reported: a forum post or a live-room message (exactly one of the two).
    post = models.ForeignKey("support_groups.Post", on_delete=models.CASCADE, null=True, blank=True, related_name="reports")
    room_message = models.ForeignKey(
        "support_groups.RoomMessage", on_delete=models.CASCADE, null=True, blank=True, related_name="reports"
    )
    reason = models.CharField(max_length=12, choices=Reason.choices)
    note = models.TextField(max_length=1000, blank=True)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.OPEN)
    created_at = models.DateTimeField(default=timezone.now)
    resolved_at = models.DateTimeField(null=True, blank=True)
    resolved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    # The queue item this report joined: every open report on one thing shares one flag.
    flag = models.ForeignKey("Flag", on_delete=models.SET_NULL, null=True, blank=True, related_name="reports")

    class Meta:
        ordering = ["created_at"]
        indexes = [models.Index(fields=["status", "created_at"])]
        constraints = [
            # Reporting the same post twice while the first report is open changes nothing.
            models.UniqueConstraint(
                fields=["reporter", "post"], condition=Q(status="open"), name="one_open_report_per_reporter_and_post"
            ),
            models.UniqueConstraint(
                fields=["reporter", "room_message"], condition=Q(status="open"),
                name="one_open_report_per_reporter_and_room_message",
            ),
            models.CheckConstraint(
                condition=Q(post__isnull=False, room_message__isnull=True) | Q(post__isnull=True, room_message__isnull=False),
                name="report_on_exactly_one_thing",
            ),
        ]

    def __str__(self) -> str:
        return f"report #{self.pk} ({self.reason}, {self.status})"

    @property
    def content(self):
        return self.post if self.post_id is not None else self.room_message

    @property
    def content_author(self):
        return self.content.author


class Sanction(models.Model):
    class Kind(models.TextChoices):
        WARNING = "warning", _("Warning")
        MUTE = "mute", _("Muted")
        # Their posts wait for a moderator's approval before anyone else sees them.
        REVIEW = "review", _("Posts under review")
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
    lifted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )

    class Meta:
        indexes = [models.Index(fields=["user", "kind"])]

    def __str__(self) -> str:
        return f"sanction #{self.pk} ({self.kind})"

    def in_force(self, now=None) -> bool:
        now = now or timezone.now()
        return self.lifted_at is None and self.starts_at <= now and (self.ends_at is None or self.ends_at > now)


# ----------------------------------------------------------------------------- the risk pipeline
class ContentKind(models.TextChoices):
    POST = "post", _("Forum post")
    ROOM_MESSAGE = "room_message", _("Room message")
    # Words a member could not post (posting limit, mute) that sounded like a crisis: RefusedPost.
    REFUSED_POST = "refused_post", _("Words that could not be posted")


class RiskLevel(models.TextChoices):
    NONE = "none", _("None")
    CONCERN = "concern", _("Concern")
    CRISIS = "crisis", _("Crisis")


class RefusedPost(models.Model):
    """What a member wrote when the posting limit or a mute refused it, kept only because the
    assessor heard a crisis in it: the group never sees it, a moderator does, and the member keeps
    their text in the form. Deleted with the member's account.
    """

    class Reason(models.TextChoices):
        RATE_LIMITED = "rate_limited", _("Posting limit or slow mode")
        RESTRICTED = "restricted", _("Muted or suspended by a moderator")
        ROOM_MUTED = "room_muted", _("Muted in the room by its facilitator")
        ROOM_PAUSED = "room_paused", _("The room was locked or waiting for its facilitator")

    class Where(models.TextChoices):
        TOPIC = "topic", _("A new topic")
        REPLY = "reply", _("A reply")
        EDIT = "edit", _("An edit")
        ROOM = "room", _("A live room")

    author = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="refused_posts")
    group = models.ForeignKey("support_groups.SupportGroup", on_delete=models.SET_NULL, null=True, related_name="+")
    reason = models.CharField(max_length=16, choices=Reason.choices)
    where = models.CharField(max_length=8, choices=Where.choices)
    title = models.CharField(max_length=200, blank=True)
    body = models.TextField()
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"refused post #{self.pk} ({self.reason})"

    @property
    def text(self) -> str:
        return f"{self.title}\n\n{self.body}" if self.title else self.body


class RiskAssessment(models.Model):
    """One version of one piece of content, from the moment it is saved until it is assessed.

    The row is written as `pending` in the transaction that saves the content, so a broker or a
    worker that is down loses nothing: the sweep finds pending rows and queues them again. It is
    unique per content and version, and the task completes it under a row lock, so a duplicate or
    late delivery changes nothing.
    """

    class Status(models.TextChoices):
        PENDING = "pending", _("Waiting for assessment")
        ASSESSED = "assessed", _("Assessed")
        # Only when the words themselves are gone (the account and its posts were erased).
        SKIPPED = "skipped", _("Skipped (the words were erased before assessment)")

    content_kind = models.CharField(max_length=20, choices=ContentKind.choices)
    content_id = models.PositiveBigIntegerField()
    content_version = models.PositiveIntegerField(default=1)
    author = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+")
    group = models.ForeignKey("support_groups.SupportGroup", on_delete=models.SET_NULL, null=True, related_name="+")
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.PENDING)
    requested_at = models.DateTimeField(default=timezone.now)
    last_enqueued_at = models.DateTimeField(null=True, blank=True)
    enqueue_count = models.PositiveIntegerField(default=0)
    # What the assessor said in the saving request (it decided whether the author saw the crisis
    # panel). The stored assessment below never ends lower than a crisis heard here.
    immediate_level = models.CharField(max_length=10, choices=RiskLevel.choices, default=RiskLevel.NONE)
    level = models.CharField(max_length=10, choices=RiskLevel.choices, blank=True)
    score = models.FloatField(null=True, blank=True)
    signals = models.JSONField(default=list, blank=True)
    assessor_version = models.CharField(max_length=80, blank=True)
    assessed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["content_kind", "content_id", "content_version"], name="one_assessment_per_content_version"
            )
        ]
        indexes = [models.Index(fields=["status", "requested_at"])]

    def __str__(self) -> str:
        return f"assessment #{self.pk} ({self.content_kind} {self.content_id} v{self.content_version}, {self.status})"


class Flag(models.Model):
    """An item in the moderators' queue. Raised by an assessment (concern or crisis)."""

    class Source(models.TextChoices):
        ASSESSMENT = "assessment", _("Risk assessment")
        REPORT = "report", _("Member report")
        # A facilitator hid a post in their group; a moderator confirms or restores it.
        FACILITATOR = "facilitator", _("Hidden by a facilitator")

    class Status(models.TextChoices):
        OPEN = "open", _("Open")
        CONFIRMED = "confirmed", _("Confirmed")
        DISMISSED = "dismissed", _("Dismissed")

    # Queue order: crisis first, then concern, then reports; oldest first within each.
    PRIORITY_BY_LEVEL = {RiskLevel.CRISIS: 0, RiskLevel.CONCERN: 1, "report": 2}
    # How long an item may wait for a moderator's first action, by priority (crisis, concern, report).
    TIME_LIMIT_BY_PRIORITY = {0: timedelta(minutes=5), 1: timedelta(hours=1), 2: timedelta(hours=24)}

    source = models.CharField(max_length=12, choices=Source.choices, default=Source.ASSESSMENT)
    assessment = models.OneToOneField(RiskAssessment, on_delete=models.CASCADE, null=True, blank=True, related_name="flag")
    level = models.CharField(max_length=10, choices=RiskLevel.choices)
    priority = models.PositiveSmallIntegerField()
    content_kind = models.CharField(max_length=20, choices=ContentKind.choices)
    content_id = models.PositiveBigIntegerField()
    author = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="flags")
    group = models.ForeignKey("support_groups.SupportGroup", on_delete=models.SET_NULL, null=True, related_name="+")
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.OPEN)
    raised_at = models.DateTimeField(default=timezone.now)
    decided_at = models.DateTimeField(null=True, blank=True)
    decided_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+")
    decision_note = models.TextField(max_length=2000, blank=True)
    # The first time a moderator claimed or acted on the item: the queue's time-to-first-action.
    first_action_at = models.DateTimeField(null=True, blank=True)
    # Who is working on it now. Set only by a conditional UPDATE (services/queue.py), so two
    # moderators claiming at once cannot both win.
    claimed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    claimed_at = models.DateTimeField(null=True, blank=True)
    # Why a person raised it (a facilitator who hid a post says why, for the moderator).
    raised_note = models.TextField(max_length=2000, blank=True)

    class Meta:
        ordering = ["priority", "raised_at"]
        indexes = [models.Index(fields=["status", "priority", "raised_at"])]

    def __str__(self) -> str:
        return f"flag #{self.pk} ({self.level}, {self.status})"

    @property
    def time_limit(self) -> timedelta:
        return self.TIME_LIMIT_BY_PRIORITY[self.priority]

    @property
    def due_at(self):
        return self.raised_at + self.time_limit

    def is_overdue(self, now=None) -> bool:
        """Still waiting for a first action past its level's time limit."""
        if self.status != self.Status.OPEN:
            return False
        acted = self.first_action_at
        if acted is not None:
            return acted > self.due_at
        return (now or timezone.now()) > self.due_at


class CrisisCase(models.Model):
    """A person we are worried about, and what we did. Closed only with an outcome note."""

    class Origin(models.TextChoices):
        ASSESSMENT = "assessment", _("Risk assessment")
        WORRIED_REPORT = "worried_report", _("A member was worried")
        MEMBER_ASKED = "member_asked", _("The member asked to talk")

    class Status(models.TextChoices):
        OPEN = "open", _("Open")
        CLOSED = "closed", _("Closed")

    member = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="crisis_cases")
    origin = models.CharField(max_length=16, choices=Origin.choices)
    flag = models.ForeignKey(Flag, on_delete=models.SET_NULL, null=True, blank=True, related_name="cases")
    report = models.ForeignKey(Report, on_delete=models.SET_NULL, null=True, blank=True, related_name="cases")
    status = models.CharField(max_length=8, choices=Status.choices, default=Status.OPEN)
    opened_at = models.DateTimeField(default=timezone.now)
    acknowledged_at = models.DateTimeField(null=True, blank=True)
    acknowledged_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+")
    closed_at = models.DateTimeField(null=True, blank=True)
    closed_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+")
    outcome = models.TextField(max_length=4000, blank=True)
    # When the member deleted their account while the case was open: nobody is left to write to.
    member_left_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["opened_at"]
        constraints = [
            # A second worrying post from the same person joins their open case instead of
            # starting another: one timeline per person, one set of follow-ups.
            models.UniqueConstraint(fields=["member"], condition=Q(status="open"), name="one_open_case_per_member")
        ]

    def __str__(self) -> str:
        return f"case #{self.pk} ({self.status})"


class CaseEvent(models.Model):
    """The case's timeline, append-only."""

    class Kind(models.TextChoices):
        RAISED = "raised", _("Raised")
        FLAG_ADDED = "flag_added", _("Another flag joined the case")
        REPORT_ADDED = "report_added", _("Another member was worried")
        MEMBER_ASKED = "member_asked", _("The member asked to talk")
        MEMBER_WROTE = "member_wrote", _("The member wrote")
        ANSWERED = "answered", _("A moderator answered")
        MEMBER_LEFT = "member_left", _("The member deleted their account")
        ALERTED = "alerted", _("Moderators alerted")
        ACKNOWLEDGED = "acknowledged", _("Acknowledged")
        CONTACT = "contact", _("Contact made")
        NOTE = "note", _("Note")
        CHECK_IN_SENT = "check_in_sent", _("Check-in message sent")
        FOLLOW_UP_SCHEDULED = "follow_up_scheduled", _("Follow-up scheduled")
        FOLLOW_UP_SENT = "follow_up_sent", _("Follow-up sent")
        CLOSED = "closed", _("Closed")

    case = models.ForeignKey(CrisisCase, on_delete=models.CASCADE, related_name="events")
    kind = models.CharField(max_length=24, choices=Kind.choices)
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+")
    note = models.TextField(max_length=4000, blank=True)
    # The message this entry is about (a check-in, an answer, what the member wrote): the timeline
    # shows its words from there, so they go when the member's account goes.
    message = models.ForeignKey("CareMessage", on_delete=models.SET_NULL, null=True, blank=True, related_name="+")
    # The flag that raised the case or joined it: the case page shows the words behind each.
    flag = models.ForeignKey(Flag, on_delete=models.SET_NULL, null=True, blank=True, related_name="+")
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["created_at", "pk"]

    def __str__(self) -> str:
        return f"case #{self.case_id} {self.kind}"


class FollowUp(models.Model):
    """A check-in message due at a time; sent once by the beat job (sent_at is the record)."""

    case = models.ForeignKey(CrisisCase, on_delete=models.CASCADE, related_name="follow_ups")
    due_at = models.DateTimeField()
    sent_at = models.DateTimeField(null=True, blank=True)
    cancelled_at = models.DateTimeField(null=True, blank=True)
    scheduled_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+")

    class Meta:
        ordering = ["due_at"]
        constraints = [models.UniqueConstraint(fields=["case", "due_at"], name="one_follow_up_per_case_and_time")]
        indexes = [models.Index(fields=["sent_at", "due_at"])]

    def __str__(self) -> str:
        return f"follow-up #{self.pk} (case #{self.case_id})"


class CrisisAlert(models.Model):
    """One alert to one moderator about one case: the unique row makes each alert happen once.

    Round 0 is the case opening; each later round is the member waiting for an answer in their
    conversation (at most one round every few minutes while they wait: services/care.py).
    """

    class Channel(models.TextChoices):
        EMAIL = "email", _("E-mail")
        IN_APP = "in_app", _("In-app")

    class Reason(models.TextChoices):
        CASE_OPENED = "case_opened", _("A crisis case was opened")
        MEMBER_WAITING = "member_waiting", _("The member is waiting to talk")

    case = models.ForeignKey(CrisisCase, on_delete=models.CASCADE, related_name="alerts")
    moderator = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    channel = models.CharField(max_length=8, choices=Channel.choices)
    reason = models.CharField(max_length=16, choices=Reason.choices, default=Reason.CASE_OPENED)
    round = models.PositiveIntegerField(default=0)
    created_at = models.DateTimeField(default=timezone.now)
    sent_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["case", "moderator", "channel", "round"], name="one_alert_per_case_moderator_channel_round"
            )
        ]


class ModeratorDuty(models.Model):
    """Who is on duty now: crisis alerts go to them (to every moderator when nobody is)."""

    moderator = models.OneToOneField(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="duty")
    on_duty = models.BooleanField(default=False)
    changed_at = models.DateTimeField(default=timezone.now)

    def __str__(self) -> str:
        return f"duty of user #{self.moderator_id} ({'on' if self.on_duty else 'off'})"


class Conversation(models.Model):
    """A member's private conversation with the Thaw team: check-ins, follow-ups, the team's
    answers and what the member writes back, one thread.

    One is open per member at a time, linked to their open crisis case once there is one; closing
    the case closes it, and the member's next message starts a new one. Goes with the account.
    """

    class Status(models.TextChoices):
        OPEN = "open", _("Open")
        CLOSED = "closed", _("Ended")

    member = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="conversations")
    case = models.ForeignKey(CrisisCase, on_delete=models.SET_NULL, null=True, blank=True, related_name="conversations")
    status = models.CharField(max_length=8, choices=Status.choices, default=Status.OPEN)
    opened_at = models.DateTimeField(default=timezone.now)
    closed_at = models.DateTimeField(null=True, blank=True)
    # Since when the member's words wait for an answer from the team (empty: nobody is waiting).
    waiting_since = models.DateTimeField(null=True, blank=True)
    # When moderators were last alerted about this conversation: repeats merge for a while.
    last_alerted_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-opened_at", "-pk"]
        constraints = [
            models.UniqueConstraint(fields=["member"], condition=Q(status="open"), name="one_open_conversation_per_member")
        ]
        indexes = [models.Index(fields=["status", "waiting_since"])]

    def __str__(self) -> str:
        return f"conversation #{self.pk} ({self.status})"

    @property
    def is_open(self) -> bool:
        return self.status == self.Status.OPEN


class CareMessage(models.Model):
    """A private message between the Thaw team and a member: check-ins, follow-ups, the team's
    decisions, and, in a conversation, the team's answers and what the member writes back.

    `recipient` is the member the message is with, whichever side wrote it (`sender`): their
    messages list and export are one query, and everything goes with their account. The team's
    messages never name who was worried; check-ins carry the crisis lines (the template adds
    them), and every page that shows a message shows the crisis panel.
    """

    class Kind(models.TextChoices):
        CHECK_IN = "check_in", _("Check-in")
        FOLLOW_UP = "follow_up", _("Follow-up")
        ANSWER = "answer", _("An answer from the team")
        FROM_MEMBER = "from_member", _("A message from the member")
        WARNING = "warning", _("A word from the moderators")
        CONTENT_HIDDEN = "content_hidden", _("Something you wrote was hidden")
        SANCTION = "sanction", _("A limit on your account")
        HELD = "held", _("Your posts wait for a moderator")

    class Sender(models.TextChoices):
        TEAM = "team", _("The Thaw team")
        MEMBER = "member", _("The member")

    # Kinds that tell the member about a moderator's decision: these can be reviewed on request.
    REVIEWABLE_KINDS = frozenset({Kind.WARNING, Kind.CONTENT_HIDDEN, Kind.SANCTION, Kind.HELD})
    # Kinds that belong to the member's conversation with the team, where they can answer.
    CONVERSATION_KINDS = frozenset({Kind.CHECK_IN, Kind.FOLLOW_UP, Kind.ANSWER, Kind.FROM_MEMBER})

    recipient = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="care_messages")
    sender = models.CharField(max_length=8, choices=Sender.choices, default=Sender.TEAM)
    conversation = models.ForeignKey(
        Conversation, on_delete=models.CASCADE, null=True, blank=True, related_name="messages"
    )
    case = models.ForeignKey(CrisisCase, on_delete=models.SET_NULL, null=True, blank=True, related_name="messages")
    kind = models.CharField(max_length=16, choices=Kind.choices)
    body = models.TextField(max_length=4000)
    sent_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+")
    created_at = models.DateTimeField(default=timezone.now)
    # When the other side read it: the member, for the team's messages; any moderator, for the member's.
    read_at = models.DateTimeField(null=True, blank=True)
    # What a moderator's decision was about, so that a review request finds it.
    sanction = models.ForeignKey(Sanction, on_delete=models.SET_NULL, null=True, blank=True, related_name="+")
    content_kind = models.CharField(max_length=20, choices=ContentKind.choices, blank=True)
    content_id = models.PositiveBigIntegerField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-pk"]

    def __str__(self) -> str:
        return f"care message #{self.pk} ({self.kind})"

    @property
    def is_reviewable(self) -> bool:
        return self.kind in self.REVIEWABLE_KINDS

    @property
    def from_member(self) -> bool:
        return self.sender == self.Sender.MEMBER


class TrainedRiskModel(models.Model):
    """A risk model retrained here by `train_risk_model` from our examples and moderators' decisions.

    The newest active one is used instead of the model shipped with the code. Stored as JSON
    (vocabularies and weights), never as a pickle.
    """

    created_at = models.DateTimeField(default=timezone.now)
    version = models.CharField(max_length=40, unique=True)
    artifact = models.TextField()
    trained_on = models.JSONField(default=dict)
    metrics = models.JSONField(default=dict, blank=True)
    is_active = models.BooleanField(default=True)

    class Meta:
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"risk model {self.version}"


# ----------------------------------------------------------------------------- the moderators' tools
class ReviewRequest(models.Model):
    """A member asks the moderators to look again at a decision they were told about."""

    class Status(models.TextChoices):
        OPEN = "open", _("Waiting")
        UPHELD = "upheld", _("Decision kept")
        REVERSED = "reversed", _("Decision reversed")

    member = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="review_requests")
    care_message = models.ForeignKey(CareMessage, on_delete=models.CASCADE, related_name="review_requests")
    note = models.TextField(max_length=2000, blank=True)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.OPEN)
    created_at = models.DateTimeField(default=timezone.now)
    decided_at = models.DateTimeField(null=True, blank=True)
    decided_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+")
    answer = models.TextField(max_length=2000, blank=True)

    class Meta:
        ordering = ["created_at"]
        constraints = [
            models.UniqueConstraint(fields=["care_message"], condition=Q(status="open"), name="one_open_review_per_message")
        ]

    def __str__(self) -> str:
        return f"review request #{self.pk} ({self.status})"


class ModeratorNote(models.Model):
    """A private note about a member, seen only by moderators. Goes with the member's account."""

    member = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="moderator_notes")
    author = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+")
    body = models.TextField(max_length=4000)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-created_at", "-pk"]

    def __str__(self) -> str:
        return f"moderator note #{self.pk}"


class WatchedPhrase(models.Model):
    """A phrase moderators watch for; read by the rule layer from the database, no deploy needed."""

    class Action(models.TextChoices):
        FLAG = "flag", _("Flag for review (the post appears; a moderator looks at it)")
        HOLD = "hold", _("Hold for approval (nobody else sees it until a moderator approves)")
        BLOCK = "block", _("Block, with a message to the writer")
        # The writer sees the crisis panel at once and moderators are alerted, as for any crisis.
        CRISIS = "crisis", _("Treat as a crisis (the post appears; the writer sees the crisis lines; moderators are alerted)")

    phrase = models.CharField(max_length=200)
    # The phrase as the rule layer normalises text: "Don’t  Go" and "dont go" are one phrase.
    phrase_key = models.CharField(max_length=200, unique=True)
    action = models.CharField(max_length=8, choices=Action.choices, default=Action.FLAG)
    message = models.CharField(
        _("message to the writer"), max_length=500, blank=True, help_text=_("Shown when a post is blocked.")
    )
    is_active = models.BooleanField(default=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+")
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["phrase_key"]

    def __str__(self) -> str:
        return f"watched phrase #{self.pk} ({self.action})"


class AuditEntry(models.Model):
    """One moderator action, sanction, or view of a member's private data. Append-only.

    Written only by moderation.services.audit, inside the transaction of the action it records,
    so the two commit or roll back together. Nothing on the site edits or deletes a row; deleting a
    member's account detaches them (`target_user` empty) and removes the words written about them.
    """

    class Action(models.TextChoices):
        FLAG_CLAIMED = "flag.claimed", _("Claimed a queue item")
        FLAG_RELEASED = "flag.released", _("Released a queue item")
        FLAG_REASSIGNED = "flag.reassigned", _("Reassigned a queue item")
        FLAG_DISMISSED = "flag.dismissed", _("Dismissed a queue item")
        FLAG_CONFIRMED = "flag.confirmed", _("Confirmed a queue item")
        CONTENT_HIDDEN = "content.hidden", _("Hid content")
        CONTENT_RESTORED = "content.restored", _("Restored content")
        CONTENT_HIDDEN_BY_FACILITATOR = "content.facilitator_hidden", _("A facilitator hid content")
        CONTENT_APPROVED = "content.approved", _("Approved held content")
        CONTENT_REJECTED = "content.rejected", _("Kept held content hidden")
        CASE_OPENED = "case.opened", _("Opened or joined a crisis case")
        CASE_NOTE = "case.note", _("Recorded on a crisis case")
        CASE_FOLLOW_UP = "case.follow_up", _("Scheduled a follow-up")
        CASE_CHECK_IN = "case.check_in", _("Sent a check-in")
        CASE_ANSWERED = "case.answered", _("Answered a member in their conversation")
        CASE_ACKNOWLEDGED = "case.acknowledged", _("Acknowledged a crisis case")
        CASE_CLOSED = "case.closed", _("Closed a crisis case")
        SANCTION_WARNING = "sanction.warning", _("Warned a member")
        SANCTION_CREATED = "sanction.created", _("Sanctioned a member")
        SANCTION_LIFTED = "sanction.lifted", _("Lifted a sanction")
        ROOM_MUTED = "room.muted", _("Muted someone in a live room")
        ROOM_UNMUTED = "room.unmuted", _("Unmuted someone in a live room")
        ROOM_REMOVED = "room.removed", _("Removed someone from a live room")
        NOTE_ADDED = "note.added", _("Wrote a note on a member")
        PHRASE_ADDED = "phrase.added", _("Added a watched phrase")
        PHRASE_CHANGED = "phrase.changed", _("Changed a watched phrase")
        REVIEW_DECIDED = "review.decided", _("Answered a review request")
        VIEWED_SAFETY_PLAN = "viewed.safety_plan", _("Viewed a member's safety plan")
        VIEWED_MEMBER = "viewed.member", _("Viewed a member's moderation record")
        VIEWED_CASE = "viewed.case", _("Viewed a crisis case")

    actor = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+")
    action = models.CharField(max_length=40, choices=Action.choices)
    target_user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="audit_entries_about"
    )
    group = models.ForeignKey("support_groups.SupportGroup", on_delete=models.SET_NULL, null=True, blank=True, related_name="+")
    # What was acted on, by kind and id ("flag", "post", "sanction", ...): ids only, never content.
    subject_kind = models.CharField(max_length=24, blank=True)
    subject_id = models.PositiveBigIntegerField(null=True, blank=True)
    reason = models.TextField(max_length=4000, blank=True)
    details = models.JSONField(default=dict, blank=True)
    created_at = models.DateTimeField(default=timezone.now, db_index=True)
    # Set when the member this entry was about deleted their account.
    target_erased = models.BooleanField(default=False)

    class Meta:
        ordering = ["-created_at", "-pk"]
        indexes = [models.Index(fields=["action", "created_at"]), models.Index(fields=["target_user", "created_at"])]
        verbose_name_plural = "audit entries"

    def __str__(self) -> str:
        return f"audit #{self.pk} ({self.action})"

    def save(self, *args, **kwargs) -> None:
        # Append-only: an entry is written once and never changed through the ORM's save().
        if self.pk is not None and not self._state.adding:
            raise ValueError("Audit entries are append-only.")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise ValueError("Audit entries are append-only.")
