"""A live room hears a crisis in a message it cannot take: the writer sees the crisis panel, the
words reach a moderator (never the room), and nothing is lost. Through the real socket."""
import uuid

import pytest
from channels.db import database_sync_to_async

from moderation.models import CrisisCase, Flag, RefusedPost, RiskAssessment, Sanction
from tests.support.risk_texts import CRISIS_TEXTS
from tests.support.rooms import drain, join, make_room, next_of

pytestmark = [pytest.mark.asyncio, pytest.mark.django_db(transaction=True)]


def message(body: str) -> dict:
    return {"type": "message", "body": body, "client_id": str(uuid.uuid4())}


async def test_a_crisis_message_is_acked_with_the_panel_and_raises_a_crisis_flag():
    room = await make_room()
    facilitator = await join(room, room.facilitator)
    member = await join(room, room.member)
    await drain(member)

    await member.send_json_to(message(CRISIS_TEXTS[2]))
    ack = await next_of(member, "ack")

    assert ack["show_crisis_panel"] is True
    flag = await database_sync_to_async(Flag.objects.get)(content_kind="room_message", content_id=ack["id"])
    assert flag.level == "crisis"
    await facilitator.disconnect()
    await member.disconnect()


async def test_a_muted_members_crisis_message_is_refused_with_the_panel_and_reaches_a_moderator():
    room = await make_room()
    await database_sync_to_async(Sanction.objects.create)(user=room.member, kind=Sanction.Kind.MUTE, reason="A pause.")
    facilitator = await join(room, room.facilitator)
    other = await join(room, room.other)
    member = await join(room, room.member)
    await drain(other)

    sent = message(CRISIS_TEXTS[6])
    await member.send_json_to(sent)
    refusal = await next_of(member, "error")

    assert (refusal["code"], refusal["client_id"], refusal["show_crisis_panel"]) == ("restricted", sent["client_id"], True)
    assert await other.receive_nothing(timeout=0.3)  # nobody in the room sees it
    refused = await database_sync_to_async(RefusedPost.objects.get)(author=room.member)
    assert (refused.where, refused.reason, refused.body) == ("room", "restricted", CRISIS_TEXTS[6])
    flag = await database_sync_to_async(Flag.objects.get)(author=room.member)
    assert (flag.level, flag.content_kind) == ("crisis", "refused_post")
    assert await database_sync_to_async(CrisisCase.objects.filter(member=room.member).count)() == 1
    for socket in (facilitator, other, member):
        await socket.disconnect()


async def test_a_crisis_message_refused_by_the_facilitators_mute_or_slow_mode_reaches_a_moderator():
    room = await make_room()
    facilitator = await join(room, room.facilitator)
    member = await join(room, room.member)
    await drain(member)
    await facilitator.send_json_to({"type": "mute", "user_id": room.member.pk})
    await next_of(member, "you")

    await member.send_json_to(message(CRISIS_TEXTS[9]))
    refusal = await next_of(member, "error")

    assert (refusal["code"], refusal["show_crisis_panel"]) == ("muted", True)
    refused = await database_sync_to_async(RefusedPost.objects.get)(author=room.member)
    assert refused.reason == "room_muted"
    await facilitator.disconnect()
    await member.disconnect()


async def test_a_calm_message_refused_shows_no_panel_and_is_not_kept():
    room = await make_room()
    await database_sync_to_async(Sanction.objects.create)(user=room.member, kind=Sanction.Kind.MUTE, reason="A pause.")
    facilitator = await join(room, room.facilitator)
    member = await join(room, room.member)

    await member.send_json_to(message("Hello everyone, glad to be here."))
    refusal = await next_of(member, "error")

    assert refusal["code"] == "restricted" and "show_crisis_panel" not in refusal
    assert not await database_sync_to_async(RefusedPost.objects.exists)()
    assert not await database_sync_to_async(RiskAssessment.objects.exists)()
    await facilitator.disconnect()
    await member.disconnect()
