"""Browser tests: Playwright driving Debian's Chromium (Playwright's own browser download is not used).

In CI (CI=true) a missing Chromium is a failure, never a skip; on a laptop without it the browser
tests are skipped with a message saying how to install it.
"""
import os
import shutil
from pathlib import Path

import pytest

CHROMIUM = os.environ.get("THAW_CHROMIUM", "/usr/bin/chromium")
ARTIFACTS = Path(__file__).resolve().parents[2] / "artifacts" / "screenshots"
CHROMIUM_ARGS = [
    "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
    "--disable-background-networking", "--disable-component-update", "--disable-sync",
]


@pytest.fixture(scope="module")
def browser():
    """One Chromium per test module. Module scope, not session: Playwright's sync API keeps an
    event loop running while it is open, which the async (WebSocket) tests must not inherit."""
    if not (os.path.exists(CHROMIUM) or shutil.which(CHROMIUM)):
        message = f"Chromium not found at {CHROMIUM} (apt-get install chromium chromium-driver)"
        if os.environ.get("CI"):
            pytest.fail(message)
        pytest.skip(message)
    from playwright.sync_api import sync_playwright

    # While Playwright's loop runs, Django's async-safety check would refuse the test's own ORM
    # calls (reading the mailbox, creating users); allowed only for the browser tests' duration.
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
        with sync_playwright() as playwright:
            browser = playwright.chromium.launch(executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS)
            yield browser
            browser.close()


class PageProblems:
    """Console errors, uncaught exceptions and CSP violations seen by a page."""

    def __init__(self, page):
        self.items: list[str] = []
        page.on("console", lambda message: message.type == "error" and self.items.append(f"console: {message.text}"))
        page.on("pageerror", lambda error: self.items.append(f"exception: {error}"))
        page.add_init_script(
            "window.__cspViolations = [];"
            "document.addEventListener('securitypolicyviolation',"
            " e => window.__cspViolations.push(e.violatedDirective + ' ' + e.blockedURI));"
        )
        self.page = page

    def all(self) -> list[str]:
        try:
            violations = self.page.evaluate("window.__cspViolations || []")
        except Exception:  # the page may be navigating; the console listener still saw them
            violations = []
        return self.items + [f"csp: {violation}" for violation in violations]


@pytest.fixture
def page(browser):
    context = browser.new_context(viewport={"width": 1280, "height": 900}, timezone_id="Europe/Berlin")
    page = context.new_page()
    page.set_default_timeout(10_000)
    page.problems = PageProblems(page)
    yield page
    context.close()


@pytest.fixture
def asgi_server(transactional_db):
    """The real ASGI application (HTTP and WebSockets) served by uvicorn from a thread, on a free
    port; `live_server` has no WebSockets. Same process: it shares the test database whatever it
    is (SQLite's shared in-memory one by default, PostgreSQL with DATABASE_URL) and the channel
    layer (in-memory by default, Redis with REDIS_URL)."""
    from channels.layers import channel_layers

    from tests.e2e.helpers import AsgiServer

    # The channel layer is a per-process singleton, and the Redis layer binds its locks to the
    # first event loop that uses it: earlier async tests ran on loops of their own. The server's
    # loop gets a fresh layer, and later tests get theirs once this loop is gone.
    channel_layers.backends.clear()
    server = AsgiServer().start()
    yield server
    server.stop()
    channel_layers.backends.clear()


@pytest.fixture
def screenshot(page):
    ARTIFACTS.mkdir(parents=True, exist_ok=True)

    def take(name: str) -> Path:
        path = ARTIFACTS / f"{name}.png"
        page.screenshot(path=str(path), full_page=True)
        return path

    return take
