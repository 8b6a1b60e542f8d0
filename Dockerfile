# Thaw's one image: every process of docker-compose.yml (web, asgi, worker, beat, migrate) runs it
# with a different command. See docs/production.md.
FROM python:3.12-slim

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1 \
    PYTHONPATH=/app \
    DJANGO_SETTINGS_MODULE=platform_site.settings.production

WORKDIR /app

# 1. Dependencies, at the versions pinned in constraints.txt. Only the three files pip reads are
#    copied, so this layer is rebuilt when they change and not on every code change. The project
#    itself then runs from /app (PYTHONPATH), not from site-packages: its wheel would leave out the
#    templates and static files, and the settings find them relative to the source tree.
COPY pyproject.toml constraints.txt README.md ./
RUN pip install -c constraints.txt . \
    && pip uninstall -y thaw

# 2. The source (.dockerignore keeps out .env, .git, .venv, tests, local databases).
COPY . .

# 3. Static files, collected and compressed at build time; WhiteNoise serves them from the web
#    process. The production settings insist on a real-looking SECRET_KEY, ALLOWED_HOSTS and
#    EMAIL_URL (and may insist on the services' URLs): these throwaway values exist only for this
#    RUN, are not kept in the image, and nothing connects to them.
RUN SECRET_KEY="collectstatic-only-throwaway-key-never-used-at-runtime-0123456789abcdef" \
    ALLOWED_HOSTS="localhost" \
    EMAIL_URL="consolemail://" \
    DATABASE_URL="postgres://build@localhost:5432/unused" \
    REDIS_URL="redis://localhost:6379/0" \
    python manage.py collectstatic --noinput --verbosity 0

# 4. Run as an unprivileged user that owns nothing in /app: the code and the static files are
#    read-only to the processes that serve them.
RUN useradd --system --uid 10001 --user-group --no-create-home --home-dir /nonexistent --shell /usr/sbin/nologin thaw
USER thaw

EXPOSE 8000 8001
CMD ["gunicorn", "platform_site.wsgi:application", "--bind", "0.0.0.0:8000", "--worker-class", "sync", "--workers", "3"]
