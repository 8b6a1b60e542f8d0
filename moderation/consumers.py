"""/ws/moderation/: live queue updates, for moderators only."""
from typing import Any

from channels.db import database_sync_to_async

from accounts.permissions import moderator_socket_refusal
from accounts.sessions import socket_session_ended
from platform_site.consumers import CLOSE_FORBIDDEN, CLOSE_NOT_AUTHENTICATED, ThawJsonConsumer
from platform_site.realtime import MODERATORS_GROUP, user_group_name


class ModerationConsumer(ThawJsonConsumer):
    async def connect(self) -> None:
        user = self.scope.get("user")
        if user is None or not user.is_authenticated:
            await self.refuse(
                close_code=CLOSE_NOT_AUTHENTICATED, code="not_authenticated", detail="Please sign in again."
            )
            return
        refusal = await database_sync_to_async(moderator_socket_refusal)(user, self.scope["session"])
        if refusal is not None:
            await self.refuse(close_code=CLOSE_FORBIDDEN, **refusal)
            return
        await self.channel_layer.group_add(MODERATORS_GROUP, self.channel_name)
        # The moderator's own group: their socket closes when their password changes elsewhere.
        self.user_group = user_group_name(user.pk)
        await self.channel_layer.group_add(self.user_group, self.channel_name)
        await self.accept()
        await self.send_json({"type": "system", "detail": "Connected to the moderation feed."})

    async def disconnect(self, code: int) -> None:
        await self.channel_layer.group_discard(MODERATORS_GROUP, self.channel_name)
        if getattr(self, "user_group", None):
            await self.channel_layer.group_discard(self.user_group, self.channel_name)

    # Channel-layer events, one handler per type: each only forwards what it was given.
    async def queue_changed(self, event: dict[str, Any]) -> None:
        await self.send_json(event)

    async def flag_raised(self, event: dict[str, Any]) -> None:
        await self.send_json(event)

    async def case_changed(self, event: dict[str, Any]) -> None:
        await self.send_json(event)

    async def flag_changed(self, event: dict[str, Any]) -> None:
        await self.send_json(event)

    async def post_held(self, event: dict[str, Any]) -> None:
        await self.send_json(event)

    async def review_requested(self, event: dict[str, Any]) -> None:
        await self.send_json(event)

    # Sent to user-<id>: a password change or reset ended the session this socket was opened with.
    async def account_sessions_ended(self, event: dict[str, Any]) -> None:
        if await database_sync_to_async(socket_session_ended)(self.scope.get("session"), event):
            await self._close_with(
                CLOSE_NOT_AUTHENTICATED, "signed_out", "You were signed out because your password changed. Please sign in again."
            )

    # Also sent to user-<id> (for the rooms): a suspension closes this feed too; leaving a group
    # or a limit on posting changes nothing here, but every event of the group needs a handler.
    async def account_suspended(self, event: dict[str, Any]) -> None:
        await self._close_with(CLOSE_FORBIDDEN, "suspended", "Your account is suspended for now.")

    async def membership_ended(self, event: dict[str, Any]) -> None:
        pass

    async def account_restrictions_changed(self, event: dict[str, Any]) -> None:
        pass

    async def _close_with(self, close_code: int, code: str, detail: str) -> None:
        await self.send_error(code=code, detail=detail)
        await self.close(code=close_code)

    async def receive_json(self, content: dict[str, Any], **kwargs) -> None:
        if content["type"] == "ping":
            await self.send_json({"type": "pong"})
            return
        await super().receive_json(content, **kwargs)
