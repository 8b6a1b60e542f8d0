"""The site-wide access matrix: eight kinds of visitor × every URL and socket path.

URLs of groups/ and moderation/ are checked by their own tables (tests/groups/url_table.py,
tests/moderation/url_table.py, with richer worlds); this file checks the rest, checks both sockets
for all eight roles, and fails when any URL in Django's resolver is declared in none of the three.
"""
from datetime import timedelta

import pytest
from channels.db import database_sync_to_async
from channels.testing import WebsocketCommunicator
from django.conf import settings
from django.urls import URLPattern, URLResolver, get_resolver, reverse
from django.utils import timezone

from groups.models import GroupSession
from platform_site.asgi import application
from platform_site.routing import websocket_urlpatterns
from tests.access.url_table import ADMIN_LOGIN, ADMIN_PREFIX, CASES, ELSEWHERE, LOGIN, OK
from tests.access.world import (
    ANONYMOUS,
    FACILITATOR_A,
    FACILITATOR_B,
    MEMBER_A,
    MEMBER_B,
    MODERATOR,
    REMOVED_A,
    ROLES,
    SUSPENDED,
    attempt,
    build_site_world,
)
from tests.groups.url_table import CASES as GROUP_CASES
from tests.moderation.url_table import CASES as MODERATION_CASES

LOGIN_URL = reverse("account_login")
ADMIN_LOGIN_URL = reverse("admin:login")


def _answer(response):
    if response.status_code == 302:
        location = response["Location"]
        if location.startswith(LOGIN_URL):
            return LOGIN
        if location.startswith(ADMIN_LOGIN_URL):
            return ADMIN_LOGIN
        return ELSEWHERE
    return response.status_code


@pytest.fixture
def world(db):
    return build_site_world()


@pytest.mark.parametrize("case", CASES, ids=lambda case: case.id)
def test_url_answers_each_role_as_declared(world, case):
    url = reverse(case.name, kwargs=case.kwargs(world))
    mismatches = []
    for role in ROLES:
        response = attempt(world.client(role), case.method, url, case.data(world))
        expected, answer = case.expected(role), _answer(response)
        if expected == OK:
            if answer not in case.ok:
                mismatches.append(f"{role}: expected one of {sorted(map(str, case.ok))}, got {answer}")
        elif answer != expected:
            mismatches.append(f"{role}: expected {expected}, got {answer}")
    assert not mismatches, f"{case.method.upper()} {url}:\n" + "\n".join(mismatches)


def _resolver_names(patterns, namespace: str = "") -> set[str]:
    names = set()
    for pattern in patterns:
        if isinstance(pattern, URLResolver):
            inner = f"{namespace}:{pattern.namespace}" if namespace and pattern.namespace else (pattern.namespace or namespace)
            names |= _resolver_names(pattern.url_patterns, inner)
        elif isinstance(pattern, URLPattern) and pattern.name:
            names.add(f"{namespace}:{pattern.name}" if namespace else pattern.name)
    return names


def test_every_url_in_the_resolver_declares_who_may_use_it():
    declared = {case.name for case in CASES}
    declared |= {f"groups:{case.name}" for case in GROUP_CASES}
    declared |= {f"moderation:{case.name}" for case in MODERATION_CASES}
    missing = {
        name for name in _resolver_names(get_resolver().url_patterns)
        if name not in declared and not name.startswith(ADMIN_PREFIX)
    }
    assert missing == set(), (
        "declare who may use these URLs (tests/access/url_table.py, or the groups/moderation tables): "
        + ", ".join(sorted(missing))
    )


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
}
# Group B is listed: its room is there, for its members; others are told it is not theirs.
ROOM_B_ANSWERS = {ANONYMOUS: 4401, SUSPENDED: 4401, MEMBER_B: None, FACILITATOR_B: None, MODERATOR: None} | {
    role: 4403 for role in (MEMBER_A, REMOVED_A, FACILITATOR_A)
}
MODERATION_ANSWERS = {role: 4401 for role in (ANONYMOUS, SUSPENDED)} | {
    role: 4403 for role in (MEMBER_A, MEMBER_B, REMOVED_A, FACILITATOR_A, FACILITATOR_B)
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
async def test_both_sockets_answer_each_role_as_declared():
    world = await database_sync_to_async(build_site_world)()

    def open_rooms_now():
        sessions = GroupSession.objects.filter(pk__in=[world.session_a.pk, world.session_b.pk])
        sessions.update(starts_at=timezone.now() + timedelta(minutes=5))

    await database_sync_to_async(open_rooms_now)()
    mismatches = []
    tried = (
        (f"/ws/sessions/{world.session_a.pk}/", ROOM_ANSWERS),
        (f"/ws/sessions/{world.session_b.pk}/", ROOM_B_ANSWERS),
        ("/ws/moderation/", MODERATION_ANSWERS),
    )
    for path, answers in tried:
        for role in ROLES:
            answer = await _socket_answer(path, _cookie(world, role))
            if answer != answers[role]:
                mismatches.append(f"{path} {role}: expected {answers[role] or 'accepted'}, got {answer or 'accepted'}")
    assert not mismatches, "\n".join(mismatches)


# Every socket route and the test above that tries it: a new route must say who may open it.
SOCKET_ROUTES_TRIED = {"ws/sessions/<int:session_id>/", "ws/moderation/"}


def test_every_socket_route_declares_who_may_open_it():
    routes = {str(pattern.pattern) for pattern in websocket_urlpatterns}
    assert routes == SOCKET_ROUTES_TRIED, (
        "try each socket route for the eight roles in test_both_sockets_answer_each_role_as_declared: "
        + ", ".join(sorted(routes ^ SOCKET_ROUTES_TRIED))
    )
