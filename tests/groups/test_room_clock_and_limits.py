"""The live room over time and under moderation: the room closes itself at its end (an extension
moves the end), limits a moderator sets or lifts reach an open socket at once, a timed limit ends
by itself, the controls not covered elsewhere, and the bound on a socket that stops reading."""
import asyncio
import json
from datetime import timedelta
from zoneinfo import ZoneInfo

import pytest
from channels.db import database_sync_to_async
from django.utils import timezone

from accounts.models import Profile
from groups import consumers
from groups.models import GroupSession, RoomMessage
from moderation.models import Sanction
from moderation.services.sanctions import sanction_create, sanction_lift
from platform_site.consumers import ThawJsonConsumer
from tests.support.rooms import Room, create_user, drain, join, make_room, message, next_of, refused

pytestmark = [pytest.mark.asyncio, pytest.mark.django_db(transaction=True)]

SESSION_LENGTH = timedelta(minutes=60)


async def ending_soon(seconds: float = 1.5) -> Room:
    """A room whose hour is up `seconds` from now."""
    return await make_room(starts_in=timedelta(seconds=seconds) - SESSION_LENGTH)


async def frames_for(socket, seconds: float) -> list[dict]:
    """Every frame the socket receives in the next `seconds` (a close shows as {"closed": code})."""
    frames, deadline = [], asyncio.get_running_loop().time() + seconds
    while (left := deadline - asyncio.get_running_loop().time()) > 0:
        if await socket.receive_nothing(timeout=min(left, 0.2)):
            continue
        output = await socket.receive_output()
        if output["type"] == "websocket.close":
            frames.append({"closed": output.get("code")})
            break
        frames.append(json.loads(output["text"]))
    return frames


# ----------------------------------------------------------------------------- the room's clock


async def test_every_socket_closes_when_the_rooms_time_is_over_even_one_that_only_reads():
    room = await ending_soon()
    facilitator = await join(room, room.facilitator)
    reader = await join(room, room.member)
    for socket in (reader, facilitator):
        frame = await next_of(socket, "error", skip=20)
        assert frame["code"] == "session_over" and frame["detail"] == "This session is over."
        assert (await socket.receive_output())["code"] == 4410
    again, code = await refused(await join(room, room.member, expect_welcome=False))
    assert (again["code"], code) == ("session_over", 4410)


async def test_an_extension_keeps_the_room_open_past_its_old_end():
    room = await ending_soon()
    facilitator = await join(room, room.facilitator)
    member = await join(room, room.member)
    await facilitator.send_json_to({"type": "extend", "minutes": 5})

    frames = await frames_for(member, 3)
    assert not [f for f in frames if f.get("type") == "error" or "closed" in f], frames
    states = [f for f in frames if f.get("type") == "state"]
    assert states and states[-1]["ends_at"] > timezone.now().isoformat()
    await member.send_json_to(message("Still here after the old end."))
    assert (await next_of(member, "ack", skip=20))["seq"] >= 1
    await facilitator.disconnect()
    await member.disconnect()


# ----------------------------------------------------------------------------- moderation limits


@pytest.mark.parametrize("kind", [Sanction.Kind.MUTE, Sanction.Kind.REVIEW])
async def test_a_limit_a_moderator_sets_disables_an_open_composer_at_once_and_lifting_it_enables_it(kind):
    room = await make_room()
    moderator = await create_user(is_moderator=True)
    facilitator = await join(room, room.facilitator)
    member = await join(room, room.member)
    await drain(member)

    sanction = await database_sync_to_async(sanction_create)(
        member=room.member, moderator=moderator, kind=kind, reason="A pause while we talk.", group=room.group
    )
    assert await next_of(member, "you") == {"type": "you", "muted": False, "can_send": False, "read_only_reason": "restricted"}
    await member.send_json_to(message("Can I still write?"))
    assert (await next_of(member, "error"))["code"] == "restricted"

    await database_sync_to_async(sanction_lift)(sanction_id=sanction.pk, moderator=moderator, reason="We talked.")
    assert (await next_of(member, "you"))["can_send"] is True
    await member.send_json_to(message("Thank you."))
    assert (await next_of(member, "ack"))["seq"] >= 1
    await facilitator.disconnect()
    await member.disconnect()


async def test_a_limit_in_another_group_leaves_this_room_alone():
    room, elsewhere = await make_room(), await make_room()
    moderator = await create_user(is_moderator=True)
    facilitator = await join(room, room.facilitator)
    member = await join(room, room.member)
    await drain(member)
    await database_sync_to_async(sanction_create)(
        member=room.member, moderator=moderator, kind=Sanction.Kind.MUTE, reason="Elsewhere.", group=elsewhere.group
    )
    assert not [f for f in await frames_for(member, 1) if f.get("type") == "you"]
    await member.send_json_to(message("Here I may write."))
    assert (await next_of(member, "ack"))["seq"] >= 1
    await facilitator.disconnect()
    await member.disconnect()


async def test_a_timed_mute_ends_in_the_open_room_by_itself():
    room = await make_room()
    await database_sync_to_async(Sanction.objects.create)(
        user=room.member, kind=Sanction.Kind.MUTE, reason="A short pause.", ends_at=timezone.now() + timedelta(seconds=1.5)
    )
    facilitator = await join(room, room.facilitator)
    member = await join(room, room.member)
    assert member.welcome["you"]["read_only_reason"] == "restricted"
    assert (await next_of(member, "you", skip=20))["can_send"] is True
    await member.send_json_to(message("Back again."))
    assert (await next_of(member, "ack"))["seq"] >= 1
    await facilitator.disconnect()
    await member.disconnect()


# ----------------------------------------------------------------------------- controls


async def test_the_facilitator_moves_a_round_on_or_ends_it_early():
    room = await make_room()
    facilitator = await join(room, room.facilitator)
    member = await join(room, room.member)
    other = await join(room, room.other)
    await drain(member)

    await facilitator.send_json_to({"type": "round_start"})
    first = (await next_of(member, "state", skip=20))["round"]
    await facilitator.send_json_to({"type": "round_next"})
    second = (await next_of(member, "state", skip=20))["round"]
    assert second["current"]["user_id"] == first["remaining"][0]["user_id"] and second["remaining"] == []

    await facilitator.send_json_to({"type": "round_end"})
    assert (await next_of(member, "state", skip=20))["round"] is None
    notices = [f["detail"] for f in await frames_for(other, 1) if f.get("type") == "system"]
    assert "The facilitator ended the round. Thank you, everyone." in notices
    await facilitator.send_json_to({"type": "round_end"})
    assert (await next_of(facilitator, "error", skip=20))["code"] == "invalid"
    await member.send_json_to({"type": "round_end"})
    assert (await next_of(member, "error", skip=20))["code"] == "not_allowed"
    for socket in (facilitator, member, other):
        await socket.disconnect()


async def test_unlock_and_unpin_reach_everyone():
    room = await make_room()
    facilitator = await join(room, room.facilitator)
    member = await join(room, room.member)
    await drain(member)
    await member.send_json_to(message("Worth keeping in view."))
    await next_of(member, "ack")
    pinned_id = (await database_sync_to_async(RoomMessage.objects.get)(body="Worth keeping in view.")).pk

    await facilitator.send_json_to({"type": "lock"})
    assert (await next_of(member, "you", skip=20))["read_only_reason"] == "locked"
    await facilitator.send_json_to({"type": "unlock"})
    assert (await next_of(member, "you", skip=20))["can_send"] is True
    await facilitator.send_json_to({"type": "pin", "message_id": pinned_id})
    state = await next_of(member, "state", skip=20)
    while state["pinned"] is None:
        state = await next_of(member, "state", skip=20)
    await facilitator.send_json_to({"type": "unpin"})
    assert (await next_of(member, "state", skip=20))["pinned"] is None
    session = await database_sync_to_async(GroupSession.objects.get)(pk=room.session.pk)
    assert session.pinned_message_id is None and session.room_locked is False
    await facilitator.disconnect()
    await member.disconnect()


# ----------------------------------------------------------------------------- opening time and slow readers


async def test_the_opening_time_is_told_in_the_members_own_time_zone():
    room = await make_room(starts_in=timedelta(hours=2))
    await database_sync_to_async(Profile.objects.filter(user=room.member).update)(time_zone="Asia/Tokyo")
    frame, code = await refused(await join(room, room.member, expect_welcome=False))
    opens = timezone.localtime(room.session.room_opens_at, ZoneInfo("Asia/Tokyo"))
    assert code == 4409
    assert f"{opens:%H:%M} (Asia/Tokyo)" in frame["detail"]


async def test_a_socket_that_stops_reading_is_closed_and_the_room_goes_on(monkeypatch):
    monkeypatch.setattr(consumers, "SEND_TIMEOUT_SECONDS", 0.3)
    room = await make_room()
    facilitator = await join(room, room.facilitator)
    stalled = await join(room, room.member)
    reader = await join(room, room.other)
    await drain(stalled)
    stalled_channel = (await database_sync_to_async(
        lambda: list(room.session.connections.filter(user=room.member).values_list("channel_name", flat=True))
    )())[0]
    send_json = ThawJsonConsumer.send_json

    async def never_drains(self, content, close=False):
        # The member's device stopped reading: its frames would pile up for ever.
        if getattr(self, "channel_name", None) == stalled_channel and content.get("type") == "message":
            await asyncio.Event().wait()
        await send_json(self, content, close=close)

    monkeypatch.setattr(ThawJsonConsumer, "send_json", never_drains)
    await facilitator.send_json_to(message("Welcome, everyone."))
    assert (await next_of(reader, "message", skip=20))["body"] == "Welcome, everyone."
    closed = [f for f in await frames_for(stalled, 2) if "closed" in f]
    assert closed == [{"closed": 4408}]
    await facilitator.send_json_to(message("And on we go."))
    assert (await next_of(reader, "message", skip=20))["body"] == "And on we go."
    await facilitator.disconnect()
    await reader.disconnect()
