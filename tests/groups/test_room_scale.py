"""The live room across web processes: two real ASGI servers sharing one Redis and one database.

Production runs several `asgi` processes (docker-compose.yml's ASGI_WORKERS, more nodes): a message
stored through one must reach the members connected to another, through the channel layer, and
presence (read from the database's RoomConnection rows) must list everyone wherever they are.
Here two uvicorn processes serve platform_site.asgi on two ports, with the test settings (so with
the channel layer they configure), the test database and REDIS_URL; real WebSocket clients (the
`websockets` library) connect to each.
"""
import asyncio
import json
import time
import uuid
from datetime import timedelta

import pytest
from django.utils import timezone

from groups.models import GroupSession
from tests.groups.factories import MembershipFactory, SupportGroupFactory
from tests.support.servers import DEADLINE, AsgiServer, cookie_for, open_room
from tests.support.services import ON_POSTGRESQL, REDIS_URL

pytestmark = [
    pytest.mark.redis,
    pytest.mark.serial,  # real worker or server processes, timed: after the parallel part
    pytest.mark.skipif(not REDIS_URL, reason="needs REDIS_URL: the channel layer the two servers share (CI's second run)"),
    pytest.mark.skipif(
        not ON_POSTGRESQL,
        reason="needs a PostgreSQL DATABASE_URL: the server processes must share the test database (CI's second run)",
    ),
    pytest.mark.django_db(transaction=True),
]


@pytest.fixture
def two_servers(transactional_db, tmp_path):
    """Two uvicorn processes on the test database and REDIS_URL; always stopped before the flush."""
    servers = [AsgiServer(f"server {n}", tmp_path / f"server-{n}.log") for n in (1, 2)]
    try:
        for server in servers:
            server.wait_ready()
        yield servers
    finally:
        for server in servers:
            server.stop()
            print(f"---- log of {server.name} ----\n{server.log()}")  # shown only when the test failed


async def _until(socket, kind: str, condition=lambda frame: True) -> dict:
    """The first frame of type `kind` meeting `condition`, skipping everything else."""
    deadline = time.monotonic() + DEADLINE
    while (left := deadline - time.monotonic()) > 0:
        frame = json.loads(await asyncio.wait_for(socket.recv(), left))
        if frame["type"] == kind and condition(frame):
            return frame
    raise AssertionError(f"no {kind} frame as expected within {DEADLINE:.0f} s")


def _names(presence: dict) -> set[str]:
    return {participant["display_name"] for participant in presence["participants"]}


def test_a_message_sent_through_one_server_reaches_a_member_on_another_and_presence_spans_both(two_servers):
    server_one, server_two = two_servers
    group = SupportGroupFactory()
    facilitator = MembershipFactory(group=group, facilitator=True).user
    member_a = MembershipFactory(group=group).user
    member_b = MembershipFactory(group=group).user
    session = GroupSession.objects.create(
        group=group, title="Across processes", starts_at=timezone.now() - timedelta(minutes=1), duration_minutes=60
    )
    cookies = {user.pk: cookie_for(user) for user in (facilitator, member_a, member_b)}
    everyone = {str(user.display_name) for user in (facilitator, member_a, member_b)}

    async def scenario() -> None:
        # The facilitator on server two lets member A, on server one, send: presence is one list.
        leader = await open_room(server_two, session.pk, cookies[facilitator.pk])
        a = await open_room(server_one, session.pk, cookies[member_a.pk])
        b = await open_room(server_two, session.pk, cookies[member_b.pk])
        try:
            for socket in (a, b, leader):
                presence = await _until(socket, "presence", lambda frame: _names(frame) == everyone)
                assert presence["facilitator_present"] is True

            client_id = str(uuid.uuid4())
            await a.send(json.dumps({"type": "message", "body": "Hello from the first server.", "client_id": client_id}))
            ack = await _until(a, "ack", lambda frame: frame["client_id"] == client_id)
            assert ack["duplicate"] is False
            for socket in (b, leader, a):
                received = await _until(socket, "message", lambda frame: frame["client_id"] == client_id)
                assert (received["seq"], received["id"]) == (ack["seq"], ack["id"])
                assert received["body"] == "Hello from the first server."
                assert received["author"]["user_id"] == member_a.pk

            await b.close()
            presence = await _until(a, "presence", lambda frame: len(frame["participants"]) == 2)
            assert _names(presence) == {str(facilitator.display_name), str(member_a.display_name)}
        finally:
            for socket in (a, b, leader):
                await socket.close()

    asyncio.run(scenario())
