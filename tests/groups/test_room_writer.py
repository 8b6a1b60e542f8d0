"""A room's messages that arrive while the previous ones are being stored are stored together."""
import asyncio
import threading

import pytest

from groups import room_writer
from groups.services import rooms

pytestmark = [pytest.mark.asyncio, pytest.mark.django_db(transaction=True)]


def _sends(count: int) -> list[rooms.MessageToSend]:
    return [rooms.MessageToSend(user=None, role="member", body=f"m{n}", client_id=str(n)) for n in range(count)]


async def test_messages_waiting_behind_a_slow_store_go_in_one_batch_and_each_gets_its_own_outcome(monkeypatch):
    batches: list[list[str]] = []
    first_started, release_first = threading.Event(), threading.Event()

    def store(*, session_id, sends):
        batches.append([send.body for send in sends])
        if len(batches) == 1:
            first_started.set()
            release_first.wait(5)
        return [rooms.RoomFrameError("muted", "muted") if send.body == "m3" else f"stored {send.body}" for send in sends]

    monkeypatch.setattr(rooms, "room_messages_send", store)
    first, *rest = _sends(5)
    waiting_first = asyncio.ensure_future(room_writer.room_message_store(session_id=7, message=first))
    await asyncio.get_running_loop().run_in_executor(None, first_started.wait, 5)
    waiting_rest = [asyncio.ensure_future(room_writer.room_message_store(session_id=7, message=send)) for send in rest]
    await asyncio.sleep(0.05)
    release_first.set()
    outcomes = await asyncio.gather(waiting_first, *waiting_rest)

    assert batches == [["m0"], ["m1", "m2", "m3", "m4"]]
    assert outcomes[:3] == ["stored m0", "stored m1", "stored m2"] and outcomes[4] == "stored m4"
    assert outcomes[3].code == "muted"
    assert room_writer._writers == {}  # an idle room keeps nothing


async def test_when_the_database_refuses_a_batch_every_sender_is_told_it_was_not_saved(monkeypatch):
    def store(*, session_id, sends):
        raise RuntimeError("database unavailable")

    monkeypatch.setattr(rooms, "room_messages_send", store)
    outcomes = await asyncio.gather(*(room_writer.room_message_store(session_id=8, message=send) for send in _sends(3)))
    assert [outcome.code for outcome in outcomes] == ["not_saved"] * 3


async def test_a_sender_who_leaves_while_waiting_does_not_cancel_the_others(monkeypatch):
    gate = threading.Event()

    def store(*, session_id, sends):
        gate.wait(5)
        return [f"stored {send.body}" for send in sends]

    monkeypatch.setattr(rooms, "room_messages_send", store)
    leaving, staying = (asyncio.ensure_future(room_writer.room_message_store(session_id=9, message=send)) for send in _sends(2))
    await asyncio.sleep(0.05)
    leaving.cancel()
    gate.set()
    assert await staying == "stored m1"
    with pytest.raises(asyncio.CancelledError):
        await leaving
