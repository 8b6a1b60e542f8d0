"""Whatever a client sends on a socket, it gets a well-formed answer, and nobody else is affected.

One room (and one moderation feed) stays open for all examples: that is the point, a bad frame must
not close anything. Hypothesis drives the examples from a synchronous test; the sockets live on a
SocketLoop (tests/hardening/sockets.py).
"""
import json
import uuid
from datetime import timedelta

import pytest
from django.utils import timezone
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from groups import consumers as room_consumers
from groups.models import GroupSession
from groups.services.rooms import ROOM_CONTROLS
from channels.layers import get_channel_layer

from platform_site.consumers import MAX_FRAME_BYTES
from platform_site.realtime import MODERATORS_GROUP
from tests.factories import UserFactory
from tests.groups.factories import MembershipFactory, SupportGroupFactory
from tests.hardening.sockets import SocketLoop
from tests.support.sockets import open_socket

pytestmark = pytest.mark.django_db(transaction=True)

SOCKET_SETTINGS = settings(
    max_examples=80, derandomize=True, database=None, deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)
KNOWN_TYPES = ["message", "resume", "ping", "check_in", "report", "round_pass", *sorted(ROOM_CONTROLS)]
FIELDS = [
    "type", "body", "client_id", "after", "message_id", "reason", "note", "phase", "feel", "connected", "words",
    "user_id", "minutes", "seconds", "enabled",
]
# Frames the server sends as a direct answer to the sender (everything else is room traffic).
ANSWERS = {"error", "ack", "history", "system", "pong"}

json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats() | st.text(max_size=40),
    lambda children: st.lists(children, max_size=5) | st.dictionaries(st.text(max_size=12), children, max_size=5),
    max_leaves=25,
)
huge_strings = st.integers(min_value=1_000, max_value=20_000).map(lambda n: "ä" * n)
field_values = json_values | huge_strings | st.uuids().map(str) | st.integers(min_value=-2, max_value=5)
typed_frames = st.fixed_dictionaries(
    {"type": st.sampled_from(KNOWN_TYPES) | st.text(max_size=60) | huge_strings},
    optional={name: field_values for name in FIELDS[1:]},
).flatmap(lambda frame: st.dictionaries(st.text(max_size=20), json_values, max_size=4).map(lambda extra: {**extra, **frame}))
# Text on the wire: a frame of the right shape, any JSON value at all, or not JSON.
wire_texts = (
    typed_frames.map(json.dumps)
    | json_values.map(json.dumps)
    | st.text(max_size=200)
    | st.builds(lambda value, pad: json.dumps({"type": "ping", "pad": pad, "v": value}), json_values, huge_strings)
)


def for_every_frame(loop: SocketLoop, check, *, sockets) -> None:
    """Run `check(text)` on the loop for each generated wire text, then close `sockets`."""

    @SOCKET_SETTINGS
    @given(wire_texts)
    def property_holds(text):
        loop.run(check(text))

    try:
        property_holds()
    finally:
        for socket in sockets:
            loop.run(socket.disconnect())


def is_ping(text: str) -> bool:
    """Whether the server should take `text` as a ping (answered with a pong, not an error)."""
    try:
        content = json.loads(text)
    except ValueError:
        return False
    return isinstance(content, dict) and content.get("type") == "ping" and len(text.encode()) <= MAX_FRAME_BYTES


def assert_well_formed(frame) -> None:
    assert isinstance(frame, dict) and isinstance(frame.get("type"), str), frame
    if frame["type"] == "error":
        assert isinstance(frame.get("code"), str) and frame["code"], frame
        assert isinstance(frame.get("detail"), str) and frame["detail"], frame


async def send_text(socket, text: str) -> None:
    # Straight to the app: the communicator's send_to refuses an empty frame, a browser does not.
    await socket.send_input({"type": "websocket.receive", "text": text})


async def drain(socket) -> None:
    """Drop frames left by an earlier example (one that failed, while Hypothesis shrinks it)."""
    while not await socket.receive_nothing(timeout=0.01):
        await socket.receive_output()


async def frames_until(socket, kind: str, *, match=lambda frame: True, limit: int = 50) -> list[dict]:
    """Every frame up to and including the first `kind` frame that matches; each must be well-formed."""
    seen = []
    for _ in range(limit):
        frame = await socket.receive_json_from(timeout=5)
        assert_well_formed(frame)
        seen.append(frame)
        if frame["type"] == kind and match(frame):
            return seen
    raise AssertionError(f"no {kind} frame among {seen[-5:]}")


async def connect(path: str, user, greeting: int):
    socket = await open_socket(path, user=user)
    connected, _ = await socket.connect()
    assert connected
    for _ in range(greeting):
        assert_well_formed(await socket.receive_json_from(timeout=5))
    return socket


@pytest.fixture
def no_rate_limit(monkeypatch):
    # The flood limit has tests of its own; here it would answer every frame with too_fast and
    # hide how the frame itself is handled.
    monkeypatch.setattr(room_consumers, "FRAME_BURST", 10_000)
    monkeypatch.setattr(room_consumers, "FRAMES_PER_SECOND", 10_000)


def test_any_frame_in_a_room_gets_a_well_formed_answer_and_the_room_goes_on_for_others(loop, no_rate_limit):
    group = SupportGroupFactory()
    facilitator = MembershipFactory(group=group, facilitator=True).user
    prober, other = MembershipFactory(group=group).user, MembershipFactory(group=group).user
    session = GroupSession.objects.create(
        group=group, title="Property room", starts_at=timezone.now() + timedelta(minutes=5), duration_minutes=60
    )
    path = f"/ws/sessions/{session.pk}/"
    lead = loop.run(connect(path, facilitator, greeting=3))
    listener = loop.run(connect(path, other, greeting=3))
    probe = loop.run(connect(path, prober, greeting=3))

    async def check(text: str) -> None:
        await drain(probe)
        await send_text(probe, text)
        await probe.send_json_to({"type": "ping"})
        answers = await frames_until(probe, "pong")
        if is_ping(text):
            answers += await frames_until(probe, "pong")
        # The frame was answered before the pong that answers our own ping.
        assert any(frame["type"] in ANSWERS for frame in answers[:-1]), (text[:200], answers)
        # The room goes on: the others still hear each other.
        check = f"still here {uuid.uuid4()}"
        await lead.send_json_to({"type": "message", "body": check, "client_id": str(uuid.uuid4())})
        await frames_until(listener, "message", match=lambda frame: frame.get("body") == check)
        await frames_until(lead, "ack")

    for_every_frame(loop, check, sockets=(probe, listener, lead))


def test_any_frame_on_the_moderation_feed_gets_an_error_or_a_pong_and_other_moderators_keep_theirs(loop):
    prober, other = UserFactory(is_moderator=True), UserFactory(is_moderator=True)
    probe = loop.run(connect("/ws/moderation/", prober, greeting=1))
    listener = loop.run(connect("/ws/moderation/", other, greeting=1))

    async def check(text: str) -> None:
        await drain(probe)
        await send_text(probe, text)
        answer = await probe.receive_json_from(timeout=5)
        assert_well_formed(answer)
        assert answer["type"] == ("pong" if is_ping(text) else "error"), (text[:200], answer)
        nudge = {"type": "queue.changed", "open_crisis": len(text)}
        await get_channel_layer().group_send(MODERATORS_GROUP, nudge)
        assert await listener.receive_json_from(timeout=5) == nudge
        assert await probe.receive_json_from(timeout=5) == nudge  # the prober's own feed is still live too

    for_every_frame(loop, check, sockets=(probe, listener))
