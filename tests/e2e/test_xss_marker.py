"""The XSS corpus in a real browser: room messages (drawn by room.js), a forum topic (Markdown) and
the moderators' queue. Every vector would set `window.__xss` if it ran; the marker must stay unset,
the words must show as text, and no page may report a console error or a CSP violation.
"""
from datetime import timedelta

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from groups import services as group_services
from tests.e2e.helpers import room_log, room_send, signed_in_context
from tests.factories import UserFactory
from tests.groups.factories import (
    GroupSessionFactory,
    MembershipFactory,
    SupportGroupFactory,
)
from tests.groups.helpers import user_named
from tests.hostile.xss_corpus import VECTORS
from tests.support.browser import open_page

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

MARKER_UNSET = "typeof window.__xss === 'undefined'"


def test_hostile_text_stays_text_in_the_room_the_forum_and_the_queue(browser, asgi_server):
    group = SupportGroupFactory(slug="hostile", private=True)
    facilitator = MembershipFactory(group=group, facilitator=True).user
    author = user_named("<img src=x onerror=__xss=1>")  # within the 30-character limit
    MembershipFactory(group=group, user=author)
    moderator = UserFactory(is_moderator=True)
    session = GroupSessionFactory(group=group, starts_at=timezone.now() - timedelta(minutes=1))
    topic = group_services.topic_create(group=group, author=author, title=VECTORS[0], body="\n\n".join(VECTORS))
    room_path = f"/groups/{group.slug}/sessions/{session.pk}/room/"

    contexts = [signed_in_context(browser, asgi_server, user) for user in (facilitator, author, moderator)]
    try:
        lead, member, mod = (open_page(context) for context in contexts)
        lead.goto(asgi_server.url + room_path)
        expect(lead.locator("#room-connection")).to_have_text("Connected.")
        member.goto(asgi_server.url + room_path)
        expect(member.get_by_label("Your message")).to_be_enabled()

        for number, vector in enumerate(VECTORS, start=1):
            room_send(member, vector)
            if number % 8 == 0:  # stay under the room's burst limit
                expect(room_log(lead).locator(".room-message")).to_have_count(number)
        expect(room_log(lead).locator(".room-message")).to_have_count(len(VECTORS))
        for page in (lead, member):
            assert page.evaluate(MARKER_UNSET)
            expect(room_log(page)).to_contain_text(VECTORS[1])  # shown as the words that were typed
            expect(room_log(page).locator("img, svg, iframe, script, object, embed")).to_have_count(0)

        lead.goto(asgi_server.url + topic.get_absolute_url())
        expect(lead.get_by_role("heading", level=1)).to_have_text(VECTORS[0])
        assert lead.evaluate(MARKER_UNSET)

        mod.goto(asgi_server.url + "/moderation/")
        expect(mod.locator("main")).to_be_visible()
        assert mod.evaluate(MARKER_UNSET)

        for page in (lead, member, mod):
            assert page.problems.all() == []
    finally:
        for context in contexts:
            context.close()
