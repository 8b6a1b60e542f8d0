"""Settings come from the environment; production refuses unsafe configuration."""
import json
import os
import secrets
import subprocess
import sys
from pathlib import Path

import pytest

PROJECT_ROOT = Path(__file__).resolve().parents[2]

SETTINGS_SNAPSHOT = """
import json
from django.conf import settings
print(json.dumps({
    "db_engine": settings.DATABASES["default"]["ENGINE"],
    "channel_layer": settings.CHANNEL_LAYERS["default"]["BACKEND"],
    "cache": settings.CACHES["default"]["BACKEND"],
    "celery_eager": settings.CELERY_TASK_ALWAYS_EAGER,
    "celery_broker": settings.CELERY_BROKER_URL,
    "email_backend": settings.MAILERS["default"]["BACKEND"],
    "email_options": settings.MAILERS["default"]["OPTIONS"],
    "debug": settings.DEBUG,
    "allowed_hosts": settings.ALLOWED_HOSTS,
    "csrf_trusted_origins": settings.CSRF_TRUSTED_ORIGINS,
}))
"""


def _clean_env(**overrides: str) -> dict[str, str]:
    names = ("DATABASE_URL", "REDIS_URL", "SECRET_KEY", "DEBUG", "ALLOWED_HOSTS", "CSRF_TRUSTED_ORIGINS",
             "EMAIL_URL", "CELERY_BROKER_URL", "DJANGO_SETTINGS_MODULE", "DJANGO_ALLOW_ASYNC_UNSAFE")
    env = {key: value for key, value in os.environ.items() if key not in names}
    env.update(overrides)
    return env


def _run_django(code: str, **env: str) -> subprocess.CompletedProcess:
    script = "import django; django.setup()\n" + code
    return subprocess.run(
        [sys.executable, "-c", script], cwd=PROJECT_ROOT, env=_clean_env(**env),
        capture_output=True, text=True, timeout=120,
    )


def _settings_with(**env: str) -> dict:
    result = _run_django(SETTINGS_SNAPSHOT, **env)
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout.strip().splitlines()[-1])


def _production_env(**extra: str) -> dict[str, str]:
    return {
        "DJANGO_SETTINGS_MODULE": "platform_site.settings.production",
        "SECRET_KEY": secrets.token_urlsafe(64),
        "ALLOWED_HOSTS": "thaw.example.org",
        "EMAIL_URL": "smtp+tls://mailer:secret@smtp.example.org:587",
        "DATABASE_URL": "postgres://thaw:pw@db.internal:5432/thaw",
        "REDIS_URL": "redis://redis.internal:6379/0",
        **extra,
    }


def test_with_no_environment_the_site_runs_on_embedded_services():
    snapshot = _settings_with(DJANGO_SETTINGS_MODULE="platform_site.settings.local")
    assert snapshot["db_engine"] == "django.db.backends.sqlite3"
    assert snapshot["channel_layer"] == "channels.layers.InMemoryChannelLayer"
    assert snapshot["cache"] == "django.core.cache.backends.locmem.LocMemCache"
    assert snapshot["celery_eager"] is True
    assert snapshot["email_backend"] == "django.core.mail.backends.console.EmailBackend"
    assert snapshot["debug"] is True


def test_redis_url_switches_channel_layer_celery_and_cache_together():
    snapshot = _settings_with(
        DJANGO_SETTINGS_MODULE="platform_site.settings.local",
        REDIS_URL="redis://127.0.0.1:6379/5",
        DATABASE_URL="postgres://thaw:pw@db.internal:5432/thaw",
        EMAIL_URL="smtp+tls://mailer:pw@smtp.example.org:587",
        ALLOWED_HOSTS="thaw.example.org,www.thaw.example.org",
        CSRF_TRUSTED_ORIGINS="https://thaw.example.org",
        DEBUG="false",
    )
    assert snapshot["db_engine"] == "django.db.backends.postgresql"
    assert snapshot["channel_layer"] == "channels_redis.pubsub.RedisPubSubChannelLayer"
    assert snapshot["cache"] == "django.core.cache.backends.redis.RedisCache"
    assert snapshot["celery_eager"] is False
    assert snapshot["celery_broker"] == "redis://127.0.0.1:6379/5"
    assert snapshot["email_backend"] == "django.core.mail.backends.smtp.EmailBackend"
    assert snapshot["email_options"]["host"] == "smtp.example.org"
    assert snapshot["email_options"]["port"] == 587
    assert snapshot["email_options"]["use_tls"] is True
    assert snapshot["debug"] is False
    assert snapshot["allowed_hosts"] == ["thaw.example.org", "www.thaw.example.org"]
    assert snapshot["csrf_trusted_origins"] == ["https://thaw.example.org"]


@pytest.mark.parametrize(
    "secret_key",
    ["", "django-insecure-thaw-development-key-never-use-in-production", "too-short-a-key"],
    ids=["missing", "development-key", "short"],
)
def test_production_refuses_to_start_without_a_real_secret_key(secret_key):
    env = _production_env(SECRET_KEY=secret_key)
    if not secret_key:
        del env["SECRET_KEY"]
    result = _run_django("print('started')", **env)
    assert result.returncode != 0
    assert "SECRET_KEY must be set" in result.stderr


@pytest.mark.parametrize(
    ("missing", "message"),
    [("REDIS_URL", "REDIS_URL must be set"), ("DATABASE_URL", "DATABASE_URL must point at PostgreSQL")],
)
def test_production_refuses_the_embedded_services(missing, message):
    env = _production_env()
    del env[missing]
    result = _run_django("print('started')", **env)
    assert result.returncode != 0
    assert message in result.stderr


def test_production_settings_pass_the_deployment_checklist():
    result = subprocess.run(
        [sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"],
        cwd=PROJECT_ROOT, env=_clean_env(**_production_env()), capture_output=True, text=True, timeout=120,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "no issues" in result.stdout
