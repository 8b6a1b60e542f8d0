"""Tests: fast hashing, locmem e-mail, eager Celery.

By default the embedded services (SQLite, in-memory channel layer, local-memory cache). With
DATABASE_URL and REDIS_URL set, as in CI's second run, the same suite runs against PostgreSQL and
Redis (channel layer and cache); tests marked `redis` then also start a real Celery worker.
"""
import os

from .base import *  # noqa: F403
from .base import DATABASES, REDIS_URL

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
    CHANNEL_LAYERS["default"]["CONFIG"]["prefix"] = "thaw-test-channels"  # noqa: F405

if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # A file, not SQLite's shared in-memory database: there a read racing a write fails at once
    # with "database table is locked" (no busy wait), which the browser tests' server threads hit.
    # A file in WAL mode waits and behaves as the embedded site does.
    # One file per pytest process, so two runs on one machine never share (or delete) a database.
    DATABASES["default"]["TEST"] = {"NAME": str(BASE_DIR / f"test-db-{os.getpid()}.sqlite3")}  # noqa: F405
else:
    DATABASES["default"]["CONN_MAX_AGE"] = 0
