"""The live room of a scheduled session: who may enter, presence, messages, facilitator controls.

The consumer (groups/consumers.py) is transport only: it calls these functions through
`database_sync_to_async` and forwards the events they publish. Every message is stored, with the
room's next `seq`, before it is broadcast (docs/room-protocol.md).
"""
import uuid
from dataclasses import dataclass, field
from typing import Any
from datetime import datetime, timedelta

from django.db import transaction
from django.db.models import Avg, Count, Q
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.permissions import user_is_moderator
from groups.models import GroupSession, Membership, RoomConnection, RoomMessage, RoomParticipant
from groups.services.sessions import member_local_time
from groups.session_models import CONNECTION_STALE_AFTER, ROOM_MESSAGE_MAX_LENGTH, CheckIn
from moderation.models import AuditEntry, ContentKind, RefusedPost, RiskLevel
from moderation.selectors import posting_restriction_get, suspension_in_force
from moderation.services import (
    audit_record,
    content_risk_assessment_request,
    content_screen,
    content_text_loader_register,
    crisis_panel_due,
    refused_post_assess,
    text_risk_level,
)
from platform_site.realtime import publish_on_commit, session_group_name

HISTORY_ON_JOIN = 50
RESUME_LIMIT = 500
SLOW_MODE_MAX_SECONDS = 600
EXTEND_MINUTES = (5, 60)

# Close codes (the browser sees them in CloseEvent.code); docs/room-protocol.md lists them.
CLOSE_NOT_FOUND = 4404
CLOSE_ROOM_CLOSED = 4409
CLOSE_SESSION_OVER = 4410
CLOSE_REMOVED = 4411

ROLE_MEMBER, ROLE_FACILITATOR, ROLE_MODERATOR = "member", "facilitator", "moderator"
LEADING_ROLES = (ROLE_FACILITATOR, ROLE_MODERATOR)


class RoomRefused(Exception):
    """The socket may not (or may no longer) be in the room: an error frame, then this close code."""

    def __init__(self, *, close_code: int, code: str, detail: str, **extra):
        super().__init__(detail)
        self.close_code, self.code, self.detail, self.extra = close_code, code, detail, extra


class RoomFrameError(Exception):
    """A frame the room cannot act on; the socket stays open. `extra` goes into the error frame."""

    def __init__(self, code: str, detail: str, **extra):
        super().__init__(detail)
        self.code, self.detail, self.extra = code, detail, extra


@dataclass
class Admission:
    session: GroupSession
    role: str


@dataclass
class Standing:
    """What one member in the room may do now, as their own `you` frame says."""

    muted: bool = False
    restricted: bool = False
    facilitator_present: bool = False
    locked: bool = False
    role: str = ROLE_MEMBER
    extra: dict = field(default_factory=dict)
    # The next moment the clock alone changes what this socket may do: the room's end, or the end
    # of the moderation limit on the member, whichever comes first.
    changes_at: datetime = field(default_factory=timezone.now)

    @property
    def read_only_reason(self) -> str | None:
        if self.role in LEADING_ROLES:
            return None
        if self.restricted:
            return "restricted"
        if self.muted:
            return "muted"
        if not self.facilitator_present:
            return "waiting_for_facilitator"
        if self.locked:
            return "locked"
        return None

    def frame(self) -> dict:
        reason = self.read_only_reason
        return {"type": "you", "muted": self.muted, "can_send": reason is None, "read_only_reason": reason}


# ----------------------------------------------------------------------------- roles and admission


def _facilitator_ids(session: GroupSession) -> set[int]:
    group_facilitators = Membership.objects.filter(
        group_id=session.group_id, role=Membership.Role.FACILITATOR, status=Membership.Status.ACTIVE
    ).values_list("user_id", flat=True)
    return set(session.facilitators.values_list("pk", flat=True)) | set(group_facilitators)


def room_role(*, session: GroupSession, user) -> str | None:
    """moderator, facilitator, member, or None for someone who may not be in this room."""
    if user_is_moderator(user):
        return ROLE_MODERATOR
    membership = Membership.objects.filter(group_id=session.group_id, user=user, status=Membership.Status.ACTIVE).first()
    if membership is None:
        return None
    if membership.is_facilitator or session.facilitators.filter(pk=user.pk).exists():
        return ROLE_FACILITATOR
    return ROLE_MEMBER


def room_admit(*, session_id: int, user, now: datetime | None = None) -> Admission:
    """Check that `user` may be in the room now. Raises RoomRefused with the close code to use."""
    now = now or timezone.now()
    session = GroupSession.objects.select_related("group").filter(pk=session_id).first()
    role = room_role(session=session, user=user) if session is not None else None
    if session is None or (role is None and session.group.is_private):
        # A private group's session does not exist for outsiders, as everywhere else.
        raise RoomRefused(close_code=CLOSE_NOT_FOUND, code="not_found", detail=_("There is no such session."))
    if role is None:
        raise RoomRefused(close_code=4403, code="forbidden", detail=_("Only members of this group can join its sessions."))
    if role != ROLE_MODERATOR and suspension_in_force(user=user, now=now) is not None:
        raise RoomRefused(close_code=4403, code="suspended", detail=_("Your account is suspended for now."))
    if RoomParticipant.objects.filter(session=session, user=user, removed_at__isnull=False).exists():
        raise RoomRefused(
            close_code=CLOSE_REMOVED, code="removed", detail=_("The facilitator removed you from this session.")
        )
    if session.status_at(now) in (GroupSession.Status.ENDED, GroupSession.Status.CANCELLED):
        raise session_over_refusal()
    if not session.room_is_open(now):
        raise RoomRefused(
            close_code=CLOSE_ROOM_CLOSED, code="room_closed",
            detail=_("The room opens at %(time)s, 10 minutes before the session.")
            % {"time": member_local_time(user, session.room_opens_at)},
            opens_at=session.room_opens_at.isoformat(),
        )
    return Admission(session=session, role=role)


# ----------------------------------------------------------------------------- frames


def _author_frame(message: RoomMessage, facilitator_ids: set[int]) -> dict:
    author = message.author
    if author is None:
        return {"user_id": None, "display_name": _("a former member"), "role": ROLE_MEMBER}
    role = ROLE_MODERATOR if author.is_moderator else ROLE_FACILITATOR if author.pk in facilitator_ids else ROLE_MEMBER
    return {"user_id": author.pk, "display_name": str(author.display_name), "role": role}


def message_frame(message: RoomMessage, facilitator_ids: set[int]) -> dict:
    return {
        "type": "message",
        "seq": message.seq,
        "id": message.pk,
        "author": _author_frame(message, facilitator_ids),
        "body": "" if message.hidden_at else message.body,
        "hidden": message.hidden_at is not None,
        "sent_at": message.created_at.isoformat(),
        "client_id": str(message.client_id),
    }


def room_history(*, session: GroupSession, after: int | None = None) -> dict:
    """The last messages on join, or everything after `after` on resume (up to RESUME_LIMIT)."""
    messages = RoomMessage.objects.filter(session=session).select_related("author__profile")
    if after is None:
        page = list(messages.order_by("-seq")[:HISTORY_ON_JOIN])[::-1]
        more = False
    else:
        page = list(messages.filter(seq__gt=after).order_by("seq")[: RESUME_LIMIT + 1])
        more = len(page) > RESUME_LIMIT
        page = page[:RESUME_LIMIT]
    facilitator_ids = _facilitator_ids(session)
    last_seq = GroupSession.objects.values_list("last_seq", flat=True).get(pk=session.pk)
    return {"type": "history", "messages": [message_frame(m, facilitator_ids) for m in page], "last_seq": last_seq, "more": more}


def session_over_refusal() -> RoomRefused:
    return RoomRefused(close_code=CLOSE_SESSION_OVER, code="session_over", detail=_("This session is over."))


def _fresh_connections(session: GroupSession):
    """The room's sockets seen lately: one left by a process that died stops counting."""
    return RoomConnection.objects.filter(session=session, last_seen_at__gte=timezone.now() - CONNECTION_STALE_AFTER)


def _facilitator_present(session: GroupSession) -> bool:
    """room_presence()'s `facilitator_present` in one EXISTS query, whatever the room's size.

    Checked on every member's message: reading the whole presence list there cost every message
    O(people in the room) rows, on the one thread that stores every message of the process.
    """
    leading = (
        Q(user__is_moderator=True)
        | Q(user__in=session.facilitators.values("pk"))
        | Q(user__in=Membership.objects.filter(
            group_id=session.group_id, role=Membership.Role.FACILITATOR, status=Membership.Status.ACTIVE
        ).values("user_id"))
    )
    # The same sockets as room_presence(): a facilitator whose process died must not keep the room
    # open for sending while everyone's screen says "waiting for the facilitator".
    return _fresh_connections(session).filter(leading).exists()


def room_presence(*, session: GroupSession) -> dict:
    facilitator_ids = _facilitator_ids(session)
    muted = set(RoomParticipant.objects.filter(session=session, muted=True).values_list("user_id", flat=True))
    seen: dict[int, dict] = {}
    for connection in _fresh_connections(session).select_related("user__profile").order_by("connected_at"):
        user = connection.user
        if user.pk in seen:
            continue  # a member with two tabs is here once
        role = ROLE_MODERATOR if user.is_moderator else ROLE_FACILITATOR if user.pk in facilitator_ids else ROLE_MEMBER
        seen[user.pk] = {"user_id": user.pk, "display_name": str(user.display_name), "role": role, "muted": user.pk in muted}
    participants = sorted(seen.values(), key=lambda p: p["display_name"].casefold())
    return {
        "type": "presence",
        "participants": participants,
        "facilitator_present": any(p["role"] in LEADING_ROLES for p in participants),
    }


def _round_frame(session: GroupSession) -> dict | None:
    if session.round_current_id is None and not session.round_queue:
        return None
    from accounts.models import User

    ids = ([session.round_current_id] if session.round_current_id else []) + list(session.round_queue)
    names = {u.pk: str(u.display_name) for u in User.objects.filter(pk__in=ids).select_related("profile")}
    current = {"user_id": session.round_current_id, "display_name": names.get(session.round_current_id, "")} if session.round_current_id else None
    return {"current": current, "remaining": [{"user_id": i, "display_name": names.get(i, "")} for i in session.round_queue]}


def room_state(*, session: GroupSession) -> dict:
    pinned = None
    if session.pinned_message_id:
        message = RoomMessage.objects.select_related("author__profile").filter(pk=session.pinned_message_id).first()
        pinned = message_frame(message, _facilitator_ids(session)) if message else None
    return {
        "type": "state",
        "locked": session.room_locked,
        "slow_mode_seconds": session.slow_mode_seconds,
        "pinned": pinned,
        "round": _round_frame(session),
        "ends_at": session.ends_at.isoformat(),
    }


def room_standing(*, session: GroupSession, user, role: str) -> Standing:
    participant = RoomParticipant.objects.filter(session=session, user=user).first()
    restriction = posting_restriction_get(user=user, group=session.group) if role == ROLE_MEMBER else None
    limit_ends_at = restriction.ends_at if restriction is not None else None
    return Standing(
        muted=bool(participant and participant.muted),
        restricted=restriction is not None,
        facilitator_present=_facilitator_present(session),
        locked=session.room_locked,
        role=role,
        changes_at=min(session.ends_at, limit_ends_at or session.ends_at),
    )


def room_clock(*, session_id: int, user, role: str, now: datetime | None = None) -> Standing | None:
    """One socket's standing read afresh, or None when the room's time is over.

    The consumer asks at its standing's `changes_at` (an extension has moved the end by then, or the
    moderation limit has ended) and when a moderator changes a limit on the member.
    """
    session = GroupSession.objects.select_related("group").filter(pk=session_id).first()
    if session is None or not session.room_is_open(now or timezone.now()):
        return None
    return room_standing(session=session, user=user, role=role)


# ----------------------------------------------------------------------------- joining and leaving


def _publish(session_id: int, event: dict) -> None:
    publish_on_commit(session_group_name(session_id), event)


def session_leaders_group_name(session_id: int) -> str:
    """The room's facilitators and moderators: what the members of the room must not see."""
    return f"{session_group_name(session_id)}-leaders"


def _tell_leaders_of_crisis(session_id: int, message: RoomMessage) -> None:
    """The room's leaders learn, privately, that this message raised a crisis alert (a moderator
    is alerted by the pipeline): ids only, never the score or the signals. The author's own sockets
    skip it; the author has the crisis panel."""
    publish_on_commit(
        session_leaders_group_name(session_id),
        {"type": "room.safety_notice", "message_id": message.pk, "author_id": message.author_id},
    )


def room_join(*, session: GroupSession, user, role: str, channel_name: str) -> dict:
    """Record the socket and return the frames the newcomer gets: welcome and history.

    Everyone (the newcomer included) then gets the new presence through the room's group.
    """
    with transaction.atomic():
        RoomParticipant.objects.get_or_create(session=session, user=user)
        RoomConnection.objects.update_or_create(channel_name=channel_name, defaults={"session": session, "user": user})
        _publish(session.pk, {**room_presence(session=session), "type": "room.presence"})
    standing = room_standing(session=session, user=user, role=role)
    you = standing.frame()
    phases = set(CheckIn.objects.filter(session=session, user=user).values_list("phase", flat=True))
    welcome = {
        "type": "welcome",
        "session": {
            "id": session.pk, "title": session.title, "ends_at": session.ends_at.isoformat(),
            "locked": session.room_locked, "slow_mode_seconds": session.slow_mode_seconds,
        },
        "you": {
            "user_id": user.pk, "display_name": str(user.display_name), "role": role, "muted": standing.muted,
            "can_send": you["can_send"], "read_only_reason": you["read_only_reason"],
            "checked_in": CheckIn.Phase.IN in phases, "checked_out": CheckIn.Phase.OUT in phases,
        },
        "last_seq": GroupSession.objects.values_list("last_seq", flat=True).get(pk=session.pk),
    }
    return {"welcome": welcome, "history": room_history(session=session), "state": room_state(session=session)}


def room_leave(*, session_id: int, channel_name: str) -> None:
    with transaction.atomic():
        deleted, _ = RoomConnection.objects.filter(channel_name=channel_name).delete()
        if deleted:
            session = GroupSession.objects.get(pk=session_id)
            _publish(session_id, {**room_presence(session=session), "type": "room.presence"})


# ----------------------------------------------------------------------------- messages


def _clean_body(body) -> str:
    if not isinstance(body, str):
        raise RoomFrameError("invalid", _("A message body is text."))
    body = body.strip()
    if not body:
        raise RoomFrameError("empty", _("Write something before sending."))
    if len(body) > ROOM_MESSAGE_MAX_LENGTH:
        raise RoomFrameError(
            "too_long", _("Messages are at most %(max)d characters; this one has %(count)d.") % {"max": ROOM_MESSAGE_MAX_LENGTH, "count": len(body)}
        )
    return body


def _screen(body: str) -> None:
    """The moderators' watched phrases: a blocked one refuses with their message. A live room can't
    wait for a moderator's approval, so a "hold" phrase refuses too, saying where it can wait."""
    screening = content_screen(text=body)
    if screening.blocked_message:
        raise RoomFrameError("blocked", screening.blocked_message)
    if screening.hold:
        raise RoomFrameError(
            "needs_approval",
            _("This message needs a moderator's approval first, which a live room can't wait for, so it was not sent. "
              "You can post it in the group's forum, where it waits for approval."),
        )


def _clean_client_id(client_id) -> uuid.UUID:
    try:
        return uuid.UUID(str(client_id))
    except (ValueError, TypeError):
        raise RoomFrameError("invalid", _("client_id must be a UUID.")) from None


@dataclass
class _SendFacts:
    """What a batch's messages share, read at most once per batch rather than once per message."""

    session: GroupSession
    _facilitator_present: bool | None = None
    _restrictions: dict = field(default_factory=dict)

    def facilitator_present(self) -> bool:
        if self._facilitator_present is None:
            self._facilitator_present = _facilitator_present(self.session)
        return self._facilitator_present

    def restricted(self, user) -> bool:
        if user.pk not in self._restrictions:
            self._restrictions[user.pk] = posting_restriction_get(user=user, group=self.session.group) is not None
        return self._restrictions[user.pk]


def _check_may_send(*, facts: _SendFacts, user, role: str, participant: RoomParticipant, now: datetime) -> None:
    session = facts.session
    if participant.removed_at is not None:
        raise RoomRefused(close_code=CLOSE_REMOVED, code="removed", detail=_("The facilitator removed you from this session."))
    if not session.room_is_open(now):
        raise session_over_refusal()
    if role in LEADING_ROLES:
        return
    if facts.restricted(user):
        raise RoomFrameError("restricted", _("You can read, but not write, for now; a moderator has told you why."))
    if participant.muted:
        raise RoomFrameError("muted", _("The facilitator has muted you for now. You can still read along."))
    if not facts.facilitator_present():
        raise RoomFrameError("read_only", _("Waiting for the facilitator: the room is read-only until they arrive."))
    if session.room_locked:
        raise RoomFrameError("locked", _("The facilitator has locked the room for now."))
    if session.slow_mode_seconds and participant.last_message_at:
        wait = participant.last_message_at + timedelta(seconds=session.slow_mode_seconds) - now
        if wait > timedelta(0):
            seconds = int(wait.total_seconds()) + 1
            raise RoomFrameError("slow_mode", _("Slow mode: you can send again in %(s)d seconds.") % {"s": seconds}, retry_after=seconds)


@dataclass
class SentMessage:
    message: RoomMessage
    duplicate: bool
    show_crisis_panel: bool


@dataclass
class MessageToSend:
    """One member's message as it arrived on their socket, not yet checked or stored."""

    user: Any
    role: str
    body: Any
    client_id: Any


@dataclass
class _CheckedSend:
    index: int
    send: MessageToSend
    client_uuid: uuid.UUID
    body: str
    risk_level: str


# Why a room refused a message, as the moderators read it on a refused crisis message.
_REFUSAL_REASONS = {
    "restricted": RefusedPost.Reason.RESTRICTED,
    "muted": RefusedPost.Reason.ROOM_MUTED,
    "read_only": RefusedPost.Reason.ROOM_PAUSED,
    "locked": RefusedPost.Reason.ROOM_PAUSED,
    "slow_mode": RefusedPost.Reason.RATE_LIMITED,
}


SendOutcome = SentMessage | RoomFrameError | RoomRefused


def room_message_send(*, session_id: int, user, role: str, body, client_id, now: datetime | None = None) -> SentMessage:
    """Store one message with the room's next seq, then (after commit) broadcast it.

    A retried `client_id` returns the stored message and stores nothing. Raises RoomFrameError
    when the member may not send now, RoomRefused when they may no longer be in the room.
    """
    [outcome] = room_messages_send(session_id=session_id, sends=[MessageToSend(user, role, body, client_id)], now=now)
    if isinstance(outcome, Exception):
        raise outcome
    return outcome


def room_messages_send(*, session_id: int, sends: list[MessageToSend], now: datetime | None = None) -> list[SendOutcome]:
    """Store messages that arrived together for one room in one transaction, in arrival order.

    One outcome per message, in the same order: the stored (or, for a retried `client_id`, the
    earlier) message, or the refusal for that message alone; one member's refusal never costs
    another's message. Each stored message is broadcast after the commit and enters the risk
    pipeline. A busy room thus takes the room lock, a connection and a commit once per batch
    rather than once per message. A database error raises and stores none of them.
    """
    now = now or timezone.now()
    outcomes: list[SendOutcome | None] = [None] * len(sends)
    checked: list[_CheckedSend] = []
    for index, send in enumerate(sends):
        try:
            body = _clean_body(send.body)
            if send.role != ROLE_MODERATOR:
                _screen(body)
            client_uuid = _clean_client_id(send.client_id)
        except RoomFrameError as refusal:
            outcomes[index] = refusal
            continue
        # Rated before the room's lock is taken: the writer's crisis panel rides on the ack, or
        # on the refusal when the room cannot take the message.
        checked.append(_CheckedSend(index, send, client_uuid, body, text_risk_level(text=body)))
    refused_in_crisis: list[_CheckedSend] = []
    if checked:
        with transaction.atomic():
            # The session row is the room's lock: seq numbers are handed out one at a time.
            session = GroupSession.objects.select_for_update().select_related("group").get(pk=session_id)
            first_seq, broadcast, facts = session.last_seq, [], _SendFacts(session)
            for item in checked:
                outcome = _message_store(facts=facts, item=item, now=now, broadcast=broadcast)
                if isinstance(outcome, RoomFrameError) and item.risk_level == RiskLevel.CRISIS:
                    outcome.extra["show_crisis_panel"] = True
                    refused_in_crisis.append(item)
                outcomes[item.index] = outcome
            if session.last_seq != first_seq:
                session.save(update_fields=["last_seq"])
        for item in refused_in_crisis:
            # Nobody in the room sees these words; a moderator does, as for a crisis posted.
            refused_post_assess(
                author=item.send.user, group=session.group, where=RefusedPost.Where.ROOM, body=item.body,
                reason=_REFUSAL_REASONS.get(outcomes[item.index].code, RefusedPost.Reason.ROOM_PAUSED),
                level=item.risk_level,
            )
    return outcomes  # type: ignore[return-value]


def _message_store(*, facts: _SendFacts, item: _CheckedSend, now: datetime, broadcast: list[dict]) -> SendOutcome:
    session, send, client_uuid, body = facts.session, item.send, item.client_uuid, item.body
    user = send.user
    existing = RoomMessage.objects.filter(session=session, author=user, client_id=client_uuid).first()
    if existing is not None:
        return SentMessage(message=existing, duplicate=True, show_crisis_panel=False)
    participant, _created = RoomParticipant.objects.get_or_create(session=session, user=user)
    try:
        _check_may_send(facts=facts, user=user, role=send.role, participant=participant, now=now)
    except (RoomFrameError, RoomRefused) as refusal:
        return refusal
    session.last_seq += 1
    message = RoomMessage.objects.create(session=session, seq=session.last_seq, author=user, body=body, client_id=client_uuid, created_at=now)
    participant.last_message_at = now
    participant.save(update_fields=["last_message_at"])
    if not broadcast:
        # One event carries the whole batch, so every socket in the room handles one event per
        # batch rather than one per message. Registered with the first message, so it goes out
        # before the risk requests: on-commit callbacks run in order, and the room should not
        # wait for the tasks to be queued (a broker round trip and an UPDATE each).
        _publish(session.pk, {"type": "room.messages_sent", "messages": broadcast})
    # The sender's role was settled on admission; no need to look the facilitators up again.
    author_is_facilitator = {user.pk} if send.role == ROLE_FACILITATOR else set()
    broadcast.append(message_frame(message, author_is_facilitator))
    content_risk_assessment_request(
        kind=ContentKind.ROOM_MESSAGE, content_id=message.pk, version=1, author=user, group=session.group,
        immediate_level=item.risk_level,
    )
    sent = SentMessage(message=message, duplicate=False, show_crisis_panel=crisis_panel_due(item.risk_level))
    if sent.show_crisis_panel:
        _tell_leaders_of_crisis(session.pk, message)
    return sent


def _room_message_text(message_id: int, version: int) -> str | None:
    # Hidden or not: a message hidden before the worker read it is still assessed.
    message = RoomMessage.objects.filter(pk=message_id).only("body").first()
    return message.body if message is not None and message.body and version == 1 else None


content_text_loader_register(ContentKind.ROOM_MESSAGE, _room_message_text)


def room_message_report(*, session: GroupSession, reporter, message_id, reason, note="") -> None:
    from moderation.services import report_create

    message = RoomMessage.objects.filter(pk=message_id if isinstance(message_id, int) else -1, session=session).first()
    if message is None:
        raise RoomFrameError("not_found", _("That message is not in this room."))
    try:
        report_create(reporter=reporter, room_message=message, reason=str(reason), note=str(note or "")[:1000])
    except Exception as error:  # ValidationError: its message is written for the member
        messages = getattr(error, "messages", None)
        if messages is None:
            raise
        raise RoomFrameError("invalid", " ".join(messages)) from None


# ----------------------------------------------------------------------------- check-in and check-out


def room_check_in(*, session: GroupSession, user, phase, feel, connected, words) -> CheckIn:
    if phase not in CheckIn.Phase.values:
        raise RoomFrameError("invalid", _("phase is \"in\" or \"out\"."))
    for name, value in (("feel", feel), ("connected", connected)):
        if not isinstance(value, int) or isinstance(value, bool) or not 0 <= value <= 10:
            raise RoomFrameError("invalid", _("%(name)s is a whole number from 0 to 10.") % {"name": name})
    if not isinstance(words, list) or any(word not in CheckIn.FEELING_WORDS for word in words):
        raise RoomFrameError("invalid", _("Pick feeling words from the list."))
    with transaction.atomic():
        check_in, _created = CheckIn.objects.update_or_create(
            session=session, user=user, phase=phase,
            defaults={"feel": feel, "connected": connected, "words": sorted(set(words))},
        )
        _publish(session.pk, {**check_in_summary(session=session, phase=phase), "type": "room.check_in_summary"})
    return check_in


def check_in_summary(*, session: GroupSession, phase: str) -> dict:
    """The group's averages for one phase, without names (facilitators and moderators see it)."""
    rows = CheckIn.objects.filter(session=session, phase=phase)
    figures = rows.aggregate(count=Count("pk"), feel=Avg("feel"), connected=Avg("connected"))
    words: dict[str, int] = {}
    for chosen in rows.values_list("words", flat=True):
        for word in chosen:
            words[word] = words.get(word, 0) + 1
    return {
        "phase": phase,
        "count": figures["count"],
        "feel_average": round(figures["feel"], 1) if figures["feel"] is not None else None,
        "connected_average": round(figures["connected"], 1) if figures["connected"] is not None else None,
        "words": dict(sorted(words.items(), key=lambda item: (-item[1], item[0]))),
    }


# ----------------------------------------------------------------------------- facilitator controls


# Who may mute or remove whom: a facilitator steers members; a moderator also steers facilitators.
_ROLE_RANK = {ROLE_MEMBER: 0, ROLE_FACILITATOR: 1, ROLE_MODERATOR: 2}


def _target(session: GroupSession, actor, user_id) -> RoomParticipant:
    if not isinstance(user_id, int) or isinstance(user_id, bool):
        raise RoomFrameError("invalid", _("user_id is a number."))
    participant = RoomParticipant.objects.filter(session=session, user_id=user_id).select_related("user").first()
    if participant is None:
        raise RoomFrameError("not_found", _("That person has not been in this room."))
    if participant.user_id != actor.pk:
        target_role = room_role(session=session, user=participant.user) or ROLE_MEMBER
        if _ROLE_RANK[target_role] >= _ROLE_RANK[room_role(session=session, user=actor)]:
            raise RoomFrameError("not_allowed", _("You can't mute or remove someone who leads this room with you."))
    return participant


def _system(session_id: int, detail: str) -> None:
    _publish(session_id, {"type": "room.system", "detail": detail})


def room_control(*, session_id: int, actor, role: str, command: str, content: dict) -> None:
    """A facilitator's or moderator's control of the room. Raises RoomFrameError for a bad one."""
    if role not in LEADING_ROLES:
        raise RoomFrameError("not_allowed", _("Only the facilitator can do that."))
    with transaction.atomic():
        session = GroupSession.objects.select_for_update().select_related("group").get(pk=session_id)
        # A socket left open past the end must not reopen the room (extend) or steer a closed one.
        if not session.room_is_open(timezone.now()):
            raise session_over_refusal()
        handler = _CONTROLS[command]
        participant = handler(session, actor, content)
        if command in _AUDITED_CONTROLS:
            # A hand on a person is in the audit log, a facilitator's as a moderator's: moderators
            # review facilitators' mutes and removals as they review their hidden posts.
            audit_record(
                actor=actor, action=_AUDITED_CONTROLS[command], target_user=participant.user, group=session.group,
                subject=session,
            )
        session.save()
        _publish(session.pk, {**room_state(session=session), "type": "room.state"})


def _mute(session, actor, content, *, muted: bool) -> RoomParticipant:
    participant = _target(session, actor, content.get("user_id"))
    participant.muted = muted
    participant.save(update_fields=["muted"])
    _publish(session.pk, {"type": "room.participant_changed", "user_id": participant.user_id, "muted": muted})
    _publish(session.pk, {**room_presence(session=session), "type": "room.presence"})
    return participant


def _remove(session, actor, content) -> RoomParticipant:
    participant = _target(session, actor, content.get("user_id"))
    if participant.user_id == actor.pk:
        raise RoomFrameError("invalid", _("You can't remove yourself; leave the room instead."))
    participant.removed_at = timezone.now()
    participant.save(update_fields=["removed_at"])
    RoomConnection.objects.filter(session=session, user_id=participant.user_id).delete()
    _publish(session.pk, {"type": "room.removed", "user_id": participant.user_id})
    _publish(session.pk, {**room_presence(session=session), "type": "room.presence"})
    return participant


def _lock(session, actor, content, *, locked: bool) -> None:
    session.room_locked = locked
    _system(session.pk, _("The facilitator locked the room for now.") if locked else _("The room is open for messages again."))


def _slow_mode(session, actor, content) -> None:
    seconds = content.get("seconds")
    if not isinstance(seconds, int) or isinstance(seconds, bool) or not 0 <= seconds <= SLOW_MODE_MAX_SECONDS:
        raise RoomFrameError("invalid", _("Slow mode is 0 to %(max)d seconds.") % {"max": SLOW_MODE_MAX_SECONDS})
    session.slow_mode_seconds = seconds
    _system(session.pk, _("Slow mode: one message every %(s)d seconds each.") % {"s": seconds} if seconds else _("Slow mode is off."))


def _pin(session, actor, content) -> None:
    message_id = content.get("message_id")
    message = RoomMessage.objects.filter(pk=message_id if isinstance(message_id, int) else -1, session=session).first()
    if message is None:
        raise RoomFrameError("not_found", _("That message is not in this room."))
    session.pinned_message = message


def _unpin(session, actor, content) -> None:
    session.pinned_message = None


def _round_start(session, actor, content) -> None:
    present = room_presence(session=session)["participants"]
    queue = [p["user_id"] for p in present if p["role"] == ROLE_MEMBER]
    if not queue:
        raise RoomFrameError("invalid", _("Nobody is here for a round yet."))
    session.round_current_id, session.round_queue = queue[0], queue[1:]
    _system(session.pk, _("A round has started: each person is invited in turn, and may pass."))


def _round_next(session, actor, content) -> None:
    if session.round_current_id is None:
        raise RoomFrameError("invalid", _("No round is running."))
    queue = list(session.round_queue)
    session.round_current_id = queue.pop(0) if queue else None
    session.round_queue = queue
    if session.round_current_id is None:
        _system(session.pk, _("The round is complete. Thank you, everyone."))


def _round_end(session, actor, content) -> None:
    if session.round_current_id is None and not session.round_queue:
        raise RoomFrameError("invalid", _("No round is running."))
    session.round_current_id, session.round_queue = None, []
    _system(session.pk, _("The facilitator ended the round. Thank you, everyone."))


def _end(session, actor, content) -> None:
    session.status = GroupSession.Status.ENDED
    session.ended_at = timezone.now()
    _publish(session.pk, {"type": "room.ended", "detail": _("The facilitator ended the session. Thank you for being here.")})


def _extend(session, actor, content) -> None:
    minutes = content.get("minutes")
    low, high = EXTEND_MINUTES
    if not isinstance(minutes, int) or isinstance(minutes, bool) or not low <= minutes <= high:
        raise RoomFrameError("invalid", _("Extend by %(low)d to %(high)d minutes.") % {"low": low, "high": high})
    session.extended_minutes += minutes
    _system(session.pk, _("The session was extended by %(m)d minutes.") % {"m": minutes})


_CONTROLS = {
    "mute": lambda s, a, c: _mute(s, a, c, muted=True),
    "unmute": lambda s, a, c: _mute(s, a, c, muted=False),
    "remove": _remove,
    "lock": lambda s, a, c: _lock(s, a, c, locked=True),
    "unlock": lambda s, a, c: _lock(s, a, c, locked=False),
    "slow_mode": _slow_mode,
    "pin": _pin,
    "unpin": _unpin,
    "round_start": _round_start,
    "round_next": _round_next,
    "round_end": _round_end,
    "end": _end,
    "extend": _extend,
}
ROOM_CONTROLS = frozenset(_CONTROLS)
_AUDITED_CONTROLS = {
    "mute": AuditEntry.Action.ROOM_MUTED, "unmute": AuditEntry.Action.ROOM_UNMUTED, "remove": AuditEntry.Action.ROOM_REMOVED,
}


def room_round_pass(*, session_id: int, user) -> None:
    """The member invited in a round passes; the next person is invited."""
    with transaction.atomic():
        session = GroupSession.objects.select_for_update().get(pk=session_id)
        if session.round_current_id != user.pk:
            raise RoomFrameError("invalid", _("It isn't your turn in the round."))
        _round_next(session, user, {})
        session.save(update_fields=["round_current", "round_queue"])
        _publish(session.pk, {**room_state(session=session), "type": "room.state"})


def room_connection_seen(*, channel_name: str) -> None:
    """A ping from the socket: it is still there."""
    RoomConnection.objects.filter(channel_name=channel_name).update(last_seen_at=timezone.now())


def room_connections_sweep(*, now: datetime | None = None) -> int:
    """Forget sockets left behind by a web process that died (beat, every minute)."""
    now = now or timezone.now()
    deleted, _ = RoomConnection.objects.filter(last_seen_at__lt=now - CONNECTION_STALE_AFTER).delete()
    return deleted


__all__ = [
    "Admission", "RoomFrameError", "RoomRefused", "ROOM_CONTROLS", "SentMessage", "Standing", "check_in_summary",
    "message_frame", "room_admit", "room_check_in", "room_control", "room_history", "room_join", "room_leave",
    "room_connection_seen", "room_connections_sweep", "room_message_report", "room_message_send", "room_messages_send", "room_presence",
    "room_clock", "room_role", "room_round_pass", "room_standing", "session_over_refusal",
    "room_state",
]
