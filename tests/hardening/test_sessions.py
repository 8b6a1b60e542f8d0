"""Sessions: a fresh key at every sign-in; a password change signs out every other browser and
closes its sockets at once; a password reset signs out every browser."""
from datetime import timedelta

import pytest
from channels.db import database_sync_to_async
from channels.testing import WebsocketCommunicator
from django.conf import settings
from django.contrib.sessions.models import Session
from django.core import mail
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from groups.models import GroupSession
from platform_site.asgi import application
from platform_site.consumers import CLOSE_NOT_AUTHENTICATED
from tests.accounts.helpers import link_paths_in, login_post
from tests.factories import DEFAULT_PASSWORD, UserFactory, sign_in
from tests.groups.factories import MembershipFactory, SupportGroupFactory
from tests.groups.helpers import is_login_redirect

NEW_PASSWORD = "a different calm passphrase 42"
SIGNED_OUT_DETAIL = "You were signed out because your password changed. Please sign in again."


def signed_in(client: Client) -> bool:
    return client.get(reverse("accounts:profile")).status_code == 200


def change_password(client: Client):
    return client.post(
        reverse("account_change_password"),
        {"oldpassword": DEFAULT_PASSWORD, "password1": NEW_PASSWORD, "password2": NEW_PASSWORD},
    )


def reset_password(email: str):
    """Through allauth's pages from a browser that is not signed in: ask, follow the e-mailed link, set."""
    browser = Client()
    browser.post(reverse("account_reset_password"), {"email": email})
    [link] = [path for path in link_paths_in(mail.outbox[-1]) if path.startswith("/accounts/password/reset/key/")]
    set_password_page = browser.get(link)["Location"]  # allauth moves the key out of the address
    return browser.post(set_password_page, {"password1": NEW_PASSWORD, "password2": NEW_PASSWORD})


# ----------------------------------------------------------------------------- pages


@pytest.mark.django_db
def test_the_session_key_changes_at_sign_in_so_a_planted_cookie_is_worthless(member):
    browser = Client()
    planted = browser.session  # a session someone could have fixed in the browser before sign-in
    planted["seen_the_home_page"] = True
    planted.save()
    browser.cookies[settings.SESSION_COOKIE_NAME] = planted.session_key

    response = login_post(browser, member.email, DEFAULT_PASSWORD)

    assert response.status_code == 302
    after = browser.cookies[settings.SESSION_COOKIE_NAME].value
    assert after and after != planted.session_key
    assert not Session.objects.filter(session_key=planted.session_key).exists()
    assert signed_in(browser)
    attacker = Client()
    attacker.cookies[settings.SESSION_COOKIE_NAME] = planted.session_key
    assert not signed_in(attacker)


@pytest.mark.django_db
def test_a_password_change_signs_out_every_other_browser_and_keeps_this_one(member):
    here, laptop, phone = (sign_in(Client(), member) for _ in range(3))
    bystander = sign_in(Client(), UserFactory())

    response = change_password(here)

    assert response.status_code == 302
    # The other sessions are gone from the store at once, not merely refused at their next request.
    assert Session.objects.filter(expire_date__gt=timezone.now()).count() == 2
    assert signed_in(here)
    assert is_login_redirect(laptop.get(reverse("accounts:profile")))
    assert is_login_redirect(phone.get(reverse("accounts:profile")))
    assert signed_in(bystander)


@pytest.mark.django_db
def test_a_password_reset_signs_out_every_browser(member):
    laptop, phone = sign_in(Client(), member), sign_in(Client(), member)

    response = reset_password(member.email)

    assert response.status_code == 302
    assert not signed_in(laptop)
    assert not signed_in(phone)
    fresh = Client()  # the new password works
    assert login_post(fresh, member.email, NEW_PASSWORD).status_code == 302
    assert signed_in(fresh)


# ----------------------------------------------------------------------------- sockets


def _cookie(client: Client) -> str:
    return f"{settings.SESSION_COOKIE_NAME}={client.cookies[settings.SESSION_COOKIE_NAME].value}"


async def open_with(client: Client, path: str, greeting: int) -> WebsocketCommunicator:
    headers = [(b"origin", b"http://testserver"), (b"host", b"testserver"), (b"cookie", _cookie(client).encode())]
    socket = WebsocketCommunicator(application, path, headers=headers)
    connected, _ = await socket.connect()
    assert connected
    for _ in range(greeting):
        await socket.receive_json_from()
    return socket


async def closed_signed_out(socket) -> None:
    """The socket says why and closes with 4401, within seconds, skipping room traffic before it."""
    for _ in range(10):
        frame = await socket.receive_json_from(timeout=3)
        if frame["type"] == "error":
            break
    assert frame == {"type": "error", "code": "signed_out", "detail": SIGNED_OUT_DETAIL}
    assert (await socket.receive_output(timeout=3)) == {"type": "websocket.close", "code": CLOSE_NOT_AUTHENTICATED}


async def still_open(socket) -> None:
    while not await socket.receive_nothing(timeout=0.1):
        await socket.receive_output()
    await socket.send_json_to({"type": "ping"})
    assert (await socket.receive_json_from(timeout=3)) == {"type": "pong"}


@database_sync_to_async
def room_for(user) -> str:
    group = SupportGroupFactory()
    MembershipFactory(group=group, facilitator=True)
    MembershipFactory(group=group, user=user)
    session = GroupSession.objects.create(
        group=group, title="Evening", starts_at=timezone.now() + timedelta(minutes=5), duration_minutes=60
    )
    return f"/ws/sessions/{session.pk}/"


@database_sync_to_async
def browsers_of(user, count: int) -> list[Client]:
    return [sign_in(Client(), user) for _ in range(count)]


@pytest.mark.asyncio
@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("where", ["room", "moderation feed"])
async def test_a_password_change_closes_the_sockets_of_other_browsers_and_keeps_this_ones(where):
    user = await database_sync_to_async(UserFactory)(is_moderator=where == "moderation feed")
    path, greeting = (await room_for(user), 3) if where == "room" else ("/ws/moderation/", 1)
    here, other = await browsers_of(user, 2)
    socket_here = await open_with(here, path, greeting=greeting)
    socket_other = await open_with(other, path, greeting=greeting)

    assert (await database_sync_to_async(change_password)(here)).status_code == 302

    await closed_signed_out(socket_other)
    await still_open(socket_here)
    await socket_here.disconnect()


@pytest.mark.asyncio
@pytest.mark.django_db(transaction=True)
async def test_a_password_reset_closes_every_socket_of_the_member():
    member = await database_sync_to_async(UserFactory)()
    path = await room_for(member)
    laptop, phone = await browsers_of(member, 2)
    sockets = [await open_with(laptop, path, greeting=3), await open_with(phone, path, greeting=3)]

    assert (await database_sync_to_async(reset_password)(member.email)).status_code == 302

    for socket in sockets:
        await closed_signed_out(socket)
