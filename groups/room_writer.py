"""Stores a room's incoming messages in batches, one database call per batch, for this process.

Every consumer's database work in a process runs on one thread (`database_sync_to_async`). When
messages arrive faster than that thread stores them one by one, each would pay the room lock, a
connection and a commit of its own and wait behind the others. Here, messages that arrive while
the room's previous batch is being stored wait together and are stored in the next call
(`rooms.room_messages_send`): a quiet room stores each message at once, as before; a busy one
stores several per commit. Each sender still gets its own outcome: the stored message (acked),
or the refusal or error for that message alone.
"""
import asyncio
import logging

from channels.db import database_sync_to_async

from groups.services import rooms

logger = logging.getLogger(__name__)

# Enough to absorb a burst; small enough that one transaction never holds the room lock for long.
MAX_BATCH = 50


class RoomWriter:
    def __init__(self, key: tuple[int, int]) -> None:
        self.key, self.session_id = key, key[1]
        self.waiting: list[tuple[rooms.MessageToSend, asyncio.Future]] = []
        self.draining: asyncio.Task | None = None

    async def send(self, message: rooms.MessageToSend) -> rooms.SendOutcome:
        future = asyncio.get_running_loop().create_future()
        self.waiting.append((message, future))
        if self.draining is None or self.draining.done():
            self.draining = asyncio.create_task(self._drain())
        # Shielded: a sender who disconnects while waiting does not cancel the batch for others.
        return await asyncio.shield(future)

    async def _drain(self) -> None:
        while self.waiting:
            batch, self.waiting = self.waiting[:MAX_BATCH], self.waiting[MAX_BATCH:]
            try:
                outcomes = await database_sync_to_async(rooms.room_messages_send)(
                    session_id=self.session_id, sends=[message for message, _future in batch]
                )
            except Exception:  # the database refused: none of them was stored
                logger.exception("room %s: %d messages could not be stored", self.session_id, len(batch))
                not_saved = rooms.RoomFrameError("not_saved", "Your message could not be saved. Please try again.")
                outcomes = [not_saved] * len(batch)
            for (_message, future), outcome in zip(batch, outcomes, strict=True):
                if not future.done():
                    future.set_result(outcome)
        _writers.pop(self.key, None)


# One writer per room and event loop (a process serves its sockets from one loop).
_writers: dict[tuple[int, int], RoomWriter] = {}


async def room_message_store(*, session_id: int, message: rooms.MessageToSend) -> rooms.SendOutcome:
    """Store one message through its room's writer in this process; returns its outcome."""
    key = (id(asyncio.get_running_loop()), session_id)
    writer = _writers.get(key)
    if writer is None:
        writer = _writers[key] = RoomWriter(key)
    return await writer.send(message)
