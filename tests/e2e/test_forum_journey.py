"""Two members meet in a group's forum, in a real browser: join, post with a content warning, reply, react."""
import pytest
from playwright.sync_api import expect

from groups.models import SupportGroup
from groups.services import group_create
from tests.e2e.helpers import sign_in_with_password
from tests.factories import UserFactory

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def test_members_talk_in_the_forum_with_content_warnings_folded(browser, live_server, screenshot, page):
    writer, reader = UserFactory(), UserFactory()
    group = group_create(
        name="Flat on antidepressants", slug="flat", description="People whose medication *flattened* things.",
        focus=SupportGroup.Focus.ANTIDEPRESSANTS, visibility=SupportGroup.Visibility.LISTED,
        join_policy=SupportGroup.JoinPolicy.OPEN,
    )

    sign_in_with_password(page, live_server, writer)
    page.get_by_role("link", name="Groups", exact=True).click()
    page.get_by_role("link", name="Flat on antidepressants").click()
    page.get_by_role("button", name="Join this group").click()
    expect(page.get_by_text("Welcome. You are now a member of this group.")).to_be_visible()
    page.get_by_role("link", name="Start a topic").click()
    page.get_by_label("Title").fill("The week everything went quiet")
    page.get_by_label("What would you like to share?").fill("After the dose change I stopped **feeling** the bad news.")
    page.get_by_label("Content warning").select_option("medication")
    page.get_by_role("button", name="Post topic").click()
    expect(page.get_by_role("heading", name="The week everything went quiet")).to_be_visible()
    screenshot("topic-desktop")

    other = browser.new_context(viewport={"width": 390, "height": 844}, is_mobile=True)
    reader_page = other.new_page()
    try:
        sign_in_with_password(reader_page, live_server, reader)
        reader_page.goto(live_server.url + group.get_absolute_url())
        reader_page.get_by_role("button", name="Join this group").click()
        reader_page.get_by_role("link", name="The week everything went quiet").click()
        warning = reader_page.locator("details.content-warning").first
        expect(warning).not_to_have_attribute("open", "")
        expect(reader_page.get_by_text("stopped")).to_be_hidden()
        reader_page.get_by_text("Content warning: Medication. Open to read.").click()
        expect(reader_page.locator("strong", has_text="feeling")).to_be_visible()
        reader_page.get_by_role("button", name="I hear you").first.click()
        expect(reader_page.get_by_text("1 hears you")).to_be_visible()
        reader_page.get_by_label("Your reply").fill("Me too. You're not alone in this.")
        reader_page.get_by_role("button", name="Post reply").click()
        expect(reader_page.get_by_text("You're not alone in this.")).to_be_visible()
        reader_page.screenshot(path="artifacts/screenshots/topic-phone.png", full_page=True)
        assert reader_page.evaluate("document.documentElement.scrollWidth") <= 390
    finally:
        other.close()

    page.reload()
    expect(page.get_by_text("You're not alone in this.")).to_be_visible()
    expect(page.locator(".badge").first).to_have_text("1")  # the writer is told of the reply
    assert page.problems.all() == []
