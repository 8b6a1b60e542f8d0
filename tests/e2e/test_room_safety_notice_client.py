"""room.js and the `safety_notice` frame (docs/room-protocol.md): the facilitator's page shows a calm
note beside the message that raised a crisis alert, as text, whether the note or the message
arrives first. The server sends it to leaders only (tests/groups/test_room_safety_notice.py)."""
import pytest
from playwright.sync_api import expect

from tests.e2e.scripted_room import message_frame

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

NOTICE = "This message raised a crisis alert. A moderator has been told."


def test_the_facilitator_sees_a_calm_note_beside_the_message_whichever_comes_first(room_page):
    open_as, _member, facilitator = room_page
    page, room = open_as(facilitator)
    room.join({"user_id": facilitator.pk, "display_name": "Guide", "role": "facilitator"},
              messages=[message_frame(1, "an ordinary evening")])
    expect(page.locator("#room-log .room-message-body")).to_have_count(1)

    room.send(message_frame(2, "words that raised an alert"))
    room.send({"type": "safety_notice", "message_id": 1002, "detail": NOTICE})
    # The note before its message (they travel through different channel groups).
    room.send({"type": "safety_notice", "message_id": 1003, "detail": "<b>as text</b> " + NOTICE})
    room.send(message_frame(3, "and another"))

    second, third = page.locator("#room-log li[data-seq='2']"), page.locator("#room-log li[data-seq='3']")
    expect(second.locator(".room-safety-notice")).to_have_text(NOTICE)
    expect(third.locator(".room-safety-notice")).to_have_text("<b>as text</b> " + NOTICE)
    assert third.locator(".room-safety-notice b").count() == 0
    expect(page.locator("#room-log li[data-seq='1'] .room-safety-notice")).to_have_count(0)
    room.send({"type": "safety_notice", "message_id": 1002, "detail": NOTICE})  # again: still one note
    expect(second.locator(".room-safety-notice")).to_have_count(1)
    expect(page.locator("#crisis-panel")).to_have_count(0)  # a note for the facilitator, not the crisis panel
    assert page.problems.all() == []
