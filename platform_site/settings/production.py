"""Production: PostgreSQL, Redis, SMTP, HTTPS behind a proxy. Every secret comes from the env."""
from django.core.exceptions import ImproperlyConfigured

from .base import *  # noqa: F403
from .base import DATABASES, INSECURE_DEV_SECRET_KEY, REDIS_URL, env, mailer_from_email_url

# ----------------------------------------------------------------------------- GENERAL
SECRET_KEY = env("SECRET_KEY", default="")
if not SECRET_KEY or SECRET_KEY == INSECURE_DEV_SECRET_KEY or len(SECRET_KEY) < 50 or len(set(SECRET_KEY)) < 5:
    raise ImproperlyConfigured(
        "SECRET_KEY must be set to a random value of at least 50 characters in production "
        '(for example: python -c "import secrets; print(secrets.token_urlsafe(64))").'
    )
DEBUG = env.bool("DEBUG", default=False)
ALLOWED_HOSTS = env.list("ALLOWED_HOSTS")

# Several processes share rooms, tasks and rate limits: the embedded services would split them.
if not REDIS_URL:
    raise ImproperlyConfigured("REDIS_URL must be set in production (channel layer, Celery broker, cache).")
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    raise ImproperlyConfigured("DATABASE_URL must point at PostgreSQL in production.")

# ----------------------------------------------------------------------------- E-MAIL
# Verification and password-reset mail must really leave: no console default here.
MAILERS = {"default": mailer_from_email_url(env("EMAIL_URL"))}

# ----------------------------------------------------------------------------- SECURITY
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SECURE_SSL_REDIRECT = env.bool("SECURE_SSL_REDIRECT", default=True)
# The health check is probed over plain HTTP inside the compose network.
SECURE_REDIRECT_EXEMPT = [r"^healthz/$"]
SESSION_COOKIE_SECURE = True
CSRF_COOKIE_SECURE = True
SECURE_HSTS_SECONDS = env.int("SECURE_HSTS_SECONDS", default=60 * 60 * 24 * 365)
SECURE_HSTS_INCLUDE_SUBDOMAINS = True
SECURE_HSTS_PRELOAD = env.bool("SECURE_HSTS_PRELOAD", default=True)
ACCOUNT_DEFAULT_HTTP_PROTOCOL = "https"
# Behind the proxy every request comes from its address: per-IP rate limits must read the client
# address from X-Forwarded-For, trusting as many hops as there are proxies.
ALLAUTH_TRUSTED_PROXY_COUNT = env.int("TRUSTED_PROXY_COUNT", default=1)

# ----------------------------------------------------------------------------- LOGGING
LOGGING["root"]["level"] = env("LOG_LEVEL", default="INFO")  # noqa: F405
LOGGING["loggers"]["django.security"] = {"level": "WARNING"}  # noqa: F405
