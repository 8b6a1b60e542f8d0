"""room.js against a scripted socket: every server frame of docs/room-protocol.md, and the client's
promises (order by seq, resume, same client_id on resend, "not sent" on error, backoff, refusals).

The page is the real room page from `live_server` (the `room_page` fixture); Playwright answers its
WebSocket in place of the server (tests/e2e/scripted_room.py), so each test says exactly which
frames arrive and when.
"""
import re

import pytest
from playwright.sync_api import expect

from tests.e2e.scripted_room import message_frame, state_frame
from tests.support.browser import ARTIFACTS

# the room's socket is scripted by the test: only room.js is tried: once, on the embedded default (tests/conftest.py).
pytestmark = [pytest.mark.e2e, pytest.mark.client_only, pytest.mark.django_db(transaction=True)]

UUID = re.compile(r"^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$")


def _log_texts(page) -> list[str]:
    return page.locator("#room-log .room-message-body").all_text_contents()


def test_messages_show_once_in_seq_order_as_plain_text_and_a_gap_asks_for_resume(room_page):
    open_as, member, _facilitator = room_page
    page, room = open_as(member)
    room.join({"user_id": member.pk, "display_name": "Me", "role": "member"},
              messages=[message_frame(1, "first"), message_frame(2, '<img src=x onerror="window.pwned=1"> second')])
    expect(page.locator("#room-log .room-message-body")).to_have_count(2)

    room.send(message_frame(2, "a duplicate of the second"))  # the same seq again: ignored
    room.send(message_frame(4, "fourth"))  # 3 is missing: the client asks for what follows 2
    resume = room.wait_for_frame("resume")
    assert resume == [{"type": "resume", "after": 2}]
    room.send({"type": "history", "messages": [message_frame(3, "third"), message_frame(4, "fourth")], "last_seq": 4, "more": False})

    expect(page.locator("#room-log .room-message-body")).to_have_count(4)
    assert _log_texts(page) == ["first", '<img src=x onerror="window.pwned=1"> second', "third", "fourth"]
    assert page.locator("#room-log img").count() == 0 and page.evaluate("window.pwned") is None
    room.send(message_frame(5, "fifth"))
    expect(page.locator("#room-log .room-message-body").last).to_have_text("fifth")
    assert len(room.frames("resume")) == 1  # no gap any more, no further resume
    assert page.problems.all() == []


def test_a_sent_message_is_sending_until_its_ack_and_goes_again_with_the_same_id_after_a_reconnect(room_page):
    open_as, member, _facilitator = room_page
    page, room = open_as(member)
    room.join({"user_id": member.pk, "display_name": "Me", "role": "member"}, messages=[message_frame(1, "hello")])
    expect(page.locator("#room-log .room-message-body")).to_have_count(1)

    page.get_by_label("Your message").fill("  I am here too.  ")
    page.get_by_role("button", name="Send", exact=True).click()
    sent = room.wait_for_frame("message")[0]
    assert sent["body"] == "I am here too." and UUID.match(sent["client_id"])
    pending = page.locator(".room-message-pending")
    expect(pending).to_contain_text("sending…")

    room.ws.close(code=1012, reason="server restart")  # dropped before the ack
    expect(page.locator("#room-connection")).to_contain_text("Trying again")
    room.wait_for_socket(2, timeout=5)  # 1 s backoff, jittered
    room.join({"user_id": member.pk, "display_name": "Me", "role": "member"}, messages=[message_frame(1, "hello")])

    assert room.wait_for_frame("resume", socket=1) == [{"type": "resume", "after": 1}]
    again = room.wait_for_frame("message", socket=1)
    assert again == [{"type": "message", "body": "I am here too.", "client_id": sent["client_id"]}]
    room.send({"type": "history", "messages": [], "last_seq": 1, "more": False})
    room.send({"type": "ack", "client_id": sent["client_id"], "seq": 2, "id": 1002, "duplicate": False})
    room.send(message_frame(2, "I am here too.", user_id=member.pk, name="Me", client_id=sent["client_id"]))

    expect(pending).to_have_count(0)
    assert _log_texts(page) == ["hello", "I am here too."]
    expect(page.locator("#room-connection")).to_have_text("Reconnected.")
    assert page.problems.all() == []


def test_an_error_marks_the_message_not_sent_with_a_retry_that_keeps_its_id(room_page):
    open_as, member, _facilitator = room_page
    page, room = open_as(member)
    room.join({"user_id": member.pk, "display_name": "Me", "role": "member"})
    page.get_by_label("Your message").fill("Could this be stored?")
    page.get_by_role("button", name="Send", exact=True).click()
    sent = room.wait_for_frame("message")[0]

    room.send({"type": "error", "code": "not_saved", "detail": "Your message could not be saved.", "client_id": sent["client_id"]})
    failed = page.locator(".room-message-failed")
    expect(failed).to_contain_text("not sent: Your message could not be saved.")
    expect(failed).not_to_contain_text("sending…")

    failed.get_by_role("button", name="Try again").click()
    assert room.wait_for_frame("message", count=2)[1]["client_id"] == sent["client_id"]
    expect(page.locator(".room-message-pending")).to_contain_text("sending…")
    room.send({"type": "ack", "client_id": sent["client_id"], "seq": 1, "id": 1001, "duplicate": False})
    expect(page.locator(".room-message-pending, .room-message-failed")).to_have_count(0)
    expect(page.locator("#room-log li[data-seq='1'] .room-message-body")).to_have_text("Could this be stored?")


def test_slow_mode_error_says_when_to_retry(room_page):
    open_as, member, _facilitator = room_page
    page, room = open_as(member)
    room.join({"user_id": member.pk, "display_name": "Me", "role": "member"})
    page.get_by_label("Your message").fill("quick one")
    page.get_by_role("button", name="Send", exact=True).click()
    sent = room.wait_for_frame("message")[0]

    room.send({"type": "error", "code": "slow_mode", "detail": "Slow mode: you can send again in 2 seconds.",
               "retry_after": 2, "client_id": sent["client_id"]})

    retry = page.get_by_role("button", name="Try again")
    expect(page.locator(".room-message-failed")).to_contain_text("Slow mode: you can send again in 2 seconds.")
    expect(page.locator(".room-message-failed")).to_contain_text("You can try again in 2 s.")
    expect(retry).to_be_disabled()
    expect(retry).to_be_enabled(timeout=4000)


def test_too_fast_without_a_client_id_resends_what_is_unacknowledged_after_the_pause(room_page):
    open_as, member, _facilitator = room_page
    page, room = open_as(member)
    room.join({"user_id": member.pk, "display_name": "Me", "role": "member"})
    page.get_by_label("Your message").fill("burst")
    page.get_by_role("button", name="Send", exact=True).click()
    sent = room.wait_for_frame("message")[0]

    room.send({"type": "error", "code": "too_fast", "detail": "Too many frames; slow down a little.", "retry_after": 1})

    expect(page.locator("#room-notice")).to_contain_text("Waiting 1 s")
    assert room.wait_for_frame("message", count=2, timeout=4)[1]["client_id"] == sent["client_id"]


@pytest.mark.parametrize(
    ("code", "close_code", "detail"),
    [
        ("room_closed", 4409, "The room opens at 18:50 CET, 10 minutes before the session."),
        ("session_over", 4410, "The facilitator ended the session. Thank you for being here."),
        ("removed", 4411, "The facilitator removed you from this session."),
        ("forbidden", 4403, "You are no longer a member of this group."),
    ],
)
def test_a_refusal_shows_the_servers_reason_and_stops_reconnecting(room_page, code, close_code, detail):
    open_as, member, _facilitator = room_page
    page, room = open_as(member)
    room.wait_for_socket()
    room.send({"type": "error", "code": code, "detail": detail})
    room.ws.close(code=close_code)

    expect(page.locator("#room-stopped")).to_contain_text(detail)
    expect(page.get_by_label("Your message")).to_be_disabled()
    page.wait_for_timeout(2500)  # longer than the first two reconnect pauses
    assert len(room.sockets) == 1
    assert page.problems.all() == []


def test_a_dropped_connection_reconnects_with_growing_jittered_pauses(room_page):
    open_as, member, _facilitator = room_page
    page, room = open_as(member, clock=True)
    room.wait_for_socket()
    waits = []
    for attempt in range(6):
        room.ws.close(code=1011)  # no welcome in between: each pause doubles
        expect(page.locator("#room-connection")).to_contain_text("Trying again")
        waited = 0
        while len(room.sockets) < attempt + 2:
            page.clock.run_for(100)
            waited += 100
            page.wait_for_timeout(5)
            assert waited <= 31_000, waits
        waits.append(waited)
    ceilings = [1000, 2000, 4000, 8000, 16000, 30000]
    for waited, ceiling in zip(waits, ceilings, strict=True):
        assert ceiling / 2 - 100 <= waited <= ceiling + 400, (waits, ceilings)


def test_composer_is_disabled_with_the_reason_while_the_member_cannot_send(room_page):
    open_as, member, _facilitator = room_page
    page, room = open_as(member)
    room.join({"user_id": member.pk, "display_name": "Me", "role": "member", "can_send": False,
               "read_only_reason": "waiting_for_facilitator"}, facilitator_present=False)
    composer = page.get_by_label("Your message")
    reason = page.locator("#room-composer-reason")

    expect(composer).to_be_disabled()
    expect(reason).to_contain_text("Waiting for the facilitator")
    expect(page.locator("#room-facts")).to_contain_text("Waiting for the facilitator")

    room.send({"type": "you", "muted": False, "can_send": True, "read_only_reason": None})
    expect(composer).to_be_enabled()
    expect(reason).to_be_hidden()
    room.send({"type": "you", "muted": True, "can_send": False, "read_only_reason": "muted"})
    expect(reason).to_contain_text("The facilitator muted you")
    room.send({"type": "you", "muted": False, "can_send": False, "read_only_reason": "locked"})
    expect(reason).to_contain_text("The room is locked")
    expect(page.get_by_role("button", name="Send", exact=True)).to_be_disabled()


def test_state_presence_system_and_crisis_frames_show_on_the_page(room_page):
    open_as, member, _facilitator = room_page
    page, room = open_as(member)
    room.join({"user_id": member.pk, "display_name": "Me", "role": "member"}, messages=[message_frame(1, "pin me")],
              participants=[{"user_id": 5, "display_name": "Guide", "role": "facilitator", "muted": False},
                            {"user_id": member.pk, "display_name": "Me", "role": "member", "muted": False}])
    expect(page.locator("#room-presence")).to_contain_text("Guide")
    expect(page.locator("#room-facts")).to_contain_text("The facilitator is here.")

    room.send(state_frame(locked=True, slow_mode_seconds=30, pinned=message_frame(1, "pin me"),
                     round={"current": {"user_id": member.pk, "display_name": "Me"}, "remaining": [{"user_id": 7, "display_name": "River"}]}))
    expect(page.locator("#room-pinned")).to_contain_text("pin me")
    expect(page.locator("#room-facts")).to_contain_text("The room is locked")
    expect(page.locator("#room-facts")).to_contain_text("Slow mode: one message every 30 seconds.")
    expect(page.locator("#room-round")).to_contain_text("It's your turn.")
    expect(page.locator("#room-round")).to_contain_text("Next: River")
    page.get_by_role("button", name="Pass").click()
    assert room.wait_for_frame("round_pass") == [{"type": "round_pass"}]

    room.send({"type": "system", "detail": "A round has started: each person is invited in turn, and may pass."})
    expect(page.locator("#room-log .room-system")).to_have_text("A round has started: each person is invited in turn, and may pass.")

    page.get_by_label("Your message").fill("It has been a long week.")
    page.get_by_role("button", name="Send", exact=True).click()
    sent = room.wait_for_frame("message")[0]
    room.send({"type": "ack", "client_id": sent["client_id"], "seq": 2, "id": 1002, "duplicate": False, "show_crisis_panel": True})
    panel = page.locator("#crisis-panel")
    expect(panel).to_be_visible()
    expect(panel.get_by_role("link", name="988")).to_have_attribute("href", "tel:988")

    room.send(message_frame(3, "hidden one", hidden=True))
    expect(page.locator("#room-log li[data-seq='3']")).to_contain_text("Hidden by a moderator.")
    expect(page.locator("#room-log li[data-seq='3']").get_by_role("button", name=re.compile("Report"))).to_have_count(0)
    room.send({"type": "pong"})
    room.send({"type": "something_new", "x": 1})  # a newer server's frame: ignored
    assert page.problems.all() == []


def test_check_in_and_report_send_their_frames_on_a_phone(room_page):
    open_as, member, _facilitator = room_page
    page, room = open_as(member, viewport={"width": 390, "height": 844})
    room.join({"user_id": member.pk, "display_name": "Me", "role": "member"}, messages=[message_frame(1, "something unkind")])

    page.get_by_role("button", name="Check in").click()
    page.get_by_label("How much can you feel right now?").fill("3")
    page.get_by_label("How connected do you feel to others?").fill("7")
    page.get_by_label("numb").check()
    page.get_by_label("curious").check()
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / "room-check-in-phone.png"))
    page.locator("#room-check-in").get_by_role("button", name="Send").click()
    assert room.wait_for_frame("check_in") == [
        {"type": "check_in", "phase": "in", "feel": 3, "connected": 7, "words": ["numb", "curious"]},
    ]
    expect(page.get_by_role("button", name="Check in")).to_be_hidden()
    page.get_by_role("button", name="Check out").click()
    expect(page.locator("#room-check-in h2")).to_have_text("Check out")
    page.locator("#room-check-in").get_by_role("button", name="Send").click()
    assert room.wait_for_frame("check_in", count=2)[1]["phase"] == "out"

    page.get_by_role("button", name="Report the message from Still Water").click()
    page.get_by_label("Harassment or unkindness").check()
    page.get_by_label("Anything the moderators should know? (optional)").fill("Not the first time.")
    page.get_by_role("button", name="Send to the moderators").click()
    assert room.wait_for_frame("report") == [
        {"type": "report", "message_id": 1001, "reason": "harassment", "note": "Not the first time."},
    ]
    assert page.problems.all() == []


def test_facilitator_controls_send_their_frames(room_page):
    open_as, member, facilitator = room_page
    page, room = open_as(facilitator)
    room.join({"user_id": facilitator.pk, "display_name": "Guide", "role": "facilitator"}, messages=[message_frame(1, "pin this")],
              participants=[{"user_id": member.pk, "display_name": "River", "role": "member", "muted": False},
                            {"user_id": facilitator.pk, "display_name": "Guide", "role": "facilitator", "muted": False}])

    page.get_by_role("button", name="Mute River").click()
    page.get_by_role("button", name="Lock the room", exact=True).click()
    page.get_by_label("Slow mode (seconds between messages, 0 = off)").fill("30")
    page.get_by_role("button", name="Set slow mode").click()
    page.locator("#room-log li[data-seq='1']").get_by_role("button", name="Pin").click()
    page.get_by_role("button", name="Start a round").click()
    page.get_by_role("button", name="Next person").click()
    page.get_by_role("button", name="Extend by 15 minutes").click()
    page.once("dialog", lambda dialog: dialog.accept())
    page.get_by_role("button", name="Remove River").click()
    page.once("dialog", lambda dialog: dialog.dismiss())  # changed their mind: nothing is sent
    page.get_by_role("button", name="End the session").click()
    page.once("dialog", lambda dialog: dialog.accept())
    page.get_by_role("button", name="End the session").click()

    expected = [
        {"type": "mute", "user_id": member.pk}, {"type": "lock"}, {"type": "slow_mode", "seconds": 30},
        {"type": "pin", "message_id": 1001}, {"type": "round_start"}, {"type": "round_next"},
        {"type": "extend", "minutes": 15}, {"type": "remove", "user_id": member.pk}, {"type": "end"},
    ]
    room._wait(lambda: len([f for _n, f in room.received if f["type"] != "ping"]) >= len(expected), 10, "controls")
    assert [frame for _n, frame in room.received if frame["type"] != "ping"] == expected

    room.send(state_frame(locked=True))
    expect(page.get_by_role("button", name="Unlock the room")).to_be_visible()
    expect(page.get_by_role("button", name="Lock the room", exact=True)).to_be_hidden()
    room.send({"type": "check_in_summary", "phase": "out", "count": 3, "feel_average": 4.3, "connected_average": 6.0,
               "words": {"calm": 2, "tired": 1}})
    expect(page.locator('.room-summary-phase[data-phase="out"]')).to_contain_text("3 answered · can feel 4.3 · connected 6")
    expect(page.locator('.room-summary-phase[data-phase="out"]')).to_contain_text("calm ×2, tired ×1")
    assert page.problems.all() == []


def test_pings_every_25_seconds(room_page):
    open_as, member, _facilitator = room_page
    page, room = open_as(member, clock=True)
    room.join({"user_id": member.pk, "display_name": "Me", "role": "member"})
    page.wait_for_timeout(50)
    page.clock.run_for(23_000)
    page.wait_for_timeout(50)
    assert room.frames("ping") == []
    page.clock.run_for(3_000)
    assert room.wait_for_frame("ping") == [{"type": "ping"}]
    page.clock.run_for(25_000)
    room.wait_for_frame("ping", count=2)
