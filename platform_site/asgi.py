"""ASGI entry point: HTTP through Django, WebSockets through Channels.

WebSocket connections must come from one of ALLOWED_HOSTS (a foreign Origin is refused before any
consumer runs) and are authenticated by the Django session cookie. Each app contributes its own
`routing.py`.
"""
import os

from django.core.asgi import get_asgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "platform_site.settings.production")
# Django must be set up before anything imports models (consumers, routing).
django_asgi_app = get_asgi_application()

from channels.auth import AuthMiddlewareStack  # noqa: E402
from channels.routing import ProtocolTypeRouter, URLRouter  # noqa: E402
from channels.security.websocket import AllowedHostsOriginValidator  # noqa: E402

from accounts.middleware import ModeratorSecondFactorSocketMiddleware  # noqa: E402
from platform_site.log_filters import server_log_filters_install  # noqa: E402
from platform_site.routing import websocket_urlpatterns  # noqa: E402

server_log_filters_install()  # room frames carry members' words: never in the server's log

application = ProtocolTypeRouter(
    {
        "http": django_asgi_app,
        "websocket": AllowedHostsOriginValidator(
            AuthMiddlewareStack(ModeratorSecondFactorSocketMiddleware(URLRouter(websocket_urlpatterns)))
        ),
    }
)
