"""Settings for the server benchmarks: the project's base settings, needing no service or env var.

The middleware, templates and installed apps are the project's own, so a request pays what a real
page pays before its view runs. Only what would reach a service is replaced: the database is an
unused in-memory SQLite (the benchmark views never query it), the cache is local memory, and the
channel layer is picked by BENCH_CHANNEL_LAYER, which bench/servers.py sets for each run:
`none` (no layer: the consumer echoes straight back), `memory` (Channels' in-memory layer),
`redis` (channels-redis on BENCH_REDIS_URL, the production path) or `redis-pubsub` (channels-redis's
Pub/Sub layer, for comparison).
"""
import os

from platform_site.settings.base import *  # noqa: F403

# ----------------------------------------------------------------------------- GENERAL
DEBUG = False
SECRET_KEY = "bench-only-secret-key-never-used-for-anything-but-loopback-benchmarks-0123456789"
ALLOWED_HOSTS = ["127.0.0.1", "localhost"]
CSRF_TRUSTED_ORIGINS = []
ROOT_URLCONF = "bench.urls"

# ----------------------------------------------------------------------------- DATABASES
DATABASES = {"default": {"ENGINE": "django.db.backends.sqlite3", "NAME": ":memory:"}}

# ----------------------------------------------------------------------------- STATIC
STATIC_ROOT = None  # nothing collected: WhiteNoise has no files to index and warns about none
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}

# ----------------------------------------------------------------------------- CACHE, CHANNELS
CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
_layer = os.environ.get("BENCH_CHANNEL_LAYER", "memory")
if _layer == "redis":
    CHANNEL_LAYERS = {
        "default": {
            "BACKEND": "channels_redis.core.RedisChannelLayer",
            "CONFIG": {
                # redis-py 8 gives every socket a 5 s read timeout, as long as channels-redis's
                # blocking receive (BZPOPMIN, 5 s): a consumer left idle for ~5 s then dies with
                # redis.exceptions.TimeoutError and its WebSocket drops. A longer socket timeout
                # avoids it (platform_site/settings/base.py needs the same; docs/production.md).
                "hosts": [{"address": os.environ.get("BENCH_REDIS_URL", "redis://127.0.0.1:6379/0"), "socket_timeout": 10}],
                # A prefix of its own, so a developer's running site on the same Redis is untouched.
                "prefix": "thaw-bench-channels",
            },
        }
    }
elif _layer == "redis-pubsub":
    # channels-redis's newer layer on Redis Pub/Sub (Beta upstream), measured for comparison only.
    CHANNEL_LAYERS = {
        "default": {
            "BACKEND": "channels_redis.pubsub.RedisPubSubChannelLayer",
            "CONFIG": {
                "hosts": [{"address": os.environ.get("BENCH_REDIS_URL", "redis://127.0.0.1:6379/0"), "socket_timeout": 10}],
                "prefix": "thaw-bench-pubsub",
            },
        }
    }
elif _layer == "memory":
    CHANNEL_LAYERS = {"default": {"BACKEND": "channels.layers.InMemoryChannelLayer"}}
elif _layer == "none":
    CHANNEL_LAYERS = {}
else:
    raise ValueError(f"BENCH_CHANNEL_LAYER must be none, memory, redis or redis-pubsub, not {_layer!r}")

# ----------------------------------------------------------------------------- CELERY
CELERY_BROKER_URL = "memory://"
CELERY_TASK_ALWAYS_EAGER = True

# ----------------------------------------------------------------------------- LOGGING
LOGGING["root"]["level"] = "WARNING"  # noqa: F405
