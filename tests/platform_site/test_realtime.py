import asyncio

import pytest
import pytest_asyncio
from channels.db import database_sync_to_async
from channels.layers import get_channel_layer
from django.db import transaction

from platform_site.realtime import publish_on_commit, session_group_name

GROUP = session_group_name(7)


@pytest_asyncio.fixture
async def listener():
    """A channel in GROUP with one receive that is never cancelled, as in a consumer.

    The Pub/Sub layer drops a channel whose receive is cancelled, so timeouts wait on a queue.
    """
    layer = get_channel_layer()
    channel = await layer.new_channel()
    await layer.group_add(GROUP, channel)
    inbox: asyncio.Queue = asyncio.Queue()

    async def pump() -> None:
        while True:
            await inbox.put(await layer.receive(channel))

    pumping = asyncio.create_task(pump())
    yield inbox
    pumping.cancel()
    await layer.group_discard(GROUP, channel)


async def _nothing_arrives(inbox: asyncio.Queue, wait: float = 0.3) -> bool:
    try:
        await asyncio.wait_for(inbox.get(), wait)
    except TimeoutError:
        return True
    return False


@pytest.mark.asyncio
@pytest.mark.django_db(transaction=True)
async def test_event_is_sent_only_after_the_transaction_commits(listener):
    inbox = listener
    committed = asyncio.Event()
    loop = asyncio.get_running_loop()

    def publish_inside_transaction():
        with transaction.atomic():
            publish_on_commit(GROUP, {"type": "session.message_sent", "id": 1})
            # Still inside the transaction: the listener must not have the event yet.
            assert asyncio.run_coroutine_threadsafe(_nothing_arrives(inbox), loop).result()
        loop.call_soon_threadsafe(committed.set)

    await database_sync_to_async(publish_inside_transaction)()
    await committed.wait()
    assert await asyncio.wait_for(inbox.get(), 2) == {"type": "session.message_sent", "id": 1}


@pytest.mark.asyncio
@pytest.mark.django_db(transaction=True)
async def test_event_is_never_sent_when_the_transaction_rolls_back(listener):
    inbox = listener

    def publish_then_fail():
        with pytest.raises(RuntimeError):
            with transaction.atomic():
                publish_on_commit(GROUP, {"type": "session.message_sent", "id": 2})
                raise RuntimeError("the save failed")

    await database_sync_to_async(publish_then_fail)()
    assert await _nothing_arrives(inbox)


def test_an_event_without_a_type_is_refused():
    with pytest.raises(ValueError):
        publish_on_commit("moderators", {"id": 3})


def test_group_names_are_made_from_ids_only():
    assert session_group_name("12") == "session-12"
    with pytest.raises(ValueError):
        session_group_name("12; drop")
