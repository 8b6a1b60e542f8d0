"""Every WebSocket path of the site, gathered from the apps' own routing modules."""
from groups.routing import websocket_urlpatterns as groups_websocket_urlpatterns
from moderation.routing import websocket_urlpatterns as moderation_websocket_urlpatterns

websocket_urlpatterns = [
    *groups_websocket_urlpatterns,
    *moderation_websocket_urlpatterns,
]
