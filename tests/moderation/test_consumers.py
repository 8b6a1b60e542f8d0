"""/ws/moderation/: moderators only, origin-checked, and sturdy against bad frames."""
import asyncio
import os

import pytest
from channels.db import database_sync_to_async

from platform_site.consumers import CLOSE_FORBIDDEN, CLOSE_NOT_AUTHENTICATED, MAX_FRAME_BYTES
from platform_site.realtime import MODERATORS_GROUP, publish_on_commit
from tests.factories import UserFactory
from tests.support.sockets import open_socket

pytestmark = [pytest.mark.asyncio, pytest.mark.django_db(transaction=True)]

create_user = database_sync_to_async(UserFactory)


async def test_anonymous_connection_is_refused_with_a_code():
    socket = await open_socket("/ws/moderation/")
    connected, _ = await socket.connect()
    assert connected
    frame = await socket.receive_json_from()
    assert frame == {"type": "error", "code": "not_authenticated", "detail": "Please sign in again."}
    closed = await socket.receive_output()
    assert closed == {"type": "websocket.close", "code": CLOSE_NOT_AUTHENTICATED}


async def test_member_connection_is_refused_as_forbidden():
    member = await create_user()
    socket = await open_socket("/ws/moderation/", user=member)
    await socket.connect()
    frame = await socket.receive_json_from()
    assert frame["code"] == "forbidden"
    assert (await socket.receive_output())["code"] == CLOSE_FORBIDDEN


async def test_connection_from_a_foreign_origin_is_refused_even_for_a_moderator():
    moderator = await create_user(is_moderator=True)
    socket = await open_socket("/ws/moderation/", user=moderator, origin="https://evil.example.com")
    connected, _ = await socket.connect()
    assert not connected


async def test_moderator_connects_and_receives_events_published_after_commit():
    moderator = await create_user(is_moderator=True)
    socket = await open_socket("/ws/moderation/", user=moderator)
    connected, _ = await socket.connect()
    assert connected
    assert (await socket.receive_json_from())["type"] == "system"

    await database_sync_to_async(publish_on_commit)(MODERATORS_GROUP, {"type": "queue.changed", "open_crisis": 2})
    assert (await socket.receive_json_from()) == {"type": "queue.changed", "open_crisis": 2}
    await socket.disconnect()


@pytest.mark.parametrize(
    ("frame", "code"),
    [
        ("not json", "bad_frame"),
        ("[1, 2, 3]", "bad_frame"),
        ('{"no": "type"}', "bad_frame"),
        ('{"type": "launch_rockets"}', "unknown_type"),
        ('{"type": "ping", "pad": "' + "x" * MAX_FRAME_BYTES + '"}', "frame_too_large"),
    ],
    ids=["not-json", "not-an-object", "no-type", "unknown-type", "oversized"],
)
async def test_bad_frame_gets_an_error_and_the_connection_stays_open(frame, code):
    moderator = await create_user(is_moderator=True)
    socket = await open_socket("/ws/moderation/", user=moderator)
    await socket.connect()
    await socket.receive_json_from()
    await socket.send_to(text_data=frame)
    error = await socket.receive_json_from()
    assert error["type"] == "error"
    assert error["code"] == code
    assert error["detail"]
    await socket.send_json_to({"type": "ping"})
    assert (await socket.receive_json_from()) == {"type": "pong"}
    await socket.disconnect()


async def test_binary_frame_gets_an_error():
    moderator = await create_user(is_moderator=True)
    socket = await open_socket("/ws/moderation/", user=moderator)
    await socket.connect()
    await socket.receive_json_from()
    await socket.send_to(bytes_data=b"\x00\x01")
    assert (await socket.receive_json_from())["code"] == "bad_frame"
    await socket.disconnect()


@pytest.mark.redis
@pytest.mark.skipif(not os.environ.get("REDIS_URL"), reason="needs REDIS_URL (CI's second configuration)")
async def test_an_idle_socket_still_receives_events_after_the_layers_blocking_receive_times_out():
    # channels-redis blocks 5 s per receive; with redis-py's default 5 s socket timeout the
    # consumer of a quiet socket died. Stay idle past it, then expect the event.
    moderator = await create_user(is_moderator=True)
    socket = await open_socket("/ws/moderation/", user=moderator)
    await socket.connect()
    await socket.receive_json_from()
    await asyncio.sleep(6.5)
    await database_sync_to_async(publish_on_commit)(MODERATORS_GROUP, {"type": "queue.changed", "open_crisis": 1})
    assert (await socket.receive_json_from(timeout=5)) == {"type": "queue.changed", "open_crisis": 1}
    await socket.disconnect()


async def test_a_moderator_socket_hears_a_crisis_flag_and_case_at_once():
    from groups import services as forum
    from tests.groups.factories import MembershipFactory, SupportGroupFactory
    from tests.support.risk_texts import CRISIS_TEXT

    moderator = await create_user(is_moderator=True)
    socket = await open_socket("/ws/moderation/", user=moderator)
    await socket.connect()
    await socket.receive_json_from()

    @database_sync_to_async
    def post_a_crisis():
        membership = MembershipFactory(group=SupportGroupFactory())
        forum.topic_create(group=membership.group, author=membership.user, title="Tonight", body=CRISIS_TEXT)

    await post_a_crisis()
    frames = [await socket.receive_json_from(timeout=5), await socket.receive_json_from(timeout=5)]
    assert {frame["type"] for frame in frames} == {"flag.raised", "case.changed"}
    flag_frame = next(frame for frame in frames if frame["type"] == "flag.raised")
    assert flag_frame["level"] == "crisis"
    assert "kill" not in str(frames).lower()  # ids and levels only, never the words
    await socket.disconnect()
