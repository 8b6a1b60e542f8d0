"""Settings for the live-room fan-out benchmark (bench/room_fanout.py).

As bench/pipeline_settings.py: the project's base settings with the real services, PostgreSQL
(DATABASE_URL, a throwaway database) and Redis (REDIS_URL, a Redis database of its own) for the
channel layer, the Celery broker and the cache; Celery not eager (no worker runs: the risk tasks
that room messages enqueue just wait in the benchmark's Redis database, which is flushed after).
The channel layer is picked by BENCH_CHANNEL_LAYER, which bench/room_fanout.py sets per server:
`pubsub` (channels_redis.pubsub.RedisPubSubChannelLayer, exactly as platform_site/settings/base.py
sets it) or `core` (channels_redis.core.RedisChannelLayer, the list-based layer it replaced).
"""
import os

# The same base as the pipeline benchmark (real PostgreSQL and Redis, Celery not eager); only the
# secret and the channel layer differ.
from bench.pipeline_settings import *  # noqa: F403
from platform_site.settings.base import REDIS_URL

SECRET_KEY = "bench-room-only-secret-key-never-used-for-anything-but-loopback-benchmarks-0123456789"

# ----------------------------------------------------------------------------- CHANNELS
_layer = os.environ.get("BENCH_CHANNEL_LAYER", "pubsub")
if _layer == "core":
    CHANNEL_LAYERS = {
        "default": {
            "BACKEND": "channels_redis.core.RedisChannelLayer",
            "CONFIG": {"hosts": [{"address": REDIS_URL, "socket_timeout": 10}], "prefix": "thaw-bench-room"},
        }
    }
elif _layer == "pubsub":
    CHANNEL_LAYERS = {
        "default": {
            "BACKEND": "channels_redis.pubsub.RedisPubSubChannelLayer",
            "CONFIG": {"hosts": [REDIS_URL], "prefix": "thaw-bench-room"},
        }
    }
else:
    raise ValueError(f"BENCH_CHANNEL_LAYER must be core or pubsub, not {_layer!r}")
