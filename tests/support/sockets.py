"""Helpers to open the site's WebSockets in tests, signed in as someone, through the real ASGI app."""
from channels.db import database_sync_to_async
from channels.testing import WebsocketCommunicator
from django.conf import settings
from django.test import Client

from platform_site.asgi import application
from tests.factories import sign_in


@database_sync_to_async
def session_cookie_for(user, with_mfa: bool = True) -> str:
    client = sign_in(Client(), user, with_mfa=with_mfa)  # moderators also give their second factor
    return f"{settings.SESSION_COOKIE_NAME}={client.cookies[settings.SESSION_COOKIE_NAME].value}"


async def open_socket(
    path: str, *, user=None, origin: str = "http://testserver", with_mfa: bool = True
) -> WebsocketCommunicator:
    headers = [(b"origin", origin.encode()), (b"host", b"testserver")]
    if user is not None:
        headers.append((b"cookie", (await session_cookie_for(user, with_mfa)).encode()))
    return WebsocketCommunicator(application, path, headers=headers)
