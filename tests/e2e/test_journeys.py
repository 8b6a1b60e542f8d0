"""Two whole journeys in headless Chromium, against the real ASGI server (HTTP and WebSockets):
a new member from the home page to their safety plan, and a moderator from signing in with a
second factor to the audit log. Every page they and the people they meet visit is listened to
for console errors, uncaught exceptions and CSP violations: none is allowed. Screenshots of the
main pages, at phone and desktop widths, go to artifacts/screenshots/ (git-ignored).
"""
import time
from datetime import timedelta

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from groups.models import GroupSession, RoomMessage
from moderation.models import CrisisCase, Flag
from resources.services import library_load
from tests.e2e.helpers import (
    DESKTOP,
    PHONE,
    CuttableLine,
    room_log,
    room_send,
    sign_in_with_code,
    sign_up_and_verify,
    signed_in_context,
    snap,
)
from tests.factories import UserFactory, totp_activate
from tests.groups.factories import GroupSessionFactory, MembershipFactory, SupportGroupFactory
from tests.support.browser import open_page
from tests.support.risk_texts import CRISIS_TEXT

pytestmark = [
    pytest.mark.e2e,
    pytest.mark.django_db(transaction=True),
    # WhiteNoise hands Django's ASGI handler static files as synchronous iterators; Django warns.
    pytest.mark.filterwarnings("ignore:StreamingHttpResponse must consume synchronous iterators:Warning"),
]

MODERATOR_SECRET = "JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP"


def assert_no_problems(*pages) -> None:
    problems = {page.url: page.problems.all() for page in pages}
    assert all(not found for found in problems.values()), problems


def wait_until(page, condition, timeout: float = 10) -> None:
    """Let Playwright deliver events (frames, console) until `condition()` holds."""
    deadline = time.monotonic() + timeout
    while not condition():
        assert time.monotonic() < deadline, "timed out"
        page.wait_for_timeout(50)


def room_bodies(page) -> list[str]:
    return room_log(page).locator(".room-message-body").all_inner_texts()


def test_a_new_member_reads_joins_meets_the_group_live_and_finds_help_at_once(browser, asgi_server):
    library_load()
    group = SupportGroupFactory(name="Behind the glass", slug="behind-the-glass")
    facilitator = MembershipFactory(group=group, facilitator=True).user
    other = MembershipFactory(group=group).user
    session = GroupSessionFactory(group=group, title="Thursday circle", starts_at=timezone.now() + timedelta(hours=2))
    room_path = f"/groups/{group.slug}/sessions/{session.pk}/room/"

    contexts = [
        browser.new_context(viewport=DESKTOP, timezone_id="Europe/Berlin"),
        signed_in_context(browser, asgi_server, facilitator, viewport=DESKTOP),
        signed_in_context(browser, asgi_server, other, viewport=PHONE, is_mobile=True, has_touch=True),
    ]
    try:
        me = open_page(contexts[0])
        line = CuttableLine(me)

        # Lands, reads the library.
        me.goto(asgi_server.url + "/")
        expect(me.get_by_role("heading", name="When you feel nothing, you are still not alone.")).to_be_visible()
        snap(me, "journey-home")
        me.get_by_role("navigation", name="Main").get_by_role("link", name="Library").click()
        expect(me.get_by_role("heading", name="The library", level=1)).to_be_visible()
        snap(me, "journey-library")
        entry = me.locator(".entry-card-title a").first
        title = entry.inner_text()
        entry.click()
        expect(me.get_by_role("heading", name=title, level=1)).to_be_visible()
        snap(me, "journey-library-entry")

        # Signs up, verifies the e-mail, then chooses another name and time zone.
        sign_up_and_verify(me, asgi_server, email="first.light@example.org", password="kettle on, window open", display_name="First Light")
        me.get_by_role("link", name="Edit profile").click()
        me.get_by_label("Display name").fill("Slow Thaw")
        me.get_by_label("Time zone").select_option("America/Chicago")
        me.get_by_role("button", name="Save").click()
        expect(me.get_by_text("Your profile is saved.")).to_be_visible()
        expect(me.locator("main")).to_contain_text("Slow Thaw")
        expect(me.locator("main")).to_contain_text("America/Chicago")
        snap(me, "journey-profile")
        assert_no_problems(me)

        # Joins the group, RSVPs to a session whose room is not open yet.
        me.get_by_role("navigation", name="Main").get_by_role("link", name="Groups", exact=True).click()
        me.get_by_role("link", name="Behind the glass").click()
        me.get_by_role("button", name="Join this group").click()
        expect(me.get_by_text("Welcome. You are now a member of this group.")).to_be_visible()
        snap(me, "journey-group")
        me.get_by_role("link", name="Sessions", exact=True).click()
        me.get_by_role("link", name="Thursday circle").click()
        me.get_by_role("button", name="I'll come").click()
        expect(me.get_by_text("You're going.", exact=True)).to_be_visible()
        expect(me.locator(".room-opens")).to_contain_text("The room opens at")
        snap(me, "journey-session")

        # The hour comes: the room opens ten minutes before the start.
        GroupSession.objects.filter(pk=session.pk).update(starts_at=timezone.now() + timedelta(minutes=5))
        me.reload()
        me.get_by_role("link", name="Enter the room").click()
        expect(me.locator("#room-connection")).to_have_text("Connected.")
        expect(me.locator("#room-composer-reason")).to_contain_text("Waiting for the facilitator")

        lead, peer = open_page(contexts[1]), open_page(contexts[2])
        lead.goto(asgi_server.url + room_path)
        expect(lead.locator("#room-connection")).to_have_text("Connected.")
        peer.goto(asgi_server.url + room_path)
        expect(peer.locator("#room-connection")).to_have_text("Connected.")
        expect(me.get_by_label("Your message")).to_be_enabled()
        expect(me.locator("#room-presence")).to_contain_text(str(other.display_name))

        # Checks in.
        me.get_by_role("button", name="Check in").click()
        me.get_by_label("How much can you feel right now?").fill("3")
        me.get_by_label("How connected do you feel to others?").fill("2")
        me.get_by_label("numb").check()
        me.locator("#room-check-in").get_by_role("button", name="Send").click()
        expect(room_log(me)).to_contain_text("Thank you for checking in.")
        expect(lead.locator('.room-summary-phase[data-phase="in"]')).to_contain_text("1 answered")

        # Talks with the other member and the facilitator.
        room_send(me, "Hi, I'm new. Mostly I feel like I'm behind glass.")
        expect(room_log(peer).locator(".room-message-body", has_text="behind glass")).to_have_count(1)
        expect(room_log(lead).locator(".room-message-body", has_text="behind glass")).to_have_count(1)
        room_send(peer, "Welcome. The glass gets thinner some days.")
        room_send(lead, "Glad you came. Take your time; listening is fine too.")
        expect(room_log(me).locator(".room-message-body", has_text="listening is fine too")).to_have_count(1)
        expect(room_log(me).locator(".room-message-body", has_text="glass gets thinner")).to_have_count(1)
        expect(room_log(me).locator(".room-message-pending")).to_have_count(0)

        # The connection drops; the others go on talking; it comes back with nothing lost or doubled.
        line.cut()
        expect(me.locator("#room-connection")).to_contain_text("Trying again")
        room_send(peer, "Missed one: I went for a walk without my phone.")
        room_send(lead, "Missed two: that counts as something noticed.")
        for page in (peer, lead):
            expect(room_log(page).locator(".room-message-body", has_text="Missed two")).to_have_count(1)
            expect(room_log(page).locator(".room-message-pending")).to_have_count(0)
        expect(room_log(me).locator(".room-message-body", has_text="Missed")).to_have_count(0)
        line.restore()
        expect(me.locator("#room-connection")).to_have_text("Reconnected.", timeout=15_000)
        expect(room_log(me).locator(".room-message-body", has_text="Missed")).to_have_count(2)
        stored = list(RoomMessage.objects.filter(session=session).order_by("seq").values_list("seq", "body"))
        assert room_bodies(me) == [body for _, body in stored]
        seqs = [int(s) for s in room_log(me).locator("li[data-seq]").evaluate_all("items => items.map(li => li.dataset.seq)")]
        assert seqs == [seq for seq, _ in stored]
        snap(me, "journey-room")
        snap(lead, "journey-room-facilitator")

        # Checks out.
        me.get_by_role("button", name="Check out").click()
        expect(me.get_by_role("heading", name="Check out")).to_be_visible()
        me.get_by_label("How much can you feel right now?").fill("4")
        me.locator("#room-check-in").get_by_role("button", name="Send").click()
        expect(room_log(me)).to_contain_text("Thank you for checking out.")
        expect(lead.locator('.room-summary-phase[data-phase="out"]')).to_contain_text("1 answered")
        assert_no_problems(me, lead, peer)

        # Posts in the forum, then writes something that brings help at once.
        me.get_by_role("navigation", name="Breadcrumb").get_by_role("link", name="Behind the glass").click()
        me.get_by_role("link", name="Start a topic").click()
        me.get_by_label("Title").fill("My first week here")
        me.get_by_label("What would you like to share?").fill("Tonight's circle was the first time in weeks I *noticed* anything.")
        me.get_by_role("button", name="Post topic").click()
        expect(me.get_by_role("heading", name="My first week here")).to_be_visible()
        expect(me.locator("#crisis-panel")).to_have_count(0)
        snap(me, "journey-topic")

        me.get_by_label("Your reply").fill(CRISIS_TEXT)
        me.get_by_role("button", name="Post reply").click()
        panel = me.locator("#crisis-panel")
        expect(panel).to_be_visible()
        expect(panel.get_by_role("link", name="988")).to_have_attribute("href", "tel:988")
        expect(panel.get_by_role("link", name="911")).to_have_attribute("href", "tel:911")
        expect(panel).to_contain_text("ask for an officer trained in mental health (CIT)")
        expect(me.get_by_text("I wrote the notes already.")).to_be_visible()  # posted, not hidden
        snap(me, "journey-crisis-panel")
        panel.get_by_role("link", name="Open my safety plan").click()
        expect(me.get_by_role("heading", name="My safety plan")).to_be_visible()
        snap(me, "journey-safety-plan")

        assert Flag.objects.filter(level="crisis", author__email="first.light@example.org").count() == 1
        assert_no_problems(me, lead, peer)
    finally:
        for context in contexts:
            context.close()


def test_a_moderator_sees_a_crisis_arrive_live_follows_it_up_mutes_in_a_room_and_reads_the_audit_log(browser, asgi_server):
    moderator = UserFactory(is_moderator=True, totp=False)
    totp_activate(moderator, MODERATOR_SECRET)
    group = SupportGroupFactory(name="Flat after burnout", slug="flat-after-burnout")
    member = MembershipFactory(group=group).user
    session = GroupSessionFactory(group=group, title="Sunday evening room", starts_at=timezone.now() - timedelta(minutes=5))

    contexts = [
        browser.new_context(viewport=DESKTOP, timezone_id="Europe/Berlin"),
        signed_in_context(browser, asgi_server, member, viewport=PHONE, is_mobile=True, has_touch=True),
    ]
    try:
        mod, them = open_page(contexts[0]), open_page(contexts[1])
        feed: list[str] = []
        mod.on("websocket", lambda ws: "/ws/moderation/" in ws.url and ws.on("framereceived", lambda payload: feed.append(str(payload))))

        sign_in_with_code(mod, asgi_server, moderator, MODERATOR_SECRET)
        mod.get_by_role("navigation", name="Main").get_by_role("link", name="Moderation").click()
        expect(mod.get_by_role("heading", name="Moderation", level=1)).to_be_visible()
        expect(mod.locator("#queue")).to_contain_text("Nothing here. Thank you.")
        wait_until(mod, lambda: any("Connected to the moderation feed." in frame for frame in feed))
        snap(mod, "journey-moderation-empty")
        mod.evaluate("window.__sameDocument = true")

        # A member writes in their group; the queue shows it without a reload.
        them.goto(asgi_server.url + group.get_absolute_url())
        them.get_by_role("link", name="Start a topic").click()
        them.get_by_label("Title").fill("Can't do this any more")
        them.get_by_label("What would you like to share?").fill(CRISIS_TEXT)
        them.get_by_role("button", name="Post topic").click()
        expect(them.locator("#crisis-panel")).to_be_visible()

        item = mod.locator("#queue .queue-item.level-crisis")
        expect(item).to_have_count(1)
        expect(item).to_contain_text(str(member.display_name))
        expect(item).to_contain_text("Can't do this any more")
        expect(mod.locator("[data-open-crisis]")).to_have_text("1")
        assert mod.evaluate("window.__sameDocument") is True
        snap(mod, "journey-moderation-crisis")
        assert_no_problems(mod, them)

        # Claims it, opens the case, sends a check-in.
        item.get_by_role("button", name="Claim").click()
        expect(mod.get_by_role("heading", name="Moderation", level=1)).to_be_visible()  # the whole page again
        expect(item.get_by_text(f"{moderator.display_name} is on it.")).to_be_visible()
        expect(item.get_by_role("button", name="Release")).to_be_visible()
        item.get_by_role("link", name="Can't do this any more").click()  # its first words open the item
        mod.get_by_role("button", name="Join their open crisis case").click()
        case = CrisisCase.objects.get(member=member)
        expect(mod.get_by_role("heading", name=f"Case #{case.pk}")).to_be_visible()
        check_in = mod.locator("form", has=mod.get_by_role("heading", name="Send a check-in now"))
        check_in.get_by_label("A personal line (optional)").fill("I read what you wrote tonight. I'm here, and I'd like to hear how you are.")
        check_in.get_by_role("button", name="Send check-in").click()
        expect(mod.get_by_text("Recorded on the case's timeline.")).to_be_visible()
        expect(mod.locator(".timeline")).to_contain_text("I'd like to hear how you are.")
        snap(mod, "journey-case")

        them.goto(asgi_server.url + "/messages/")
        them.locator(".notifications a").first.click()
        expect(them.locator("main")).to_contain_text("I'd like to hear how you are.")

        # In a live room, the moderator mutes the member: their composer disables at once.
        room_path = f"/groups/{group.slug}/sessions/{session.pk}/room/"
        mod.goto(asgi_server.url + room_path)
        expect(mod.locator("#room-connection")).to_have_text("Connected.")
        them.goto(asgi_server.url + room_path)
        expect(them.locator("#room-connection")).to_have_text("Connected.")
        expect(them.get_by_label("Your message")).to_be_enabled()
        room_send(them, "Thank you for writing to me.")
        expect(room_log(mod).locator(".room-message-body", has_text="Thank you for writing")).to_have_count(1)
        mod.get_by_role("button", name=f"Mute {member.display_name}").click()
        expect(them.get_by_label("Your message")).to_be_disabled()
        expect(them.get_by_role("button", name="Send", exact=True)).to_be_disabled()
        expect(them.locator("#room-composer-reason")).to_be_visible()
        snap(them, "journey-room-muted")
        snap(mod, "journey-room-moderator")

        # The audit log has each of those actions.
        mod.get_by_role("navigation", name="Main").get_by_role("link", name="Moderation").click()
        mod.get_by_role("navigation", name="Moderation", exact=True).get_by_role("link", name="Audit log").click()
        log = mod.locator("table tbody")
        for action in ("Claimed a queue item", "Opened or joined a crisis case", "Sent a check-in", "Muted someone in a live room"):
            expect(log.locator("tr", has_text=action).filter(has_text=str(member.display_name))).to_have_count(1)
        snap(mod, "journey-audit-log")
        assert_no_problems(mod, them)
    finally:
        for context in contexts:
            context.close()
