"""A member in crisis, in a real browser: help shows while they write, and at once when they post."""
import pytest
from playwright.sync_api import expect

from groups.models import SupportGroup
from groups.services import group_create, membership_join
from moderation.models import CrisisCase, Flag
from tests.e2e.helpers import sign_in_with_password
from tests.factories import UserFactory
from tests.support.risk_texts import CRISIS_TEXT

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def test_help_shows_while_drafting_and_after_posting_and_a_person_is_told(live_server, page, screenshot):
    member = UserFactory()
    UserFactory(is_moderator=True)
    group = group_create(
        name="Evenings are hardest", slug="evenings", description="For the long evenings.",
        focus=SupportGroup.Focus.GENERAL, visibility=SupportGroup.Visibility.LISTED,
        join_policy=SupportGroup.JoinPolicy.OPEN,
    )
    membership_join(group=group, user=member)

    sign_in_with_password(page, live_server, member)
    page.goto(live_server.url + group.get_absolute_url())
    page.get_by_role("link", name="Start a topic").click()
    page.get_by_label("Title").fill("Tonight")
    body = page.get_by_label("What would you like to share?")
    body.press_sequentially(CRISIS_TEXT, delay=5)
    # The debounced check reveals help beside the draft; sending stays possible.
    draft_panel = page.locator("#crisis-panel")
    expect(draft_panel).to_be_visible()
    expect(draft_panel.get_by_role("link", name="988")).to_have_attribute("href", "tel:988")
    expect(page.get_by_role("button", name="Post topic")).to_be_enabled()
    screenshot("crisis-draft-panel")

    page.get_by_role("button", name="Post topic").click()
    panel = page.locator("#crisis-panel")
    expect(panel).to_be_visible()
    expect(panel.get_by_role("link", name="911")).to_have_attribute("href", "tel:911")
    expect(page.get_by_role("heading", name="Tonight")).to_be_visible()  # the post is up, not hidden
    screenshot("crisis-panel-after-posting")

    panel.get_by_role("link", name="Open my safety plan").click()
    expect(page.get_by_role("heading", name="My safety plan")).to_be_visible()

    # Eager tasks in the test settings: the assessment ran after commit.
    assert Flag.objects.filter(level="crisis", author=member).count() == 1
    assert CrisisCase.objects.filter(member=member).count() == 1
    assert page.problems.all() == []


def test_a_calm_draft_shows_no_panel(live_server, page):
    member = UserFactory()
    group = group_create(
        name="Small wins", slug="wins", description="Good moments.", focus=SupportGroup.Focus.GENERAL,
        visibility=SupportGroup.Visibility.LISTED, join_policy=SupportGroup.JoinPolicy.OPEN,
    )
    membership_join(group=group, user=member)
    sign_in_with_password(page, live_server, member)
    page.goto(live_server.url + group.get_absolute_url() + "topics/new/")
    with page.expect_response(lambda response: "draft-check" in response.url) as checked:
        page.get_by_label("What would you like to share?").press_sequentially(
            "Thanks for the session everyone, see you next week!", delay=5
        )
    assert checked.value.json() == {"show_panel": False}
    expect(page.locator("#crisis-panel")).to_have_count(0)
    assert page.problems.all() == []
