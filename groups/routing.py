"""WebSocket routes of the groups app: the live rooms of scheduled sessions."""
from django.urls import path

from groups.consumers import SessionRoomConsumer

websocket_urlpatterns = [
    path("ws/sessions/<int:session_id>/", SessionRoomConsumer.as_asgi()),
]
