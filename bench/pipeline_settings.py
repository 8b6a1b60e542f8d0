"""Settings for the pipeline latency benchmark (bench/pipeline_latency.py).

The project's base settings with the real services, as in production: PostgreSQL (DATABASE_URL,
a throwaway database), Redis for the broker, the channel layer and the cache (REDIS_URL, a Redis
database of its own), Celery not eager. Only e-mail stays in memory.
"""
import os

from platform_site.settings.base import *  # noqa: F403

for _name in ("DATABASE_URL", "REDIS_URL"):
    if _name not in os.environ:
        raise RuntimeError(f"bench.pipeline_settings needs {_name} (bench/pipeline_latency.py sets it)")

DEBUG = False
SECRET_KEY = "bench-pipeline-only-secret-key-never-used-for-anything-but-loopback-benchmarks-0123456789"
ALLOWED_HOSTS = ["127.0.0.1", "localhost"]
CSRF_TRUSTED_ORIGINS = []
STATIC_ROOT = None
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
MAILERS = {"default": {"BACKEND": "django.core.mail.backends.locmem.EmailBackend"}}
LOGGING["root"]["level"] = "WARNING"  # noqa: F405
