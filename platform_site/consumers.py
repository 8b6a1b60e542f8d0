"""What every Thaw WebSocket consumer shares: JSON frames, error frames, refusals with a code."""
from typing import Any

from channels.generic.websocket import AsyncJsonWebsocketConsumer

# Close codes in the 4000 range are ours; the browser sees them in CloseEvent.code.
CLOSE_NOT_AUTHENTICATED = 4401
CLOSE_FORBIDDEN = 4403
MAX_FRAME_BYTES = 16 * 1024


class ThawJsonConsumer(AsyncJsonWebsocketConsumer):
    async def send_error(self, *, code: str, detail: str) -> None:
        await self.send_json({"type": "error", "code": code, "detail": detail})

    async def refuse(self, *, close_code: int, code: str, detail: str) -> None:
        """Accept only to say why, then close: a bare handshake refusal tells the client nothing."""
        await self.accept()
        await self.send_error(code=code, detail=detail)
        await self.close(code=close_code)

    async def receive(self, text_data: str | None = None, bytes_data: bytes | None = None, **kwargs) -> None:
        # A bad frame gets an error frame; the connection stays open.
        if text_data is None:
            await self.send_error(code="bad_frame", detail="Frames must be JSON text.")
            return
        if len(text_data.encode()) > MAX_FRAME_BYTES:
            await self.send_error(code="frame_too_large", detail=f"Frames are limited to {MAX_FRAME_BYTES} bytes.")
            return
        try:
            content = await self.decode_json(text_data)
        except ValueError:
            await self.send_error(code="bad_frame", detail="That frame was not valid JSON.")
            return
        if not isinstance(content, dict) or not isinstance(content.get("type"), str):
            await self.send_error(code="bad_frame", detail='A frame is a JSON object with a "type".')
            return
        await self.receive_json(content, **kwargs)

    async def receive_json(self, content: dict[str, Any], **kwargs) -> None:
        await self.send_error(code="unknown_type", detail=f"Unknown frame type: {content['type'][:40]!r}.")
