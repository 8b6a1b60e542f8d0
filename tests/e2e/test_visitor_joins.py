"""A visitor finds help, signs up, verifies the e-mail and lands on their profile, in a real browser."""
import pytest
from playwright.sync_api import expect

from tests.e2e.helpers import sign_up_and_verify

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def test_visitor_finds_help_then_signs_up_and_verifies(page, live_server, screenshot):
    page.goto(live_server.url + "/")
    screenshot("home-desktop")
    page.get_by_role("link", name="Need help now?").click()
    expect(page.get_by_role("heading", name="Suicide hotline: 988")).to_be_visible()
    expect(page.get_by_text("Crisis Intervention Training (CIT)")).to_be_visible()
    screenshot("crisis-desktop")

    # thaw.js pre-selects the browser's own time zone (Europe/Berlin here).
    sign_up_and_verify(page, live_server, email="new.person@example.org", password="slow mornings and warm tea", display_name="Still Water")
    expect(page.locator("main")).to_contain_text("Still Water")
    expect(page.locator("main")).to_contain_text("Europe/Berlin")
    expect(page.locator("header")).not_to_contain_text("new.person@example.org")
    screenshot("profile-desktop")
    assert page.problems.all() == []


def test_pages_read_well_on_a_phone(browser, live_server):
    context = browser.new_context(viewport={"width": 390, "height": 844}, is_mobile=True)
    page = context.new_page()
    try:
        for name, path in [("home-phone", "/"), ("crisis-phone", "/help/"), ("signup-phone", "/accounts/signup/")]:
            page.goto(live_server.url + path)
            # Nothing wider than the screen: no sideways scrolling on a phone.
            assert page.evaluate("document.documentElement.scrollWidth") <= 390
            page.screenshot(path=f"artifacts/screenshots/{name}.png", full_page=True)
    finally:
        context.close()
