"""/ws/sessions/<id>/: the live room. Transport only; every decision is in groups/services/rooms.py.

docs/room-protocol.md describes every frame.
"""
import asyncio
import contextlib
import dataclasses
import logging
import time
import uuid
from typing import Any

from channels.consumer import get_handler_name
from channels.db import database_sync_to_async
from django.utils import timezone

from accounts.sessions import socket_session_ended
from groups.room_writer import room_message_store
from groups.services import rooms
from platform_site.consumers import CLOSE_NOT_AUTHENTICATED, ThawJsonConsumer
from platform_site.realtime import publish_failures_listen, session_group_name, user_group_name

logger = logging.getLogger(__name__)

# A client may send a burst, not a flood: 10 frames a second on average, 20 at once.
FRAMES_PER_SECOND = 10
FRAME_BURST = 20
# A client that does not read its socket for this long is closed (it reconnects and resumes), so a
# slow reader can never make the server hold an ever-growing queue of frames for it.
SEND_TIMEOUT_SECONDS = 10
# The room's clock wakes a moment after the moment it waits for, so that moment has surely passed.
CLOCK_SLACK_SECONDS = 0.5

# How often a process checks that its channel layer (Redis) still carries events, and how long a
# probe may take; a failed publish checks at once.
LIVE_PROBE_EVERY_SECONDS = 2.0
LIVE_PROBE_TIMEOUT_SECONDS = 3.0
LIVE_PAUSED = {
    "type": "error", "code": "live_paused",
    "detail": "Live chat is paused: messages are saved, and will show when it's back.",
}
LIVE_RESUMED = {"type": "system", "code": "live_resumed", "detail": "Live chat is back."}
# What a facilitator or moderator in the room reads beside a message that raised a crisis alert.
SAFETY_NOTICE_DETAIL = "This message raised a crisis alert. A moderator has been told."

CLIENT_FRAMES_NEEDING = {"message": ("body", "client_id"), "resume": ("after",), "report": ("message_id", "reason")}


class LiveWatch:
    """Whether this process's channel layer delivers, for the room sockets it serves (one per event loop).

    With Redis down the database still works: messages are stored and acked, but nobody else sees
    them. Rather than a room that only looks quiet, every socket here is told live chat is paused
    (`live_paused`), and told again when it is back (`live_resumed`: the client then asks for what
    it missed with `resume`). The check is an event the process sends itself through the layer,
    every few seconds while it has room sockets, and at once after a failed publish.
    """

    def __init__(self, layer) -> None:
        self.layer = layer
        self.sockets: set[SessionRoomConsumer] = set()
        self.live = True
        self.wake = asyncio.Event()
        loop = asyncio.get_running_loop()
        self.stop_listening = publish_failures_listen(lambda: loop.call_soon_threadsafe(self.wake.set))
        self.task = asyncio.create_task(self._run())

    def remove(self, consumer: "SessionRoomConsumer") -> None:
        self.sockets.discard(consumer)
        if not self.sockets:
            self.task.cancel()
            self.stop_listening()
            _watches.pop(id(asyncio.get_running_loop()), None)

    async def _run(self) -> None:
        channel = None
        while True:
            try:
                channel = channel or await self.layer.new_channel("live-probe.")
                live = await self._probe(channel)
            except Exception:  # Redis refused: the layer is down
                live = False
            if not live:
                channel = None  # the layer may have dropped it; a new one when Redis is back
            await self._set_live(live)
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self.wake.wait(), LIVE_PROBE_EVERY_SECONDS)
            self.wake.clear()

    async def _probe(self, channel: str) -> bool:
        token = uuid.uuid4().hex
        await self.layer.send(channel, {"type": "live.probe", "token": token})
        try:
            async with asyncio.timeout(LIVE_PROBE_TIMEOUT_SECONDS):
                while (await self.layer.receive(channel)).get("token") != token:
                    pass  # an older probe's answer
        except TimeoutError:
            return False
        return True

    async def _set_live(self, live: bool) -> None:
        if live == self.live:
            return
        self.live = live
        logger.warning("channel layer %s: live room chat %s", "back" if live else "unavailable", "resumed" if live else "paused")
        for consumer in list(self.sockets):
            await (consumer.live_resumed() if live else consumer.live_paused())


# One watch per event loop (a process serves its sockets from one loop).
_watches: dict[int, LiveWatch] = {}


def _live_watch(layer) -> LiveWatch:
    key = id(asyncio.get_running_loop())
    if key not in _watches:
        _watches[key] = LiveWatch(layer)
    return _watches[key]


class SessionRoomConsumer(ThawJsonConsumer):
    session_id: int
    role: str
    standing: rooms.Standing

    async def dispatch(self, message: dict[str, Any]) -> None:
        # Channels' own dispatch first hops to the database thread to close stale connections
        # (aclose_old_connections), before every event. Here that is one hop per delivery, through
        # the one thread that also stores every message of every room in this process: in a
        # 200-member room each message queued 200 such hops ahead of the next message to store.
        # Every database call of this consumer goes through database_sync_to_async, which closes
        # stale connections itself before and after each call, so the hop adds nothing here.
        handler = getattr(self, get_handler_name(message), None)
        if handler is None:
            raise ValueError(f"No handler for message type {message['type']}")
        await handler(message)

    # ------------------------------------------------------------------------- connection
    async def connect(self) -> None:
        self.session_id = int(self.scope["url_route"]["kwargs"]["session_id"])
        self.user = self.scope.get("user")
        self.joined = False
        self.tokens, self.tokens_at = float(FRAME_BURST), time.monotonic()
        if self.user is None or not self.user.is_authenticated:
            await self.refuse(close_code=CLOSE_NOT_AUTHENTICATED, code="not_authenticated", detail="Please sign in again.")
            return
        try:
            admission = await database_sync_to_async(rooms.room_admit)(session_id=self.session_id, user=self.user)
        except rooms.RoomRefused as refusal:
            await self._refuse_with(refusal)
            return
        self.session, self.role = admission.session, admission.role
        self.standing = rooms.Standing(role=self.role)
        self.room_group = session_group_name(self.session_id)
        await self.accept()
        self.accepted = True
        grouped = await self._join_groups()
        frames = await database_sync_to_async(rooms.room_join)(
            session=self.session, user=self.user, role=self.role, channel_name=self.channel_name
        )
        self.joined = True
        self.standing = await database_sync_to_async(rooms.room_standing)(session=self.session, user=self.user, role=self.role)
        for name in ("welcome", "history", "state"):
            await self.send_json(frames[name])
        self._clock_restart()
        self.watch = _live_watch(self.channel_layer)
        self.watch.sockets.add(self)
        if not grouped:
            self.watch.wake.set()
        if not grouped or not self.watch.live:
            await self.send_json(LIVE_PAUSED)

    async def _join_groups(self) -> bool:
        """Join the room's and the user's groups; False when the layer is down (joined again when it is back)."""
        try:
            await self.channel_layer.group_add(self.room_group, self.channel_name)
            await self.channel_layer.group_add(user_group_name(self.user.pk), self.channel_name)
            if self.role in rooms.LEADING_ROLES:
                await self.channel_layer.group_add(rooms.session_leaders_group_name(self.session_id), self.channel_name)
        except Exception:
            return False
        return True

    async def live_paused(self) -> None:
        await self.send_json(LIVE_PAUSED)

    async def live_resumed(self) -> None:
        # A Redis that restarted empty no longer knows this socket's groups (the core layer keeps them there).
        await self._join_groups()
        await self.send_json(LIVE_RESUMED)
        # Presence changes sent while the layer was down were lost; this one is current.
        await self.send_json(await database_sync_to_async(rooms.room_presence)(session=self.session))

    async def _refuse_with(self, refusal: "rooms.RoomRefused") -> None:
        """Say why, then close with the refusal's code (accepting first if the socket is new)."""
        if not getattr(self, "accepted", False):
            await self.accept()
        await self.send_json({"type": "error", "code": refusal.code, "detail": refusal.detail, **refusal.extra})
        await self.close(code=refusal.close_code)

    async def disconnect(self, code: int) -> None:
        if not getattr(self, "joined", False):
            return
        self.joined = False
        if getattr(self, "clock", None) is not None:
            self.clock.cancel()
        if getattr(self, "watch", None) is not None:
            self.watch.remove(self)
        with contextlib.suppress(Exception):  # the layer may be down; the socket leaves the room all the same
            await self.channel_layer.group_discard(self.room_group, self.channel_name)
            await self.channel_layer.group_discard(user_group_name(self.user.pk), self.channel_name)
            if self.role in rooms.LEADING_ROLES:
                await self.channel_layer.group_discard(rooms.session_leaders_group_name(self.session_id), self.channel_name)
        await database_sync_to_async(rooms.room_leave)(session_id=self.session_id, channel_name=self.channel_name)

    async def send_json(self, content: dict[str, Any], close: bool = False) -> None:
        try:
            await asyncio.wait_for(super().send_json(content, close=close), SEND_TIMEOUT_SECONDS)
        except TimeoutError:
            logger.info("room %s: closing a socket that stopped reading", getattr(self, "session_id", "?"))
            await self.close(code=4408)

    # ------------------------------------------------------------------------- the clock
    def _clock_restart(self) -> None:
        if getattr(self, "clock", None) is not None:
            self.clock.cancel()
        self.clock = asyncio.create_task(self._keep_time())

    async def _keep_time(self) -> None:
        """Close the socket when the room's time is over, and lift a moderation limit when it ends.

        Nothing else would: a member reading quietly sends no frame that could be refused. The
        standing says when the clock next matters; read afresh then, an extension or a lifted
        limit has already moved that moment.
        """
        while True:
            wait = (self.standing.changes_at - timezone.now()).total_seconds()
            await asyncio.sleep(max(0.0, wait) + CLOCK_SLACK_SECONDS)
            standing = await database_sync_to_async(rooms.room_clock)(session_id=self.session_id, user=self.user, role=self.role)
            if standing is None:
                await self._refuse_with(rooms.session_over_refusal())
                return
            await self._replace_standing(standing)

    # ------------------------------------------------------------------------- client frames
    def _over_rate(self) -> bool:
        now = time.monotonic()
        self.tokens = min(float(FRAME_BURST), self.tokens + (now - self.tokens_at) * FRAMES_PER_SECOND)
        self.tokens_at = now
        if self.tokens < 1:
            return True
        self.tokens -= 1
        return False

    async def receive_json(self, content: dict[str, Any], **kwargs) -> None:
        if not self.joined:
            return
        kind = content["type"]
        if self._over_rate():
            await self._frame_error(rooms.RoomFrameError("too_fast", "Too many frames; slow down a little.", retry_after=1), content)
            return
        missing = [name for name in CLIENT_FRAMES_NEEDING.get(kind, ()) if name not in content]
        if missing:
            await self._frame_error(rooms.RoomFrameError("missing_field", f"This frame needs: {', '.join(missing)}."), content)
            return
        try:
            await self._dispatch(kind, content)
        except rooms.RoomFrameError as error:
            await self._frame_error(error, content)
        except rooms.RoomRefused as refusal:
            await self._refuse_with(refusal)

    async def _frame_error(self, error: "rooms.RoomFrameError", content: dict) -> None:
        frame = {"type": "error", "code": error.code, "detail": error.detail, **error.extra}
        if content.get("type") == "message" and isinstance(content.get("client_id"), str):
            frame["client_id"] = content["client_id"][:64]
        await self.send_json(frame)

    async def _dispatch(self, kind: str, content: dict) -> None:
        if kind == "ping":
            await database_sync_to_async(rooms.room_connection_seen)(channel_name=self.channel_name)
            await self.send_json({"type": "pong"})
        elif kind == "message":
            await self._send_message(content)
        elif kind == "resume":
            after = content["after"]
            if not isinstance(after, int) or isinstance(after, bool) or after < 0:
                raise rooms.RoomFrameError("invalid", "after is the last seq you saw (a whole number).")
            await self.send_json(await database_sync_to_async(rooms.room_history)(session=self.session, after=after))
        elif kind == "check_in":
            await database_sync_to_async(rooms.room_check_in)(
                session=self.session, user=self.user, phase=content.get("phase"), feel=content.get("feel"),
                connected=content.get("connected"), words=content.get("words", []),
            )
            done = "Thank you for checking out." if content.get("phase") == "out" else "Thank you for checking in."
            await self.send_json({"type": "system", "detail": done})
        elif kind == "report":
            await database_sync_to_async(rooms.room_message_report)(
                session=self.session, reporter=self.user, message_id=content["message_id"],
                reason=content["reason"], note=content.get("note", ""),
            )
            await self.send_json({"type": "system", "detail": "Thank you. A moderator will look at it; the author is not told who reported."})
        elif kind == "round_pass":
            await database_sync_to_async(rooms.room_round_pass)(session_id=self.session_id, user=self.user)
        elif kind in rooms.ROOM_CONTROLS:
            await database_sync_to_async(rooms.room_control)(
                session_id=self.session_id, actor=self.user, role=self.role, command=kind, content=content
            )
        else:
            raise rooms.RoomFrameError("unknown_type", f"Unknown frame type: {kind[:40]!r}.")

    async def _send_message(self, content: dict) -> None:
        sent = await room_message_store(
            session_id=self.session_id,
            message=rooms.MessageToSend(user=self.user, role=self.role, body=content["body"], client_id=content["client_id"]),
        )
        if isinstance(sent, Exception):  # refused or not saved: never let the client think it was sent
            raise sent
        message = sent.message
        await self.send_json({
            "type": "ack", "client_id": str(message.client_id), "seq": message.seq, "id": message.pk,
            "duplicate": sent.duplicate, "show_crisis_panel": sent.show_crisis_panel,
        })

    # ------------------------------------------------------------------------- room events
    async def room_messages_sent(self, event: dict[str, Any]) -> None:
        for message in event["messages"]:
            await self.send_json(message)

    async def room_presence(self, event: dict[str, Any]) -> None:
        await self.send_json(event | {"type": "presence"})
        await self._update_standing(facilitator_present=event["facilitator_present"])

    async def room_state(self, event: dict[str, Any]) -> None:
        await self.send_json(event | {"type": "state"})
        await self._update_standing(locked=event["locked"])

    async def room_system(self, event: dict[str, Any]) -> None:
        await self.send_json({"type": "system", "detail": event["detail"]})

    async def room_participant_changed(self, event: dict[str, Any]) -> None:
        if event["user_id"] == self.user.pk:
            await self.send_json({"type": "system", "detail": "The facilitator muted you for now." if event["muted"] else "The facilitator unmuted you."})
            await self._update_standing(muted=event["muted"])

    async def room_removed(self, event: dict[str, Any]) -> None:
        if event["user_id"] == self.user.pk:
            await self._refuse_with(rooms.RoomRefused(
                close_code=rooms.CLOSE_REMOVED, code="removed", detail="The facilitator removed you from this session."
            ))

    async def room_ended(self, event: dict[str, Any]) -> None:
        await self._refuse_with(rooms.RoomRefused(close_code=rooms.CLOSE_SESSION_OVER, code="session_over", detail=event["detail"]))

    async def room_check_in_summary(self, event: dict[str, Any]) -> None:
        if self.role in rooms.LEADING_ROLES:
            await self.send_json(event | {"type": "check_in_summary"})

    # Sent to the room's leaders' group only: a message raised a crisis alert. Its author has the
    # crisis panel instead; the score and the signals are never sent.
    async def room_safety_notice(self, event: dict[str, Any]) -> None:
        if self.role in rooms.LEADING_ROLES and event.get("author_id") != self.user.pk:
            await self.send_json({"type": "safety_notice", "message_id": event["message_id"], "detail": SAFETY_NOTICE_DETAIL})

    # Sent to user-<id>: the member left the group or was removed from it.
    async def membership_ended(self, event: dict[str, Any]) -> None:
        if event.get("group_id") == self.session.group_id and self.role != rooms.ROLE_MODERATOR:
            await self._refuse_with(rooms.RoomRefused(close_code=4403, code="forbidden", detail="You are no longer a member of this group."))

    # Sent to user-<id>: a moderator suspended the account. Every socket of theirs closes at once.
    async def account_suspended(self, event: dict[str, Any]) -> None:
        await self._refuse_with(rooms.RoomRefused(
            close_code=4403, code="suspended",
            detail="Your account is suspended for now; the moderators have sent you the reason.",
        ))

    # Sent to user-<id>: a password change or reset ended some of the member's sessions; a socket
    # opened with one of those closes, the same way as for a suspension.
    async def account_sessions_ended(self, event: dict[str, Any]) -> None:
        if await database_sync_to_async(socket_session_ended)(self.scope.get("session"), event):
            await self._refuse_with(rooms.RoomRefused(
                close_code=CLOSE_NOT_AUTHENTICATED, code="signed_out",
                detail="You were signed out because your password changed. Please sign in again.",
            ))

    # Sent to user-<id>: a moderator muted the member, put their posts under review, or lifted one.
    async def account_restrictions_changed(self, event: dict[str, Any]) -> None:
        standing = await database_sync_to_async(rooms.room_clock)(session_id=self.session_id, user=self.user, role=self.role)
        if standing is not None:
            await self._replace_standing(standing)
            self._clock_restart()  # the limit's end may come before the room's

    async def _update_standing(self, **changes) -> None:
        await self._replace_standing(dataclasses.replace(self.standing, **changes))

    async def _replace_standing(self, standing: "rooms.Standing") -> None:
        before, self.standing = self.standing.frame(), standing
        if standing.frame() != before:
            await self.send_json(standing.frame())
