"""A visitor finds help, signs up, verifies the e-mail and lands on their profile, in a real browser."""
import re

import pytest
from django.core import mail
from playwright.sync_api import expect

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def test_visitor_finds_help_then_signs_up_and_verifies(page, live_server, screenshot):
    page.goto(live_server.url + "/")
    screenshot("home-desktop")
    page.get_by_role("link", name="Need help now?").click()
    expect(page.get_by_role("heading", name="Suicide hotline: 988")).to_be_visible()
    expect(page.get_by_text("Crisis Intervention Training (CIT)")).to_be_visible()
    screenshot("crisis-desktop")

    page.get_by_role("link", name="Join", exact=True).click()
    page.get_by_label("Email").fill("new.person@example.org")
    page.get_by_label(re.compile(r"^Password:?$")).fill("slow mornings and warm tea")
    page.get_by_label("Password (again)").fill("slow mornings and warm tea")
    page.get_by_label("Display name").fill("Still Water")
    # thaw.js pre-selects the browser's own time zone.
    expect(page.get_by_label("Time zone")).to_have_value("Europe/Berlin")
    page.get_by_label("I have read and accept the community guidelines.").check()
    page.get_by_role("button", name="Sign Up").click()
    page.wait_for_url(re.compile(r"/accounts/confirm-email/$"))

    assert len(mail.outbox) == 1
    link = re.search(r"https?://\S+/accounts/confirm-email/\S+/", mail.outbox[0].body).group(0)
    page.goto(live_server.url + link[link.index("/accounts/"):])
    page.get_by_role("button", name="Confirm").click()

    page.wait_for_url(re.compile(r"/me/$"))
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
