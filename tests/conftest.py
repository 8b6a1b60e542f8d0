import os

import pytest
from django.core.cache import cache
from django.test import Client

from tests.factories import DEFAULT_PASSWORD, UserFactory, sign_in


def pytest_collection_modifyitems(config, items):
    # Browser tests last: they are the slowest, and a failure in a unit test should show first.
    items.sort(key=lambda item: item.get_closest_marker("e2e") is not None)
    # What only the browser's own code decides (a scripted socket, a static page's markup) runs
    # once, on the embedded default: the real services change nothing it tests. Deselected, not
    # skipped, in the real-services run, where a skip is a failure.
    if real_services_configured():
        kept = [item for item in items if item.get_closest_marker("client_only") is None]
        if len(kept) != len(items):
            config.hook.pytest_deselected(items=[item for item in items if item.get_closest_marker("client_only")])
            items[:] = kept


def pytest_unconfigure(config):
    # Django deletes the SQLite test database, but not the -wal and -shm files beside it.
    from pathlib import Path

    from django.conf import settings

    name = settings.DATABASES["default"].get("TEST", {}).get("NAME")
    if settings.DATABASES["default"]["ENGINE"].endswith("sqlite3") and name:
        for leftover in Path(name).parent.glob(Path(name).name + "*"):
            leftover.unlink(missing_ok=True)


def pytest_sessionfinish(session, exitstatus):
    # CI's run on the real services (PostgreSQL and Redis named) is the one where nothing may be
    # skipped: a skip there is a check that silently did not happen.
    reporter = session.config.pluginmanager.get_plugin("terminalreporter")
    skipped = reporter.stats.get("skipped", []) if reporter else []
    if os.environ.get("CI") and real_services_configured() and skipped and exitstatus == 0:
        print(f"\n{len(skipped)} tests were skipped on the real services; in CI that is a failure.")
        session.exitstatus = 1


@pytest.fixture(autouse=True)
def _clear_cache():
    # Rate-limit counters and heartbeats live in the cache (Redis in CI): start every test clean.
    cache.clear()
    yield
    cache.clear()


@pytest.fixture(autouse=True)
def _fresh_channel_layer():
    # channels-redis binds its locks to the event loop that first used the layer; each async test
    # runs on a loop of its own, so each test gets a layer of its own.
    from channels.layers import channel_layers

    channel_layers.backends.clear()
    yield
    channel_layers.backends.clear()


@pytest.fixture
def password() -> str:
    return DEFAULT_PASSWORD


@pytest.fixture
def member(db):
    return UserFactory()


@pytest.fixture
def other_member(db):
    return UserFactory()


@pytest.fixture
def facilitator(db):
    # Group roles arrive with the groups issue; until then a facilitator is a member.
    return UserFactory()


@pytest.fixture
def moderator(db):
    """A moderator with an authenticator app; their clients below have used it this session."""
    return UserFactory(is_moderator=True)


@pytest.fixture
def moderator_without_mfa(db):
    return UserFactory(is_moderator=True, totp=False)


def _client_for(user) -> Client:
    return sign_in(Client(), user)


@pytest.fixture
def auth_client(member) -> Client:
    return _client_for(member)


@pytest.fixture
def moderator_client(moderator) -> Client:
    return _client_for(moderator)


@pytest.fixture
def client_for():
    return _client_for


def redis_configured() -> bool:
    return bool(os.environ.get("REDIS_URL"))


def real_services_configured() -> bool:
    """CI's second run: PostgreSQL and Redis named."""
    return redis_configured() and os.environ.get("DATABASE_URL", "").startswith("postgres")
