"""Fixtures the tests of several apps share (imported by their conftests): a listed group with a
facilitator and a member, their signed-in clients, and a listener on a Channels group."""
import asyncio
import threading
from contextlib import contextmanager

import pytest
from channels.layers import get_channel_layer

from groups.models import Membership
from tests.factories import UserFactory
from tests.groups.factories import MembershipFactory, SupportGroupFactory
from tests.groups.helpers import client_for


class ChannelListener:
    """A channel subscribed to one Channels group, read the way a consumer would.

    Everything the listener does runs on one event loop of its own, in a thread: the Redis layer
    binds its receive buffers to the loop that first waits on them, so a fresh loop per call
    (async_to_sync) would fail on the second receive.
    """

    def __init__(self, group_name: str):
        self.group_name = group_name
        self.layer = get_channel_layer()
        self.loop = asyncio.new_event_loop()
        self.thread = threading.Thread(target=self.loop.run_forever, daemon=True)
        self.thread.start()
        self.channel = self._run(self.layer.new_channel())
        self._run(self.layer.group_add(group_name, self.channel))
        # One receive that is never cancelled, as in a consumer: the Pub/Sub layer drops a channel
        # whose receive is cancelled (a timeout here), so timeouts wait on our own queue instead.
        self.inbox = self._run(self._make_inbox())
        self.pump = asyncio.run_coroutine_threadsafe(self._pump(), self.loop)

    async def _make_inbox(self) -> asyncio.Queue:
        return asyncio.Queue()

    async def _pump(self) -> None:
        while True:
            await self.inbox.put(await self.layer.receive(self.channel))

    def _run(self, coroutine, timeout: float = 10.0):
        return asyncio.run_coroutine_threadsafe(coroutine, self.loop).result(timeout)

    def receive(self, timeout: float = 2.0) -> dict:
        return self._run(asyncio.wait_for(self.inbox.get(), timeout))

    def nothing_arrives(self, wait: float = 0.2) -> bool:
        try:
            self.receive(timeout=wait)
        except TimeoutError:
            return True
        return False

    def close(self) -> None:
        try:
            self.pump.cancel()
            self._run(self.layer.group_discard(self.group_name, self.channel))
        finally:
            self.loop.call_soon_threadsafe(self.loop.stop)
            self.thread.join(timeout=5)
            self.loop.close()


@pytest.fixture
def listen():
    """`with listen("user-7") as listener:` subscribes a fresh channel to that Channels group."""

    @contextmanager
    def _listen(group_name: str):
        listener = ChannelListener(group_name)
        try:
            yield listener
        finally:
            listener.close()

    return _listen


@pytest.fixture
def group(db):
    """A listed, open group with a facilitator."""
    group = SupportGroupFactory(name="Flat on antidepressants", slug="flat")
    MembershipFactory(group=group, user=UserFactory(), facilitator=True)
    return group


@pytest.fixture
def group_facilitator(group):
    return group.memberships.get(role=Membership.Role.FACILITATOR).user


@pytest.fixture
def group_member(group):
    return MembershipFactory(group=group).user


@pytest.fixture
def member_client(group_member):
    return client_for(group_member)


@pytest.fixture
def facilitator_client(group_facilitator):
    return client_for(group_facilitator)
