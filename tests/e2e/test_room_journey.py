"""Two members and their facilitator meet in a session's live room, in real browsers.

pytest-django's `live_server` speaks HTTP only, so these tests run the real ASGI application
(platform_site.asgi: Django for HTTP, Channels for /ws/) with uvicorn in a thread of the test
process: the `asgi_server` fixture of tests/e2e/conftest.py.
"""
from datetime import timedelta

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from groups.models import RoomMessage
from tests.e2e.helpers import CuttableLine, room_log, room_send, signed_in_context
from tests.groups.factories import (
    GroupSessionFactory,
    MembershipFactory,
    SupportGroupFactory,
)
from tests.support.browser import ARTIFACTS, open_page

pytestmark = [
    pytest.mark.e2e,
    pytest.mark.django_db(transaction=True),
    # WhiteNoise hands Django's ASGI handler static files as synchronous iterators; Django warns.
    pytest.mark.filterwarnings("ignore:StreamingHttpResponse must consume synchronous iterators:Warning"),
]


def test_members_talk_in_the_room_and_a_dropped_member_catches_up_exactly_once(browser, asgi_server):
    group = SupportGroupFactory(name="Evenings are hardest", slug="evenings")
    facilitator = MembershipFactory(group=group, facilitator=True).user
    member_a, member_b = MembershipFactory(group=group).user, MembershipFactory(group=group).user
    session = GroupSessionFactory(group=group, title="Tuesday evening circle", starts_at=timezone.now() - timedelta(minutes=5))
    room_path = f"/groups/{group.slug}/sessions/{session.pk}/room/"

    contexts = [
        signed_in_context(browser, asgi_server, facilitator, viewport={"width": 1280, "height": 900}),
        signed_in_context(browser, asgi_server, member_a, viewport={"width": 1280, "height": 900}),
        signed_in_context(browser, asgi_server, member_b, viewport={"width": 390, "height": 844}, is_mobile=True, has_touch=True),
    ]
    try:
        lead, a, b = (open_page(context) for context in contexts)
        line_b = CuttableLine(b)

        # Before the facilitator arrives the room is read-only, and says so.
        a.goto(asgi_server.url + room_path)
        expect(a.locator("#room-composer-reason")).to_contain_text("Waiting for the facilitator")
        expect(a.get_by_label("Your message")).to_be_disabled()

        lead.goto(asgi_server.url + room_path)
        expect(lead.get_by_role("heading", name="Facilitator controls")).to_be_visible()
        expect(lead.locator("#room-connection")).to_have_text("Connected.")
        expect(a.get_by_label("Your message")).to_be_enabled()
        expect(a.locator("#room-facts")).to_contain_text("The facilitator is here.")

        b.goto(asgi_server.url + room_path)
        expect(b.locator("#room-connection")).to_have_text("Connected.")
        expect(b.get_by_role("heading", name="Facilitator controls")).to_have_count(0)
        expect(lead.locator("#room-presence")).to_contain_text(str(member_b.display_name))

        room_send(a, "The rain sounded close today. I noticed that.")
        first = room_log(b).locator(".room-message-body", has_text="The rain sounded close today.")
        expect(first).to_have_count(1)
        expect(room_log(a).locator(".room-message-pending")).to_have_count(0)  # acknowledged, not "sending…"

        # B's line drops and stays down while A writes again, and while B writes too.
        line_b.cut()
        expect(b.locator("#room-connection")).to_contain_text("Trying again")
        room_send(a, "Second thing, while some of you are away.")
        expect(room_log(a).locator(".room-message-body", has_text="Second thing")).to_have_count(1)
        expect(room_log(a).locator(".room-message-pending")).to_have_count(0)
        room_send(b, "Sorry, my train went into a tunnel.")
        expect(room_log(b).locator(".room-message-pending", has_text="my train")).to_contain_text("sending…")
        b.wait_for_timeout(500)
        expect(room_log(b).locator(".room-message-body", has_text="Second thing")).to_have_count(0)

        # Back: B resumes from the last seq it saw and sees A's message exactly once; its own
        # waiting message goes out with the same client_id and is stored once.
        line_b.restore()
        expect(b.locator("#room-connection")).to_have_text("Reconnected.", timeout=15_000)
        expect(room_log(b).locator(".room-message-body", has_text="Second thing")).to_have_count(1)
        expect(room_log(b).locator(".room-message-pending")).to_have_count(0)
        expect(room_log(a).locator(".room-message-body", has_text="my train")).to_have_count(1)
        expect(first).to_have_count(1)
        seqs = [int(s) for s in room_log(b).locator("li[data-seq]").evaluate_all("items => items.map(li => li.dataset.seq)")]
        assert seqs == sorted(set(seqs)) == [1, 2, 3]
        assert RoomMessage.objects.filter(session=session, body__contains="my train").count() == 1

        assert b.evaluate("document.documentElement.scrollWidth") <= 390
        ARTIFACTS.mkdir(parents=True, exist_ok=True)
        b.screenshot(path=str(ARTIFACTS / "room-phone.png"), full_page=True)
        lead.screenshot(path=str(ARTIFACTS / "room-facilitator.png"), full_page=True)
        assert lead.problems.all() == []
        assert a.problems.all() == []
        assert b.problems.all() == []
    finally:
        for context in contexts:
            context.close()


def test_facilitator_mutes_and_a_member_checks_in_without_names_reaching_the_summary(browser, asgi_server):
    group = SupportGroupFactory(slug="quiet")
    facilitator = MembershipFactory(group=group, facilitator=True).user
    member = MembershipFactory(group=group).user
    session = GroupSessionFactory(group=group, starts_at=timezone.now() - timedelta(minutes=1))
    room_path = f"/groups/{group.slug}/sessions/{session.pk}/room/"
    contexts = [signed_in_context(browser, asgi_server, user) for user in (facilitator, member)]
    try:
        lead, m = (open_page(context) for context in contexts)
        lead.goto(asgi_server.url + room_path)
        expect(lead.locator("#room-connection")).to_have_text("Connected.")
        m.goto(asgi_server.url + room_path)
        expect(m.locator("#room-connection")).to_have_text("Connected.")
        expect(m.get_by_label("Your message")).to_be_enabled()

        m.get_by_role("button", name="Check in").click()
        m.get_by_label("How much can you feel right now?").fill("2")
        m.get_by_label("How connected do you feel to others?").fill("3")
        m.get_by_label("foggy").check()
        m.locator("#room-check-in").get_by_role("button", name="Send").click()
        expect(m.locator("#room-log")).to_contain_text("Thank you for checking in.")
        expect(m.get_by_role("button", name="Check out")).to_be_visible()
        summary = lead.locator('.room-summary-phase[data-phase="in"]')
        expect(summary).to_contain_text("1 answered · can feel 2 · connected 3")
        expect(summary).to_contain_text("foggy ×1")
        expect(lead.locator("#room-summary")).not_to_contain_text(str(member.display_name))

        lead.get_by_role("button", name=f"Mute {member.display_name}").click()
        expect(m.get_by_label("Your message")).to_be_disabled()
        expect(m.locator("#room-composer-reason")).to_contain_text("The facilitator muted you")
        lead.get_by_role("button", name=f"Unmute {member.display_name}").click()
        expect(m.get_by_label("Your message")).to_be_enabled()

        room_send(m, "<img src=x onerror=alert(1)> is just text here")
        expect(lead.locator(".room-message-body", has_text="<img src=x onerror=alert(1)>")).to_have_count(1)
        expect(lead.locator("#room-log img")).to_have_count(0)

        lead.once("dialog", lambda dialog: dialog.accept())
        lead.get_by_role("button", name="End the session").click()
        expect(m.locator("#room-stopped")).to_contain_text("The facilitator ended the session.")
        expect(m.get_by_label("Your message")).to_be_disabled()
        assert lead.problems.all() == [] and m.problems.all() == []
    finally:
        for context in contexts:
            context.close()
