"""A room message that raises a crisis alert: the room's facilitators and moderators are told,
privately, beside that message ("A moderator has been told"); never its score, never the members."""
import pytest
from channels.db import database_sync_to_async

from moderation.models import CrisisCase, Flag
from tests.support.risk_texts import CALM_TEXT, CRISIS_TEXT
from tests.support.rooms import create_user, drain, join, make_room, message

pytestmark = [pytest.mark.asyncio, pytest.mark.django_db(transaction=True)]

NOTICE = "This message raised a crisis alert. A moderator has been told."


async def _frames_until_quiet(socket, *, after: str | None = None) -> list[dict]:
    """Every frame until the socket is quiet; with `after`, not before a frame of that type came
    (a busy machine may take longer than the quiet spell to store and answer a message)."""
    frames = []
    if after is not None:
        while not frames or frames[-1]["type"] != after:
            frames.append(await socket.receive_json_from(timeout=10))
    while not await socket.receive_nothing(timeout=0.3):
        frames.append(await socket.receive_json_from())
    return frames


async def _frames_after_sending(sockets: dict, sender: str) -> dict[str, list[dict]]:
    """What each socket got once the sender's message is acked and the room is quiet again."""
    frames = {sender: await _frames_until_quiet(sockets[sender], after="ack")}
    return frames | {name: await _frames_until_quiet(socket) for name, socket in sockets.items() if name != sender}


def _notices(frames: list[dict]) -> list[dict]:
    return [frame for frame in frames if frame["type"] == "safety_notice"]


async def _room_with_everyone():
    room = await make_room()
    moderator = await create_user(is_moderator=True)
    sockets = {
        "facilitator": await join(room, room.facilitator),
        "moderator": await join(room, moderator),
        "member": await join(room, room.member),
        "other": await join(room, room.other),
    }
    for socket in sockets.values():
        await drain(socket)
    return room, sockets


async def _close(sockets: dict) -> None:
    for socket in sockets.values():
        await socket.disconnect()


async def test_the_facilitator_and_a_moderator_in_the_room_are_told_and_the_members_are_not():
    room, sockets = await _room_with_everyone()

    await sockets["member"].send_json_to(message(CRISIS_TEXT))
    frames = await _frames_after_sending(sockets, "member")

    [ack] = [frame for frame in frames["member"] if frame["type"] == "ack"]
    assert ack["show_crisis_panel"] is True  # the writer has the crisis panel
    for leader in ("facilitator", "moderator"):
        assert _notices(frames[leader]) == [{"type": "safety_notice", "message_id": ack["id"], "detail": NOTICE}]
        # The message itself arrived before the note about it.
        types = [frame["type"] for frame in frames[leader]]
        assert types.index("message") < types.index("safety_notice")
    for member in ("member", "other"):
        assert _notices(frames[member]) == []
    assert [f["body"] for f in frames["other"] if f["type"] == "message"] == [CRISIS_TEXT]  # the post is never hidden
    # And it is true: the pipeline (eager in tests) raised a crisis item and a case for the writer.
    flag = await database_sync_to_async(Flag.objects.get)(content_kind="room_message", content_id=ack["id"])
    has_case = await database_sync_to_async(CrisisCase.objects.filter(member=room.member, status="open").exists)()
    assert flag.level == "crisis" and has_case
    await _close(sockets)


async def test_the_notice_carries_no_score_no_signals_and_no_words():
    room, sockets = await _room_with_everyone()

    await sockets["member"].send_json_to(message(CRISIS_TEXT))
    [notice] = _notices(await _frames_until_quiet(sockets["facilitator"], after="safety_notice"))

    assert set(notice) == {"type", "message_id", "detail"}
    assert "kill" not in str(notice) and "0." not in str(notice)
    await _close(sockets)


async def test_an_ordinary_message_tells_nobody_anything():
    room, sockets = await _room_with_everyone()

    await sockets["member"].send_json_to(message(CALM_TEXT))
    frames = await _frames_after_sending(sockets, "member")

    assert all(_notices(f) == [] for f in frames.values())
    assert [f["body"] for f in frames["facilitator"] if f["type"] == "message"] == [CALM_TEXT]
    await _close(sockets)


async def test_a_facilitators_own_crisis_message_tells_the_moderator_not_the_facilitator():
    room, sockets = await _room_with_everyone()

    await sockets["facilitator"].send_json_to(message(CRISIS_TEXT))
    frames = await _frames_after_sending(sockets, "facilitator")

    [ack] = [frame for frame in frames["facilitator"] if frame["type"] == "ack"]
    assert ack["show_crisis_panel"] is True
    assert _notices(frames["facilitator"]) == []  # they have the crisis panel instead
    assert [n["message_id"] for n in _notices(frames["moderator"])] == [ack["id"]]
    assert _notices(frames["member"]) == [] and _notices(frames["other"]) == []
    await _close(sockets)


async def test_a_members_socket_shows_no_notice_even_if_one_reached_the_whole_room():
    from channels.layers import get_channel_layer

    from platform_site.realtime import session_group_name

    room, sockets = await _room_with_everyone()

    # Not how the server sends it (only to the leaders' group): the socket's own role check holds too.
    await get_channel_layer().group_send(
        session_group_name(room.session.pk), {"type": "room.safety_notice", "message_id": 1, "author_id": None}
    )
    frames = {name: await _frames_until_quiet(socket) for name, socket in sockets.items()}

    assert [len(_notices(frames[name])) for name in ("facilitator", "moderator", "member", "other")] == [1, 1, 0, 0]
    await _close(sockets)
