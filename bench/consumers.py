"""The benchmark's WebSocket consumer: echoes each JSON frame back to the client that sent it.

It builds on ThawJsonConsumer, so every frame pays the project's own checks (size, JSON, `type`).
With a channel layer configured, the echo takes the path of a real room message: the consumer
sends it to a group through the layer (group_send, as platform_site/realtime.py does), and the
group handler forwards it to the socket. Each connection has a group of its own, so every frame
comes back exactly once to its sender. Without a layer (BENCH_CHANNEL_LAYER=none) it echoes at once.

`FanoutConsumer` is the minimal room bench/room_fanout.py measures the live room against.
"""
import uuid
from typing import Any

from channels.consumer import get_handler_name
from channels.generic.websocket import AsyncJsonWebsocketConsumer

from platform_site.consumers import ThawJsonConsumer


class EchoConsumer(ThawJsonConsumer):
    group_name: str | None = None

    async def connect(self) -> None:
        if self.channel_layer is not None:
            self.group_name = f"bench-echo-{uuid.uuid4().hex}"
            await self.channel_layer.group_add(self.group_name, self.channel_name)
        await self.accept()

    async def disconnect(self, code: int) -> None:
        if self.group_name is not None:
            await self.channel_layer.group_discard(self.group_name, self.channel_name)

    async def receive_json(self, content: dict[str, Any], **kwargs: Any) -> None:
        if self.group_name is None:
            await self.send_json(content)
        else:
            await self.channel_layer.group_send(self.group_name, {"type": "echo.message", "frame": content})

    async def echo_message(self, event: dict[str, Any]) -> None:
        await self.send_json(event["frame"])


class FanoutConsumer(AsyncJsonWebsocketConsumer):
    """The least a Channels room can do, for bench/room_fanout.py to compare the live room with.

    On connect it joins one group (`bench-fanout-<room>`); every frame a client sends goes to the
    whole group through the channel layer (group_send), and every group event is forwarded to the
    socket as it came. No authentication check, no database, no numbering, no storing.
    """

    group_name: str

    async def dispatch(self, message: dict[str, Any]) -> None:
        # As groups/consumers.py's room: without Channels' hop to the database thread before every
        # event (aclose_old_connections), which a consumer that never queries has no use for. So
        # the room is compared with the cheapest fan-out Channels offers, not with a handicapped one.
        handler = getattr(self, get_handler_name(message), None)
        if handler is None:
            raise ValueError(f"No handler for message type {message['type']}")
        await handler(message)

    async def connect(self) -> None:
        self.group_name = f"bench-fanout-{int(self.scope['url_route']['kwargs']['room'])}"
        await self.channel_layer.group_add(self.group_name, self.channel_name)
        await self.accept()

    async def disconnect(self, code: int) -> None:
        await self.channel_layer.group_discard(self.group_name, self.channel_name)

    async def receive_json(self, content: Any, **kwargs: Any) -> None:
        await self.channel_layer.group_send(self.group_name, {"type": "fanout.message", "frame": content})

    async def fanout_message(self, event: dict[str, Any]) -> None:
        await self.send_json(event["frame"])
