"""The writer sees help at once, wherever they land: a member writes a dozen first-person crisis
texts (topics, replies, edits, room messages, past the posting limit, while muted) and each time
the crisis panel is in view and has the focus; ordinary posts never show it.

Served by the real ASGI application (pages and the room's socket) from the test process.
"""
from datetime import timedelta

import pytest
from django.core.cache import cache
from django.utils import timezone
from playwright.sync_api import expect

from groups.services import reply_create, topic_create
from moderation.models import CrisisCase, Flag, RefusedPost, Sanction
from tests.e2e.helpers import room_log, room_send, signed_in_context, snap
from tests.factories import UserFactory
from tests.groups.factories import GroupSessionFactory, MembershipFactory, SupportGroupFactory
from tests.support.browser import open_page
from tests.support.risk_texts import CRISIS_TEXTS, ORDINARY_TEXTS

pytestmark = [
    pytest.mark.e2e,
    pytest.mark.django_db(transaction=True),
    pytest.mark.filterwarnings("ignore:StreamingHttpResponse must consume synchronous iterators:Warning"),
]


def _panel_in_view_and_focused(page) -> None:
    panel = page.locator("#crisis-panel")
    expect(panel).to_have_count(1)
    expect(panel).to_be_in_viewport()
    expect(panel).to_be_focused()
    expect(panel.get_by_role("link", name="988")).to_have_attribute("href", "tel:988")
    expect(panel.get_by_role("link", name="911")).to_have_attribute("href", "tel:911")


def _no_panel(page) -> None:
    expect(page.locator("#crisis-panel")).to_have_count(0)


def _start_topic(page, server, group, title: str, body: str) -> None:
    page.goto(f"{server.url}/groups/{group.slug}/topics/new/")
    page.get_by_label("Title").fill(title)
    page.get_by_label("What would you like to share?").fill(body)
    page.get_by_role("button", name="Post topic").click()


def _reply(page, server, topic, body: str) -> None:
    page.goto(server.url + topic.get_absolute_url())
    page.locator("section.reply textarea[name=body]").fill(body)
    page.get_by_role("button", name="Post reply").click()


def _edit(page, server, topic, body: str) -> None:
    page.goto(server.url + topic.get_absolute_url())
    page.locator("article.post-opening").get_by_role("link", name="Edit").click()
    page.locator("textarea[name=body]").fill(body)
    page.get_by_role("button", name="Save").click()


def test_a_member_sees_the_panel_in_view_and_focused_wherever_a_crisis_lands(browser, asgi_server):
    group = SupportGroupFactory(name="Behind glass", slug="glass")
    facilitator = MembershipFactory(group=group, facilitator=True).user
    member = UserFactory(date_joined=timezone.now() - timedelta(days=60))
    MembershipFactory(group=group, user=member)
    session = GroupSessionFactory(group=group, title="Sunday circle", starts_at=timezone.now() - timedelta(minutes=5))
    # A long thread, so the latest reply is far below the top of its page.
    topic = topic_create(group=group, author=facilitator, title="Check-in thread", body="How are you, really?")
    for n in range(12):
        reply_create(topic=topic, author=facilitator, body=f"A long and gentle reply, number {n}.\n\n" + "Still here. " * 60)

    context = signed_in_context(browser, asgi_server, member, viewport={"width": 1280, "height": 800})
    lead_context = signed_in_context(browser, asgi_server, facilitator, viewport={"width": 1280, "height": 800})
    try:
        page = open_page(context)
        texts = iter(CRISIS_TEXTS)

        # Ordinary posts first: no panel, ever.
        for body in ORDINARY_TEXTS[:3]:
            _reply(page, asgi_server, topic, body)
            expect(page.get_by_text(body)).to_be_visible()
            _no_panel(page)
        cache.clear()  # the posting limit is tested on its own below

        # Three topics.
        for n in range(3):
            _start_topic(page, asgi_server, group, f"Tonight {n}", next(texts))
            _panel_in_view_and_focused(page)
        snap(page, "safety-loop-topic-panel")
        cache.clear()

        # Three replies at the end of a long thread: the panel, not #latest, is what the page shows.
        for _ in range(3):
            _reply(page, asgi_server, topic, next(texts))
            _panel_in_view_and_focused(page)
        snap(page, "safety-loop-reply-panel")
        cache.clear()

        # Two edits of the member's own calm topic.
        own = topic_create(group=group, author=member, title="Small things", body="I noticed the light this morning.")
        for _ in range(2):
            _edit(page, asgi_server, own, next(texts))
            _panel_in_view_and_focused(page)

        # Two messages in the live room.
        lead = open_page(lead_context)
        room_path = f"/groups/{group.slug}/sessions/{session.pk}/room/"
        lead.goto(asgi_server.url + room_path)
        expect(lead.locator("#room-connection")).to_have_text("Connected.")
        page.goto(asgi_server.url + room_path)
        expect(page.get_by_label("Your message")).to_be_enabled()
        room_send(page, ORDINARY_TEXTS[3])
        expect(room_log(page).locator(".room-message-body", has_text=ORDINARY_TEXTS[3][:30])).to_have_count(1)
        _no_panel(page)
        for _ in range(2):
            room_send(page, next(texts))
            _panel_in_view_and_focused(page)
        snap(page, "safety-loop-room-panel")

        # Past the posting limit: 6 posts a minute for this account; the seventh is refused.
        cache.clear()
        for n in range(6):
            _reply(page, asgi_server, topic, f"Thank you all, {n}.")
        refused_text = next(texts)
        _reply(page, asgi_server, topic, refused_text)
        expect(page.get_by_text("You are posting faster than we allow right now.")).to_be_visible()
        expect(page.locator("textarea[name=body]")).to_have_value(refused_text)
        _panel_in_view_and_focused(page)
        snap(page, "safety-loop-limit-panel")

        # Muted while the reply box was open: the words come back, the panel shows, a moderator hears.
        cache.clear()
        page.goto(asgi_server.url + topic.get_absolute_url())
        Sanction.objects.create(user=member, kind=Sanction.Kind.MUTE, group=group, reason="A short pause.",
                                ends_at=timezone.now() + timedelta(hours=2))
        muted_text = next(texts)
        page.locator("section.reply textarea[name=body]").fill(muted_text)
        page.get_by_role("button", name="Post reply").click()
        expect(page.get_by_role("heading", name="You can read, but not post, for now")).to_be_visible()
        expect(page.locator("textarea[name=body]")).to_have_value(muted_text)
        _panel_in_view_and_focused(page)
        snap(page, "safety-loop-muted-panel")
        # And from now on the member is told before writing: no reply box, a sentence saying why.
        page.goto(asgi_server.url + topic.get_absolute_url())
        expect(page.get_by_role("heading", name="You can read, but not post, for now")).to_be_visible()
        expect(page.get_by_text("A short pause.")).to_be_visible()
        expect(page.get_by_role("button", name="Post reply")).to_have_count(0)
        _no_panel(page)
        # The refusal pages answer 429 and 403, as they should; Chromium logs each such load.
        refusals = ("status of 429 (Too Many Requests)", "status of 403 (Forbidden)")
        assert [problem for problem in page.problems.all() if not problem.endswith(refusals)] == []
    finally:
        context.close()
        lead_context.close()

    assert next(texts, None) is None  # all twelve were written
    assert Flag.objects.filter(author=member, level="crisis").count() == 12
    assert sorted(RefusedPost.objects.filter(author=member).values_list("reason", flat=True)) == ["rate_limited", "restricted"]
    assert CrisisCase.objects.filter(member=member).count() == 1
    assert not Flag.objects.filter(author=member).exclude(level="crisis").exists()  # ordinary posts raised nothing
