"""WebSocket routes of the groups app. The live session rooms (/ws/sessions/<id>/) join here."""
websocket_urlpatterns: list = []
