"""Health of the processes behind the site: the database, the cache and the Celery workers."""
from datetime import datetime

from django.conf import settings
from django.core.cache import cache
from django.db import connection
from django.utils import timezone

WORKER_HEARTBEAT_CACHE_KEY = "health:worker-heartbeat"


def worker_heartbeat_record() -> datetime:
    """Record that a worker just ran a task (called by the beat-scheduled heartbeat task)."""
    now = timezone.now()
    cache.set(WORKER_HEARTBEAT_CACHE_KEY, now.isoformat(), timeout=None)
    return now


def worker_last_seen() -> datetime | None:
    """When a worker last answered; None if never, or if the cache (Redis) cannot be reached."""
    try:
        value = cache.get(WORKER_HEARTBEAT_CACHE_KEY)
    except Exception:  # Redis down: the dashboard says "no worker answered", it does not fail
        return None
    return datetime.fromisoformat(value) if value else None


def worker_is_responsive() -> bool:
    """True when tasks run in-process (eager), or a worker answered recently."""
    if settings.CELERY_TASK_ALWAYS_EAGER:
        return True
    last_seen = worker_last_seen()
    return last_seen is not None and timezone.now() - last_seen < settings.WORKER_HEARTBEAT_STALE_AFTER


def database_is_reachable() -> bool:
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
        return True
    except Exception:  # any driver error means "not reachable" to a health probe
        return False
