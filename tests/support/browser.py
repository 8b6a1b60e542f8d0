"""Headless Chromium for the browser tests: Playwright driving Debian's Chromium (Playwright's own
browser download is not used), pages that record what went wrong in them, and where screenshots go.

In CI (CI=true) a missing Chromium is a failure, never a skip; on a laptop without it the browser
tests are skipped with a message saying how to install it. The fixtures (`browser`, `page`) are
imported by tests/e2e/conftest.py and by the other modules that drive a browser.
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


def open_page(context):
    """A page that records its console errors, uncaught exceptions and CSP violations."""
    page = context.new_page()
    page.set_default_timeout(10_000)
    page.problems = PageProblems(page)
    return page


@pytest.fixture
def page(browser):
    context = browser.new_context(viewport={"width": 1280, "height": 900}, timezone_id="Europe/Berlin")
    yield open_page(context)
    context.close()
