"""The room benchmark's ASGI application: platform_site/asgi.py plus one bench-only route.

HTTP goes to Django and WebSockets through the same allowed-hosts origin check and session auth
middleware as in production, to every route of platform_site/routing.py (the live room at
/ws/sessions/<id>/ among them) and to /ws/bench/fanout/<room>/, the minimal consumer the live room
is measured against (bench/consumers.py), so both are served by one server on one channel layer.
"""
import os

from django.core.asgi import get_asgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "bench.room_settings")
django_asgi_app = get_asgi_application()

from channels.auth import AuthMiddlewareStack  # noqa: E402
from channels.routing import ProtocolTypeRouter, URLRouter  # noqa: E402
from channels.security.websocket import AllowedHostsOriginValidator  # noqa: E402
from django.urls import path  # noqa: E402

from bench.consumers import FanoutConsumer  # noqa: E402
from platform_site.routing import websocket_urlpatterns  # noqa: E402

application = ProtocolTypeRouter(
    {
        "http": django_asgi_app,
        "websocket": AllowedHostsOriginValidator(
            AuthMiddlewareStack(
                URLRouter([*websocket_urlpatterns, path("ws/bench/fanout/<int:room>/", FanoutConsumer.as_asgi())])
            )
        ),
    }
)
