"""WSGI entry point for the HTTP pages (gunicorn); WebSockets go to the ASGI server."""
import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "platform_site.settings.production")

application = get_wsgi_application()
