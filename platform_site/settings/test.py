"""Tests: fast hashing, locmem e-mail, eager Celery.

By default the embedded services (SQLite, in-memory channel layer, local-memory cache). With
DATABASE_URL and REDIS_URL set, as in CI's second run, the same suite runs against PostgreSQL and
Redis (channel layer and cache); tests marked `redis` then also start a real Celery worker.
"""
import os
import tempfile
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

# pytest-xdist runs the suite in several processes ("gw0", "gw1", ...). Each must have Redis to
# itself as it has its own test database: the cache is cleared (FLUSHDB) around every test and the
# broker's queues are lists in one database. So each worker takes the database after the one
# REDIS_URL names plus its number, before the base settings read REDIS_URL. A server or worker
# that a test starts inherits both variables and arrives at the same database.
XDIST_WORKER = os.environ.get("PYTEST_XDIST_WORKER", "")
REDIS_URL_OF_THE_RUN = "THAW_TEST_REDIS_URL"


def _redis_url_for_worker(url: str, worker: str) -> str:
    parts = urlsplit(url)
    database = int(parts.path.strip("/") or 0) + 1 + int(worker.removeprefix("gw"))
    if database > 15:
        raise RuntimeError(f"Redis has databases 0-15: too many test workers for {url} (worker {worker})")
    return urlunsplit(parts._replace(path=f"/{database}"))


if XDIST_WORKER and os.environ.get("REDIS_URL"):
    _run_url = os.environ.setdefault(REDIS_URL_OF_THE_RUN, os.environ["REDIS_URL"])
    _worker_url = _redis_url_for_worker(_run_url, XDIST_WORKER)
    # A process a test pointed at a Redis of its own (a fault test's private server) keeps it.
    if os.environ["REDIS_URL"] in (_run_url, _worker_url):
        os.environ["REDIS_URL"] = _worker_url

from .base import *  # noqa: E402, F403
from .base import DATABASES, REDIS_URL  # noqa: E402

DEBUG = False
SECRET_KEY = "test-secret-key-used-only-by-the-test-suite-0123456789abcdef"
ALLOWED_HOSTS = ["testserver", "127.0.0.1", "localhost"]
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
MAILERS = {"default": {"BACKEND": "django.core.mail.backends.locmem.EmailBackend"}}

# Eager by default so that a service's on-commit task runs inside the test that caused it.
CELERY_TASK_ALWAYS_EAGER = True
CELERY_BROKER_URL = REDIS_URL or "memory://localhost/"

STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
WHITENOISE_USE_FINDERS = True
WHITENOISE_AUTOREFRESH = True

if REDIS_URL:
    # Keep test keys apart from a developer's running site on the same Redis.
    CACHES["default"]["KEY_PREFIX"] = "thaw-test"  # noqa: F405
    # Pub/Sub channels are shared by all of Redis's databases: each worker needs a prefix of its own.
    CHANNEL_LAYERS["default"]["CONFIG"]["prefix"] = f"thaw-test-channels{XDIST_WORKER}"  # noqa: F405

if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # A file, not SQLite's shared in-memory database: there a read racing a write fails at once
    # with "database table is locked" (no busy wait), which the browser tests' server threads hit.
    # A file in WAL mode waits and behaves as the embedded site does.
    # One file per pytest process, so two runs on one machine never share (or delete) a database;
    # in the system's temporary folder, and removed with its -wal and -shm files after the run
    # (tests/conftest.py).
    DATABASES["default"]["TEST"] = {
        "NAME": str(Path(tempfile.gettempdir()) / f"thaw-test-db-{os.getpid()}.sqlite3")
    }
else:
    DATABASES["default"]["CONN_MAX_AGE"] = 0
