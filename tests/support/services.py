"""The real services of CI's second run (PostgreSQL and Redis), for tests that start processes on them.

Servers and workers a test starts are other processes: they reach the test database through a URL
of their own, and they listen on free ports.
"""
import os
import socket
from pathlib import Path
from urllib.parse import quote

import pytest
from django.conf import settings as django_settings
from django.db import connection

REPO = Path(__file__).resolve().parents[2]
REDIS_URL = os.environ.get("REDIS_URL", "")
ON_POSTGRESQL = "postgresql" in django_settings.DATABASES["default"]["ENGINE"]

# Servers, workers and the test share the test database, so every row must be committed. Each
# fault test stops or starts services and times real processes: they run after the parallel part.
REAL_SERVICES = [
    pytest.mark.redis,
    pytest.mark.serial,
    pytest.mark.skipif(
        not (REDIS_URL and ON_POSTGRESQL),
        reason="needs REDIS_URL and a PostgreSQL DATABASE_URL: servers and workers share them (CI's second run)",
    ),
    pytest.mark.django_db(transaction=True),
]


def database_url_for_processes() -> str:
    """The test database (not the one DATABASE_URL names) as a URL for another process's settings."""
    db = connection.settings_dict
    credentials = quote(db["USER"] or "", safe="")
    if db["PASSWORD"]:
        credentials += ":" + quote(db["PASSWORD"], safe="")
    port = f":{db['PORT']}" if db["PORT"] else ""
    return f"postgres://{credentials}@{db['HOST'] or 'localhost'}{port}/{quote(db['NAME'], safe='')}"


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]
