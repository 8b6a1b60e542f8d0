"""A live room through the real ASGI app (channels' WebsocketCommunicator): a group with a
facilitator and two members, a session whose room is open, and the frames a test reads from it."""
import uuid
from datetime import timedelta

from channels.db import database_sync_to_async
from django.utils import timezone

from groups.models import GroupSession
from tests.factories import UserFactory
from tests.groups.factories import MembershipFactory, SupportGroupFactory
from tests.support.sockets import open_socket


class Room:
    """A group with a facilitator and two members, and a session whose room is open now."""

    def __init__(self, *, starts_in: timedelta = timedelta(minutes=5), private: bool = False):
        self.group = SupportGroupFactory(visibility="private" if private else "listed")
        self.facilitator = MembershipFactory(group=self.group, facilitator=True).user
        self.member = MembershipFactory(group=self.group).user
        self.other = MembershipFactory(group=self.group).user
        self.session = GroupSession.objects.create(
            group=self.group, title="Thursday evening", starts_at=timezone.now() + starts_in, duration_minutes=60
        )


make_room = database_sync_to_async(Room)
create_user = database_sync_to_async(UserFactory)


async def join(room: Room, user, *, expect_welcome: bool = True):
    socket = await open_socket(f"/ws/sessions/{room.session.pk}/", user=user)
    connected, _ = await socket.connect()
    assert connected
    if expect_welcome:
        frames = [await socket.receive_json_from() for _ in range(3)]
        assert [f["type"] for f in frames] == ["welcome", "history", "state"]
        socket.welcome, socket.history = frames[0], frames[1]
    return socket


async def next_of(socket, kind: str, *, skip: int = 10) -> dict:
    """The next frame of type `kind`, skipping presence and other frames in between."""
    for _ in range(skip):
        frame = await socket.receive_json_from(timeout=3)
        if frame["type"] == kind:
            return frame
    raise AssertionError(f"no {kind} frame")


async def drain(socket) -> None:
    while not await socket.receive_nothing(timeout=0.2):
        await socket.receive_output()


async def refused(socket) -> tuple[dict, int]:
    frame = await socket.receive_json_from()
    closed = await socket.receive_output()
    return frame, closed["code"]


def message(body: str, client_id: str | None = None) -> dict:
    return {"type": "message", "body": body, "client_id": client_id or str(uuid.uuid4())}
