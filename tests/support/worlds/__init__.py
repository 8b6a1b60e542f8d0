"""Worlds built once per test module.

A world (users, groups, posts, signed-in clients) that many tests only read is built once, inside
a transaction that is rolled back after the module's last test. Each test still runs in a savepoint
of its own (pytest-django's `db`, nested in that transaction), so what one test changes the next
never sees, and nothing outlives the module. Tests that use such a world must not need
`transactional_db` (they would commit through it).
"""
from collections.abc import Callable
from typing import Any

import pytest
from django.db import transaction


def world_for_module(build: Callable[[], Any]):
    """A module-scoped fixture named as the variable it is assigned to: `world = world_for_module(build)`."""

    @pytest.fixture(scope="module")
    def _world(django_db_setup, django_db_blocker):
        with django_db_blocker.unblock():
            with transaction.atomic():
                world = build()
                yield world
                transaction.set_rollback(True)

    return _world
