"""The moderators' queue in Chromium: one short line per item on a desktop, nothing wider than a
390 px phone, and concern items ticked and dismissed together with one reason."""
from datetime import timedelta

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from moderation.models import Flag, RiskAssessment
from tests.e2e.helpers import signed_in_context
from tests.factories import UserFactory
from tests.groups.factories import PostFactory, SupportGroupFactory, TopicFactory
from tests.support.browser import ARTIFACTS, open_page

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

LONG = "Everything has been flat and far away since the dose went up, like living behind glass. " * 12


def _flags(count: int) -> list[Flag]:
    group = SupportGroupFactory(name="A circle with a rather long name for a phone screen")
    topic = TopicFactory(group=group, title="Behind glass")
    flags = []
    for index in range(count):
        post = PostFactory(topic=topic, body=f"{index}: {LONG}")
        level = "crisis" if index % 4 == 0 else "concern"
        assessment = RiskAssessment.objects.create(
            content_kind="post", content_id=post.pk, author=post.author, group=group, status="assessed", level=level,
            signals=[{"kind": "rule", "description": "Talks about feeling far away from everyone, for a long time now"},
                     {"kind": "model", "crisis": 0.4, "concern": 0.5}],
        )
        flags.append(Flag.objects.create(
            source="assessment", assessment=assessment, level=level, priority=0 if level == "crisis" else 1,
            content_kind="post", content_id=post.pk, author=post.author, group=group,
            raised_at=timezone.now() - timedelta(minutes=index),
        ))
    return flags


@pytest.fixture
def queue_page(browser, asgi_server):
    moderator = UserFactory(is_moderator=True)
    contexts = []

    def open_at(width: int, height: int = 900):
        context = signed_in_context(browser, asgi_server, moderator, viewport={"width": width, "height": height})
        contexts.append(context)
        page = open_page(context)
        page.goto(f"{asgi_server.url}/moderation/")
        return page

    yield open_at
    for context in contexts:
        context.close()


def test_on_a_desktop_each_item_is_one_short_line_and_the_page_stays_short(queue_page):
    _flags(30)
    page = queue_page(1280)

    rows = page.locator("#queue tr.queue-item")
    expect(rows).to_have_count(25)
    heights = [box["height"] for box in (rows.nth(i).bounding_box() for i in range(25))]
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / "queue-desktop.png"), full_page=True)
    assert max(heights) < 80, heights  # a line or two of text, never a thread
    assert page.locator("#queue table").bounding_box()["height"] < 25 * 80
    assert page.problems.all() == []


def test_on_a_390_px_phone_nothing_is_wider_than_the_screen(queue_page):
    _flags(30)
    page = queue_page(390, 844)

    expect(page.locator("#queue tr.queue-item")).to_have_count(25)
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
    first = page.locator("#queue tr.queue-item").first
    assert first.bounding_box()["width"] <= 390
    expect(first.get_by_role("link")).to_be_visible()
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    page.locator("#queue table").scroll_into_view_if_needed()
    page.screenshot(path=str(ARTIFACTS / "queue-390.png"))
    assert page.problems.all() == []


def test_ticked_concern_items_are_dismissed_with_one_reason(queue_page):
    flags = _flags(6)
    concern = [flag for flag in flags if flag.level == "concern"]
    page = queue_page(1280)

    for flag in concern[:2]:
        page.get_by_label(f"Select item #{flag.pk} to dismiss").check()
    page.get_by_label("Why they need nothing from us").fill("Describing numbness; nobody at risk.")
    page.get_by_role("button", name="Dismiss the ticked items").click()

    expect(page.locator(".messages")).to_contain_text("Dismissed 2 items, with your reason.")
    expect(page.locator("#queue tr.queue-item")).to_have_count(4)
    assert [Flag.objects.get(pk=flag.pk).status for flag in concern[:2]] == ["dismissed", "dismissed"]
    assert page.get_by_label(f"Select item #{flags[0].pk} to dismiss").count() == 0  # a crisis item has no box
    assert page.problems.all() == []


def test_the_list_reloading_live_keeps_the_ticks_and_the_reason(queue_page):
    flags = _flags(3)
    concern = [flag for flag in flags if flag.level == "concern"]
    page = queue_page(1280)
    page.get_by_label(f"Select item #{concern[0].pk} to dismiss").check()
    page.get_by_label("Why they need nothing from us").fill("Typed before the list reloaded.")

    # Another tab claims an item: every open queue reloads its list in place.
    other_tab = queue_page(1280)
    other_tab.locator(f"#flag-{concern[1].pk}").get_by_role("button", name="Claim").click()
    expect(other_tab.locator(".messages")).to_contain_text("It is yours now")

    claimed = page.locator(f"#flag-{concern[1].pk}")
    expect(claimed).to_contain_text("is on it.")  # (the same moderator, in another tab)
    expect(claimed.get_by_role("button", name="Release")).to_be_visible()
    expect(page.get_by_label(f"Select item #{concern[0].pk} to dismiss")).to_be_checked()
    expect(page.get_by_label("Why they need nothing from us")).to_have_value("Typed before the list reloaded.")
    assert page.problems.all() == []
