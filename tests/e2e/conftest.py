"""Browser tests: Playwright driving Debian's Chromium (tests/support/browser.py launches it).

In CI (CI=true) a missing Chromium is a failure, never a skip; on a laptop without it the browser
tests are skipped with a message saying how to install it.
"""
from datetime import timedelta
from pathlib import Path

import pytest
from django.utils import timezone

from tests.e2e.helpers import AsgiServer, signed_in_context
from tests.e2e.scripted_room import ScriptedRoom
from tests.groups.factories import GroupSessionFactory, MembershipFactory, SupportGroupFactory
from tests.support.browser import ARTIFACTS, browser, open_page, page  # noqa: F401  (fixtures)


@pytest.fixture
def asgi_server(transactional_db):
    """The real ASGI application (HTTP and WebSockets) served by uvicorn from a thread, on a free
    port; `live_server` has no WebSockets. Same process: it shares the test database whatever it
    is (SQLite's shared in-memory one by default, PostgreSQL with DATABASE_URL) and the channel
    layer (in-memory by default, Redis with REDIS_URL)."""
    from channels.layers import channel_layers

    # The channel layer is a per-process singleton, and the Redis layer binds its locks to the
    # first event loop that uses it: earlier async tests ran on loops of their own. The server's
    # loop gets a fresh layer, and later tests get theirs once this loop is gone.
    channel_layers.backends.clear()
    server = AsgiServer().start()
    yield server
    server.stop()
    channel_layers.backends.clear()


@pytest.fixture
def screenshot(page):  # noqa: F811  (the fixture imported above)
    ARTIFACTS.mkdir(parents=True, exist_ok=True)

    def take(name: str) -> Path:
        path = ARTIFACTS / f"{name}.png"
        page.screenshot(path=str(path), full_page=True)
        return path

    return take


@pytest.fixture
def room_page(browser, live_server):  # noqa: F811  (the fixture imported above)
    """(page, scripted room, the member, their facilitator) for an open session's room page, whose
    socket the test answers (tests/e2e/scripted_room.py)."""
    group = SupportGroupFactory(slug="evenings")
    facilitator = MembershipFactory(group=group, facilitator=True).user
    member = MembershipFactory(group=group).user
    session = GroupSessionFactory(group=group, starts_at=timezone.now() - timedelta(minutes=5))
    opened = []

    def open_as(user, *, clock: bool = False, viewport=None):
        context = signed_in_context(browser, live_server, user, viewport=viewport or {"width": 1280, "height": 900})
        opened.append(context)
        tab = open_page(context)
        if clock:
            tab.clock.install()
        room = ScriptedRoom(tab)
        tab.goto(f"{live_server.url}/groups/{group.slug}/sessions/{session.pk}/room/")
        return tab, room

    yield open_as, member, facilitator
    for context in opened:
        context.close()
