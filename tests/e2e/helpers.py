"""What the browser journeys share: a real ASGI server in a thread, signed-in browser contexts,
signing in through the forms (with a second factor for moderators), a room connection the test can
cut, the room's composer, and screenshots at phone and desktop widths."""
import re
import socket
import threading
import time

from django.conf import settings
from django.core import mail
from django.test import Client
from playwright.sync_api import expect

from tests.factories import DEFAULT_PASSWORD, sign_in, totp_code
from tests.support.browser import ARTIFACTS

PHONE = {"width": 390, "height": 844}
DESKTOP = {"width": 1280, "height": 900}


class AsgiServer:
    """uvicorn serving platform_site.asgi:application from a thread, until `stop()`.

    pytest-django's `live_server` speaks HTTP only; this serves WebSockets too. Being in the test
    process, it shares the test database and the channel layer (see the `asgi_server` fixture)."""

    def __init__(self):
        import uvicorn

        from platform_site.asgi import application

        self.socket = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        self.socket.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        self.socket.bind(("127.0.0.1", 0))
        port = self.socket.getsockname()[1]
        self.url = f"http://127.0.0.1:{port}"
        config = uvicorn.Config(application, lifespan="off", log_level="warning", access_log=False, ws_per_message_deflate=False)
        self.server = uvicorn.Server(config)
        self.thread = threading.Thread(target=self.server.run, kwargs={"sockets": [self.socket]}, daemon=True)

    def start(self) -> "AsgiServer":
        self.thread.start()
        deadline = time.monotonic() + 15
        while not self.server.started:
            if time.monotonic() > deadline or not self.thread.is_alive():
                raise RuntimeError("the ASGI test server did not start")
            time.sleep(0.05)
        return self

    def stop(self) -> None:
        self.server.should_exit = True
        self.thread.join(timeout=15)
        self.socket.close()


def signed_in_context(browser, server, user, **options):
    """A browser context already signed in as `user` (for the people a journey only meets; the
    sign-in forms themselves are driven by `sign_in_with_password` and `sign_in_with_code`)."""
    client = Client()
    sign_in(client, user)
    context = browser.new_context(timezone_id="Europe/Berlin", **options)
    context.add_cookies([{
        "name": settings.SESSION_COOKIE_NAME, "value": client.cookies[settings.SESSION_COOKIE_NAME].value, "url": server.url,
    }])
    return context


def sign_in_with_password(page, server, user):
    """The login form, for a member without a second factor: it lands on their profile."""
    _fill_login(page, server, user)
    expect(page.get_by_role("heading", name="My profile")).to_be_visible()


def sign_in_with_code(page, server, user, secret: str):
    """The login form, then the code an authenticator app with `secret` shows now."""
    _fill_login(page, server, user)
    expect(page.get_by_role("heading", name="Two-Factor Authentication")).to_be_visible()
    page.get_by_label("Code").fill(totp_code(secret))
    page.get_by_role("button", name="Sign In").click()
    expect(page.get_by_role("heading", name="My profile")).to_be_visible()


def _fill_login(page, server, user):
    page.goto(server.url + "/accounts/login/")
    page.get_by_label("Email").fill(user.email)
    page.get_by_label("Password:").fill(DEFAULT_PASSWORD)
    page.get_by_role("button", name="Sign In").click()


def sign_up_and_verify(page, server, *, email: str, password: str, display_name: str) -> None:
    """From any page: the header's Join link, the sign-up form (the time zone comes pre-selected
    from the browser's own), then the link of the one e-mail sent to `email`; it lands on /me/."""
    page.get_by_role("link", name="Join", exact=True).click()
    page.get_by_label("Email").fill(email)
    page.get_by_label(re.compile(r"^Password:?$")).fill(password)
    page.get_by_label("Password (again)").fill(password)
    page.get_by_label("Display name").fill(display_name)
    expect(page.get_by_label("Time zone")).to_have_value(page.evaluate("Intl.DateTimeFormat().resolvedOptions().timeZone"))
    page.get_by_label("I have read and accept the community guidelines.").check()
    page.get_by_role("button", name="Sign Up").click()
    page.wait_for_url(re.compile(r"/accounts/confirm-email/$"))

    letters = [letter for letter in mail.outbox if email in letter.to]
    assert len(letters) == 1, f"{len(letters)} e-mails to {email}"
    link = re.search(r"https?://\S+/accounts/confirm-email/\S+/", letters[0].body).group(0)
    page.goto(server.url + link[link.index("/accounts/"):])
    page.get_by_role("button", name="Confirm").click()
    page.wait_for_url(re.compile(r"/me/$"))


def snap(page, name: str) -> None:
    """Full-page screenshots of what `page` shows, as `<name>-phone.png` and `<name>-desktop.png`;
    the page keeps its own viewport afterwards. On a phone nothing may be wider than the screen."""
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    own = page.viewport_size
    try:
        for label, size in (("phone", PHONE), ("desktop", DESKTOP)):
            page.set_viewport_size(size)
            if label == "phone":
                width = page.evaluate("document.documentElement.scrollWidth")
                assert width <= PHONE["width"], f"{name}: {width}px wide on a {PHONE['width']}px phone"
            page.screenshot(path=str(ARTIFACTS / f"{name}-{label}.png"), full_page=True)
    finally:
        page.set_viewport_size(own)


def room_log(page):
    return page.locator("#room-log")


def room_send(page, text: str) -> None:
    page.get_by_label("Your message").fill(text)
    page.get_by_role("button", name="Send", exact=True).click()


class CuttableLine:
    """Routes one page's room sockets through Playwright, so a test can cut the connection and
    keep it cut: while cut, each new socket the page opens is answered by nobody (it opens, but
    no welcome ever comes), as on a train in a tunnel; `restore()` lets the next attempt through."""

    def __init__(self, page):
        self.cut_now = False
        self.live: list = []
        self.held: list = []
        page.route_web_socket(re.compile(r"/ws/sessions/\d+/$"), self._route)

    def _route(self, ws) -> None:
        if self.cut_now:
            self.held.append(ws)
            return
        self.live.append((ws, ws.connect_to_server()))

    def cut(self) -> None:
        self.cut_now = True
        for page_side, server_side in self.live:
            server_side.close()
            page_side.close(code=1012, reason="cut by the test")
        self.live.clear()

    def restore(self) -> None:
        self.cut_now = False
        for page_side in self.held:
            page_side.close(code=1012, reason="line restored")
        self.held.clear()
