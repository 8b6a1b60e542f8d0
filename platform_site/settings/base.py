"""Settings shared by every environment.

Values that differ between environments come from environment variables (django-environ). With
none set, Thaw runs on the embedded default of DESIGN.md: SQLite, the in-memory channel layer,
eager Celery, the local-memory cache and console e-mail. Setting REDIS_URL switches the channel
layer, the Celery broker and the cache to Redis together.
"""
from datetime import timedelta
from pathlib import Path

import environ
from django.utils.csp import CSP
from django.utils.translation import gettext_lazy as _

BASE_DIR = Path(__file__).resolve().parent.parent.parent
env = environ.Env()
environ.Env.read_env(BASE_DIR / ".env", overwrite=False)

# ----------------------------------------------------------------------------- GENERAL
# A development-only key; production.py refuses to start with it.
INSECURE_DEV_SECRET_KEY = "django-insecure-thaw-development-key-never-use-in-production"
SECRET_KEY = env("SECRET_KEY", default=INSECURE_DEV_SECRET_KEY)
DEBUG = env.bool("DEBUG", default=False)
ALLOWED_HOSTS = env.list("ALLOWED_HOSTS", default=["127.0.0.1", "localhost", "[::1]"])
CSRF_TRUSTED_ORIGINS = env.list("CSRF_TRUSTED_ORIGINS", default=[])
SITE_ID = 1
SITE_NAME = "Thaw"
# The host name used in links sent by e-mail (verification, password reset).
SITE_DOMAIN = env("SITE_DOMAIN", default="127.0.0.1:8000")

LANGUAGE_CODE = "en"
TIME_ZONE = "UTC"
USE_I18N = True
USE_TZ = True

ROOT_URLCONF = "platform_site.urls"
ASGI_APPLICATION = "platform_site.asgi.application"
WSGI_APPLICATION = "platform_site.wsgi.application"
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# ----------------------------------------------------------------------------- DATABASES
DATABASES = {
    "default": env.db("DATABASE_URL", default=f"sqlite:///{BASE_DIR / 'db.sqlite3'}"),
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # WAL lets readers continue while one writer commits; IMMEDIATE avoids "database is locked"
    # upgrades when the ASGI server's threads write at the same time.
    DATABASES["default"].setdefault("OPTIONS", {}).update(
        {"init_command": "PRAGMA journal_mode=WAL;", "transaction_mode": "IMMEDIATE"}
    )
else:
    DATABASES["default"].setdefault("CONN_MAX_AGE", env.int("CONN_MAX_AGE", default=60))
    DATABASES["default"].setdefault("CONN_HEALTH_CHECKS", True)

# ----------------------------------------------------------------------------- APPS
DJANGO_APPS = [
    "daphne",  # its runserver serves WebSockets in development; must precede staticfiles
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.contrib.sites",
    "django.contrib.humanize",
    "django.contrib.postgres",  # full-text search when on PostgreSQL; harmless on SQLite
]
THIRD_PARTY_APPS = [
    "channels",
    "allauth",
    "allauth.account",
    "allauth.mfa",
]
LOCAL_APPS = [
    "platform_site",
    "accounts",
    "groups",
    "moderation",
    "resources",
]
INSTALLED_APPS = DJANGO_APPS + THIRD_PARTY_APPS + LOCAL_APPS

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django.middleware.csp.ContentSecurityPolicyMiddleware",
    "allauth.account.middleware.AccountMiddleware",
    "accounts.middleware.UserTimezoneMiddleware",
    "accounts.middleware.ModeratorSecondFactorMiddleware",
]

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "platform_site" / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.csp",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "platform_site.context_processors.site",
                "moderation.crisis_panel.crisis_panel",
                "moderation.context_processors.moderation_badge",
            ],
        },
    },
]

# ----------------------------------------------------------------------------- STATIC
STATIC_URL = "/static/"
STATIC_ROOT = BASE_DIR / "staticfiles"
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"},
}

# ----------------------------------------------------------------------------- SECURITY
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
CSRF_COOKIE_HTTPONLY = True
X_FRAME_OPTIONS = "DENY"
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
# Django's built-in Content Security Policy: our own scripts carry the request's nonce
# ({{ csp_nonce }}); nothing inline without it, nothing from another origin.
SECURE_CSP = {
    "default-src": [CSP.SELF],
    "script-src": [CSP.SELF, CSP.NONCE],
    "style-src": [CSP.SELF],
    "img-src": [CSP.SELF, "data:"],
    "connect-src": [CSP.SELF],
    "font-src": [CSP.SELF],
    "object-src": [CSP.NONE],
    "base-uri": [CSP.NONE],
    "frame-ancestors": [CSP.NONE],
    "form-action": [CSP.SELF],
}
# Request limits, refused with a page that says why (platform_site/limits.py). The longest form,
# a 10,000-character post, is well under 1 MB; no form has more than a few dozen fields.
DATA_UPLOAD_MAX_MEMORY_SIZE = 1_000_000
DATA_UPLOAD_MAX_NUMBER_FIELDS = 500
# No page accepts files: any file in a request is refused rather than written to disk.
DATA_UPLOAD_MAX_NUMBER_FILES = 0
FILE_UPLOAD_MAX_MEMORY_SIZE = 1_000_000

# ----------------------------------------------------------------------------- AUTH / allauth
AUTH_USER_MODEL = "accounts.User"
AUTHENTICATION_BACKENDS = [
    "django.contrib.auth.backends.ModelBackend",
    "allauth.account.auth_backends.AuthenticationBackend",
]
PASSWORD_HASHERS = [
    "django.contrib.auth.hashers.Argon2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
]
# Length over composition (NIST SP 800-63B): at least 10 characters, no common passwords,
# nothing too close to the e-mail address, and no rules about digits or symbols.
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {
        "NAME": "django.contrib.auth.password_validation.MinimumLengthValidator",
        "OPTIONS": {"min_length": 10},
    },
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "account_login"
LOGIN_REDIRECT_URL = "accounts:profile"

ACCOUNT_ADAPTER = "accounts.adapters.AccountAdapter"
ACCOUNT_LOGIN_METHODS = {"email"}
ACCOUNT_SIGNUP_FIELDS = ["email*", "password1*", "password2*"]
ACCOUNT_SIGNUP_FORM_CLASS = "accounts.forms.SignupProfileForm"
ACCOUNT_USER_MODEL_USERNAME_FIELD = None
# allauth would otherwise greet people with str(user); peers and e-mails use the display name.
ACCOUNT_USER_DISPLAY = "accounts.models.user_display"
ACCOUNT_UNIQUE_EMAIL = True
ACCOUNT_EMAIL_VERIFICATION = "mandatory"
ACCOUNT_CONFIRM_EMAIL_ON_GET = False
ACCOUNT_LOGIN_ON_EMAIL_CONFIRMATION = True
ACCOUNT_CHANGE_EMAIL = True
ACCOUNT_PREVENT_ENUMERATION = True
ACCOUNT_EMAIL_NOTIFICATIONS = True
ACCOUNT_LOGOUT_ON_PASSWORD_CHANGE = False
ACCOUNT_EMAIL_SUBJECT_PREFIX = "[Thaw] "
ACCOUNT_DEFAULT_HTTP_PROTOCOL = env("ACCOUNT_DEFAULT_HTTP_PROTOCOL", default="http")
# allauth's rate limits are on by default; these are spelled out so the numbers are reviewed.
ACCOUNT_RATE_LIMITS = {
    "login": "30/m/ip",
    "login_failed": "10/m/ip,5/5m/key",
    "signup": "20/m/ip",
    "confirm_email": "1/3m/key",
    "reset_password": "20/m/ip,5/m/key",
    "reset_password_from_key": "20/m/ip",
    "change_password": "5/m/user",
    "manage_email": "10/m/user",
    "reauthenticate": "10/m/user",
}
MFA_SUPPORTED_TYPES = ["totp", "recovery_codes"]
# Moderators cannot turn their authenticator app off (moderator tools require it).
MFA_ADAPTER = "accounts.adapters.MFAAdapter"
MFA_TOTP_ISSUER = "Thaw"

# ----------------------------------------------------------------------------- E-MAIL


def mailer_from_email_url(url: str) -> dict:
    """Turn an EMAIL_URL (smtp+tls://user:pw@host:587, consolemail://) into a MAILERS entry."""
    config = environ.Env.email_url_config(url)
    backend = config["EMAIL_BACKEND"]
    options = {}
    if backend == "django.core.mail.backends.smtp.EmailBackend":
        options = {
            "host": config["EMAIL_HOST"],
            "port": config["EMAIL_PORT"],
            "username": config["EMAIL_HOST_USER"] or "",
            "password": config["EMAIL_HOST_PASSWORD"] or "",
            "use_tls": bool(config.get("EMAIL_USE_TLS")) and config["EMAIL_PORT"] != 465,
            "use_ssl": bool(config.get("EMAIL_USE_SSL")) or config["EMAIL_PORT"] == 465,
            "timeout": 10,
        }
    elif backend == "django.core.mail.backends.filebased.EmailBackend":
        options = {"file_path": "/" + config["EMAIL_FILE_PATH"].lstrip("/")}
    return {"BACKEND": backend, "OPTIONS": options}


MAILERS = {"default": mailer_from_email_url(env("EMAIL_URL", default="consolemail://"))}
DEFAULT_FROM_EMAIL = env("DEFAULT_FROM_EMAIL", default="Thaw <no-reply@thaw.localhost>")
SERVER_EMAIL = DEFAULT_FROM_EMAIL

# ----------------------------------------------------------------------------- CACHE, CHANNELS
REDIS_URL = env("REDIS_URL", default="")

if REDIS_URL:
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": REDIS_URL,
            "KEY_PREFIX": "thaw",
        }
    }
    # Redis Pub/Sub rather than channels-redis's list-based core layer: under a 300-message burst
    # to a 200-member room the core layer silently dropped deliveries (per-channel capacity),
    # Pub/Sub dropped none and fanned out 2-3x faster (bench/room_fanout.py; README "Channel layer").
    CHANNEL_LAYERS = {
        "default": {
            "BACKEND": "channels_redis.pubsub.RedisPubSubChannelLayer",
            "CONFIG": {"hosts": [REDIS_URL], "prefix": "thaw-channels"},
        }
    }
else:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
    CHANNEL_LAYERS = {"default": {"BACKEND": "channels.layers.InMemoryChannelLayer"}}

# ----------------------------------------------------------------------------- CELERY
CELERY_BROKER_URL = env("CELERY_BROKER_URL", default=REDIS_URL or "memory://localhost/")
CELERY_RESULT_BACKEND = None  # results are stored by our services, not by Celery
# Without a broker, tasks run in-process after the transaction commits (delay_on_commit).
CELERY_TASK_ALWAYS_EAGER = not (REDIS_URL or env("CELERY_BROKER_URL", default=""))
CELERY_TASK_EAGER_PROPAGATES = True
CELERY_TASK_SERIALIZER = "json"
CELERY_ACCEPT_CONTENT = ["json"]
CELERY_TIMEZONE = TIME_ZONE
# Reliability: a task is acknowledged only after it finished, so a killed worker's task is
# delivered again; each worker process reserves one task at a time so none waits behind a slow
# one. Tasks must therefore be idempotent (STYLE.md, "Celery jobs").
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_TASK_SOFT_TIME_LIMIT = 60
CELERY_TASK_TIME_LIMIT = 90
CELERY_WORKER_CANCEL_LONG_RUNNING_TASKS_ON_CONNECTION_LOSS = True
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
# Longest countdown or ETA we schedule (reminders are sent by beat, not by countdown).
CELERY_MAX_COUNTDOWN = timedelta(hours=1)
# Redis redelivers an unacknowledged task after the visibility timeout: it must be longer than
# any countdown, or a delayed task would run twice.
CELERY_BROKER_TRANSPORT_OPTIONS = {
    "visibility_timeout": int(CELERY_MAX_COUNTDOWN.total_seconds()) + 3600,
}
# Risk work has a queue of its own: a worker (or several) that serves only `risk` means a crisis
# post is never queued behind digests or reminders. `celery worker -Q risk,celery` serves both.
CELERY_TASK_ROUTES = {
    "moderation.tasks.risk_assess_task": {"queue": "risk"},
    "moderation.tasks.crisis_alerts_send_task": {"queue": "risk"},
    "moderation.tasks.risk_sweep_task": {"queue": "risk"},
}
# With the broker down, publishing gives up quickly: the pending row is swept up later, and the
# member's request must not hang.
CELERY_TASK_PUBLISH_RETRY_POLICY = {"max_retries": 1, "interval_start": 0, "interval_step": 0.2, "interval_max": 0.2}
CELERY_BROKER_CONNECTION_TIMEOUT = 2
CELERY_BEAT_SCHEDULE = {
    "risk-sweep": {
        "task": "moderation.tasks.risk_sweep_task",
        "schedule": timedelta(seconds=30),
    },
    "follow-ups-send-due": {
        "task": "moderation.tasks.follow_ups_send_due_task",
        "schedule": timedelta(minutes=1),
    },
    "worker-heartbeat": {
        "task": "platform_site.tasks.worker_heartbeat",
        "schedule": timedelta(seconds=30),
    },
    "room-connections-sweep": {
        "task": "groups.tasks.room_connections_sweep_task",
        "schedule": timedelta(minutes=1),
    },
    # Every minute, so the 15-minute reminder is never more than a minute late. A copy still
    # queued when the next one is due is dropped: the reminder job catches up on its own.
    "session-reminders-send": {
        "task": "groups.tasks.session_reminders_send_task",
        "schedule": timedelta(minutes=1),
        "options": {"expires": 55},
    },
    "topics-mark-unanswered": {
        "task": "groups.tasks.topics_mark_unanswered_task",
        "schedule": timedelta(minutes=15),
    },
    "notification-digest": {
        "task": "accounts.tasks.notification_digest_send_task",
        "schedule": timedelta(hours=24),
    },
}
# How recently a worker must have answered for the pipeline to count as healthy.
WORKER_HEARTBEAT_STALE_AFTER = timedelta(minutes=2)

# ----------------------------------------------------------------------------- LOGGING
# Mental-health content never goes into logs: log ids and events, never bodies or risk details.
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "plain"}},
    "root": {"handlers": ["console"], "level": env("LOG_LEVEL", default="INFO")},
    "loggers": {
        "django.db.backends": {"level": "WARNING"},
        # One line per task is noise at INFO; failures still show.
        "celery.app.trace": {"level": "WARNING"},
        # redis-py logs every Pub/Sub message it receives at DEBUG, and room broadcasts carry what
        # members wrote: never, whatever LOG_LEVEL says (tests/hardening/test_canary.py).
        "push_response": {"level": "WARNING"},
    },
}

LANGUAGES = [("en", _("English"))]
