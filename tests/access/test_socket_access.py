"""The site-wide access matrix, its sockets: the ten kinds of visitor of tests/support/worlds/site.py
open both socket routes, in rooms of the private group A and the listed group B.

A module of its own: these tests commit (the sockets' threads read the world through their own
connections), which the URL matrix's once-per-module world, rolled back at its end, must not see.
"""
from datetime import timedelta

import pytest
from channels.db import database_sync_to_async
from channels.testing import WebsocketCommunicator
from django.conf import settings
from django.utils import timezone

from groups.models import GroupSession
from platform_site.asgi import application
from platform_site.routing import websocket_urlpatterns
from tests.support.roles import (
    ANONYMOUS,
    FACILITATOR_A,
    FACILITATOR_B,
    LEFT_A,
    MEMBER_A,
    MEMBER_B,
    MODERATOR,
    MODERATOR_WITHOUT_MFA,
    REMOVED_A,
    SITE_ROLES,
    SUSPENDED,
)
from tests.support.worlds.site import build_site_world

# ----------------------------------------------------------------------------- sockets

ROOM_ANSWERS = {
    ANONYMOUS: 4401,
    SUSPENDED: 4401,  # the suspension ended their session
    MEMBER_A: None,
    FACILITATOR_A: None,
    MODERATOR: None,
    # Group A is private: its session does not exist for anyone outside it.
    MEMBER_B: 4404,
    FACILITATOR_B: 4404,
    REMOVED_A: 4404,
    LEFT_A: 4404,
    MODERATOR_WITHOUT_MFA: 4404,  # moderator powers wait for the second factor
}
# Group B is listed: its room is there, for its members; others are told it is not theirs.
ROOM_B_ANSWERS = {ANONYMOUS: 4401, SUSPENDED: 4401, MEMBER_B: None, FACILITATOR_B: None, MODERATOR: None} | {
    role: 4403 for role in (MEMBER_A, REMOVED_A, LEFT_A, FACILITATOR_A, MODERATOR_WITHOUT_MFA)
}
MODERATION_ANSWERS = {role: 4401 for role in (ANONYMOUS, SUSPENDED)} | {
    role: 4403 for role in (MEMBER_A, MEMBER_B, REMOVED_A, LEFT_A, FACILITATOR_A, FACILITATOR_B, MODERATOR_WITHOUT_MFA)
} | {MODERATOR: None}


async def _socket_answer(path: str, cookie: str | None):
    headers = [(b"origin", b"http://testserver"), (b"host", b"testserver")]
    if cookie:
        headers.append((b"cookie", cookie.encode()))
    socket = WebsocketCommunicator(application, path, headers=headers)
    connected, _ = await socket.connect()
    assert connected  # refusals are explained in a frame first, then the socket closes with a code
    first = await socket.receive_json_from()
    if first.get("type") == "error":
        closed = await socket.receive_output()
        return closed["code"]
    await socket.disconnect()
    return None


def _cookie(world, role: str) -> str | None:
    morsel = world.client(role).cookies.get(settings.SESSION_COOKIE_NAME)
    return f"{settings.SESSION_COOKIE_NAME}={morsel.value}" if morsel is not None and morsel.value else None


@pytest.mark.django_db(transaction=True)
@pytest.mark.asyncio
@pytest.mark.parametrize(
    ("where", "answers"),
    [("room-A", ROOM_ANSWERS), ("room-B", ROOM_B_ANSWERS), ("moderation", MODERATION_ANSWERS)],
    ids=["room-of-private-group-A", "room-of-listed-group-B", "moderation"],
)
async def test_both_sockets_answer_each_role_as_declared(where, answers):
    world = await database_sync_to_async(build_site_world)()

    def open_rooms_now():
        sessions = GroupSession.objects.filter(pk__in=[world.session_a.pk, world.session_b.pk])
        sessions.update(starts_at=timezone.now() + timedelta(minutes=5))

    await database_sync_to_async(open_rooms_now)()
    path = {
        "room-A": f"/ws/sessions/{world.session_a.pk}/", "room-B": f"/ws/sessions/{world.session_b.pk}/",
        "moderation": "/ws/moderation/",
    }[where]
    mismatches = []
    for role in SITE_ROLES:
        answer = await _socket_answer(path, _cookie(world, role))
        if answer != answers[role]:
            mismatches.append(f"{path} {role}: expected {answers[role] or 'accepted'}, got {answer or 'accepted'}")
    assert not mismatches, "\n".join(mismatches)


# Every socket route and the test above that tries it: a new route must say who may open it.
SOCKET_ROUTES_TRIED = {"ws/sessions/<int:session_id>/", "ws/moderation/"}


def test_every_socket_route_declares_who_may_open_it():
    routes = {str(pattern.pattern) for pattern in websocket_urlpatterns}
    assert routes == SOCKET_ROUTES_TRIED, (
        "try each socket route for the ten roles in test_both_sockets_answer_each_role_as_declared: "
        + ", ".join(sorted(routes ^ SOCKET_ROUTES_TRIED))
    )
