"""Settings for the forum benchmark (bench/forum.py): the project's base settings on a bench database.

Everything a page pays for is the project's own: middleware, templates, installed apps, the database
session engine, allauth. The database comes from DATABASE_URL, which bench/forum.py points at its
throwaway SQLite file or at the `thaw_bench_forum` PostgreSQL database; on PostgreSQL the base
settings' persistent connections (CONN_MAX_AGE 60, health checks) apply, as in production. Only
what would reach another service is replaced: local-memory cache, in-memory channel layer, eager
Celery, and static files served without a collectstatic manifest.
"""
import os

from platform_site.settings.base import *  # noqa: F403
from platform_site.settings.base import DATABASES

if "DATABASE_URL" not in os.environ:
    # Never fall back to the developer's db.sqlite3: the benchmark seeds and then drops its database.
    raise RuntimeError("bench.forum_settings needs DATABASE_URL (bench/forum.py sets it)")

# ----------------------------------------------------------------------------- GENERAL
DEBUG = False
SECRET_KEY = "bench-forum-only-secret-key-never-used-for-anything-but-loopback-benchmarks-0123456789"
ALLOWED_HOSTS = ["127.0.0.1", "localhost"]
CSRF_TRUSTED_ORIGINS = []

# ----------------------------------------------------------------------------- DATABASES
# DATABASES comes from base (env.db("DATABASE_URL")): SQLite gets WAL + IMMEDIATE, PostgreSQL gets
# CONN_MAX_AGE/CONN_HEALTH_CHECKS, exactly as a deployment would.
assert DATABASES["default"]["NAME"] not in ("", None)

# ----------------------------------------------------------------------------- STATIC
# No collectstatic: {% static %} must not need the manifest that CompressedManifestStaticFilesStorage
# reads. The benchmark never requests static files.
STATIC_ROOT = None
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}

# ----------------------------------------------------------------------------- CACHE, CHANNELS, CELERY
CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
CHANNEL_LAYERS = {"default": {"BACKEND": "channels.layers.InMemoryChannelLayer"}}
CELERY_BROKER_URL = "memory://"
CELERY_TASK_ALWAYS_EAGER = True
MAILERS = {"default": {"BACKEND": "django.core.mail.backends.locmem.EmailBackend"}}

# ----------------------------------------------------------------------------- LOGGING
LOGGING["root"]["level"] = "WARNING"  # noqa: F405
