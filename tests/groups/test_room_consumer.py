"""/ws/sessions/<id>/: the live room, through the real ASGI app, for every role and window."""
import uuid
from datetime import timedelta

import pytest
from channels.db import database_sync_to_async
from django.utils import timezone

from groups.models import GroupSession, Membership, RoomMessage
from groups.services import membership_leave
from moderation.models import Report, RiskAssessment, Sanction
from tests.groups.factories import MembershipFactory
from tests.support.risk_texts import CRISIS_TEXT
from tests.support.rooms import create_user, drain, join, make_room, message, next_of, refused
from tests.support.sockets import open_socket

pytestmark = [pytest.mark.asyncio, pytest.mark.django_db(transaction=True)]


# ----------------------------------------------------------------------------- who may enter, when


async def test_a_non_member_is_refused_and_a_private_groups_session_does_not_exist_for_them():
    room = await make_room()
    outsider = await create_user()
    frame, code = await refused(await join(room, outsider, expect_welcome=False))
    assert (frame["code"], code) == ("forbidden", 4403)

    private = await make_room(private=True)
    frame, code = await refused(await join(private, outsider, expect_welcome=False))
    assert (frame["code"], code) == ("not_found", 4404)


async def test_anonymous_visitors_are_refused():
    room = await make_room()
    socket = await open_socket(f"/ws/sessions/{room.session.pk}/")
    await socket.connect()
    frame, code = await refused(socket)
    assert (frame["code"], code) == ("not_authenticated", 4401)


async def test_the_room_is_refused_before_it_opens_with_the_opening_time():
    room = await make_room(starts_in=timedelta(hours=2))
    frame, code = await refused(await join(room, room.member, expect_welcome=False))
    assert (frame["code"], code) == ("room_closed", 4409)
    assert "opens at" in frame["detail"] and frame["opens_at"]


async def test_an_ended_or_cancelled_session_is_refused():
    room = await make_room(starts_in=timedelta(hours=-2))
    frame, code = await refused(await join(room, room.member, expect_welcome=False))
    assert (frame["code"], code) == ("session_over", 4410)


async def test_a_member_who_left_the_group_is_refused_and_their_open_socket_closes():
    room = await make_room()
    socket = await join(room, room.member)
    membership = await database_sync_to_async(Membership.objects.get)(group=room.group, user=room.member)
    await database_sync_to_async(membership_leave)(membership=membership)

    frame = await next_of(socket, "error")
    assert frame["code"] == "forbidden"
    assert (await socket.receive_output())["code"] == 4403
    frame, code = await refused(await join(room, room.member, expect_welcome=False))
    assert code == 4403


async def test_moderators_may_enter_any_room():
    room = await make_room(private=True)
    moderator = await create_user(is_moderator=True)
    socket = await join(room, moderator)
    assert socket.welcome["you"]["role"] == "moderator" and socket.welcome["you"]["can_send"]
    await socket.disconnect()


# ----------------------------------------------------------------------------- messages


async def test_without_a_facilitator_the_room_is_read_only_and_says_so():
    room = await make_room()
    socket = await join(room, room.member)
    assert socket.welcome["you"]["read_only_reason"] == "waiting_for_facilitator"
    assert socket.welcome["you"]["can_send"] is False

    await socket.send_json_to(message("Hello?"))
    frame = await next_of(socket, "error")
    assert frame["code"] == "read_only" and "Waiting for the facilitator" in frame["detail"]

    facilitator = await join(room, room.facilitator)
    you = await next_of(socket, "you")
    assert you == {"type": "you", "muted": False, "can_send": True, "read_only_reason": None}
    await facilitator.disconnect()
    assert (await next_of(socket, "you"))["read_only_reason"] == "waiting_for_facilitator"  # a closed tab counts
    await socket.disconnect()


async def test_messages_are_stored_numbered_broadcast_and_acknowledged():
    room = await make_room()
    facilitator = await join(room, room.facilitator)
    member = await join(room, room.member)
    await drain(facilitator)
    await drain(member)

    client_id = str(uuid.uuid4())
    await member.send_json_to(message("I noticed the cold air today.", client_id))
    seen_by_facilitator = await next_of(facilitator, "message")
    frames = [await member.receive_json_from(), await member.receive_json_from()]
    ack = next(f for f in frames if f["type"] == "ack")
    echoed = next(f for f in frames if f["type"] == "message")

    assert seen_by_facilitator["seq"] == echoed["seq"] == ack["seq"] == 1
    assert seen_by_facilitator["body"] == "I noticed the cold air today."
    assert seen_by_facilitator["author"]["display_name"] == str(room.member.display_name)
    assert "email" not in str(seen_by_facilitator)
    assert ack["client_id"] == client_id and ack["duplicate"] is False and ack["show_crisis_panel"] is False
    stored = await database_sync_to_async(RoomMessage.objects.get)(session=room.session)
    assert stored.seq == 1
    await facilitator.disconnect()
    await member.disconnect()


async def test_a_retried_client_id_stores_one_message():
    room = await make_room()
    facilitator = await join(room, room.facilitator)
    client_id = str(uuid.uuid4())
    await facilitator.send_json_to(message("Welcome, everyone.", client_id))
    first = await next_of(facilitator, "ack")
    await facilitator.send_json_to(message("Welcome, everyone.", client_id))
    again = await next_of(facilitator, "ack")

    assert again["duplicate"] is True and again["seq"] == first["seq"]
    assert await database_sync_to_async(RoomMessage.objects.filter(session=room.session).count)() == 1
    await facilitator.disconnect()


async def test_a_burst_from_several_members_is_acked_once_each_numbered_without_gaps_and_delivered_once():
    room = await make_room()
    facilitator = await join(room, room.facilitator)
    member = await join(room, room.member)
    other = await join(room, room.other)
    sockets = (facilitator, member, other)
    for socket in sockets:
        await drain(socket)

    sent = {socket: [str(uuid.uuid4()) for _ in range(5)] for socket in sockets}
    for n in range(5):  # nobody waits for an ack: the messages arrive together
        for socket in sockets:
            await socket.send_json_to(message(f"burst {n}", sent[socket][n]))

    for socket in sockets:
        acks, seqs = [], []
        while len(acks) < 5 or len(seqs) < 15:
            frame = await socket.receive_json_from(timeout=5)
            if frame["type"] == "ack":
                acks.append(frame["client_id"])
            elif frame["type"] == "message":
                seqs.append(frame["seq"])
        assert acks == sent[socket]  # each of its own messages acknowledged once, in the order sent
        assert sorted(seqs) == list(range(1, 16))  # every message once, no gap, no repeat
        assert await socket.receive_nothing(timeout=0.2)
    stored = await database_sync_to_async(lambda: sorted(RoomMessage.objects.filter(session=room.session).values_list("seq", flat=True)))()
    assert stored == list(range(1, 16))
    for socket in sockets:
        await socket.disconnect()


async def test_resume_after_a_lost_connection_returns_exactly_the_missed_messages():
    room = await make_room()
    facilitator = await join(room, room.facilitator)
    member = await join(room, room.member)
    for text in ("one", "two"):
        await facilitator.send_json_to(message(text))
        await next_of(facilitator, "ack")
    last_seen = (await next_of(member, "message", skip=20))["seq"]
    last_seen = max(last_seen, (await next_of(member, "message", skip=20))["seq"])
    await member.disconnect()  # the connection is lost

    for text in ("three", "four", "five"):
        await facilitator.send_json_to(message(text))
        await next_of(facilitator, "ack")

    back = await join(room, room.member)
    await back.send_json_to({"type": "resume", "after": last_seen})
    history = await next_of(back, "history")
    assert [m["body"] for m in history["messages"]] == ["three", "four", "five"]
    assert [m["seq"] for m in history["messages"]] == [3, 4, 5] and history["last_seq"] == 5
    await facilitator.disconnect()
    await back.disconnect()


async def test_join_brings_recent_history():
    room = await make_room()
    facilitator = await join(room, room.facilitator)
    await facilitator.send_json_to(message("Before you came."))
    await next_of(facilitator, "ack")
    member = await join(room, room.member)
    assert [m["body"] for m in member.history["messages"]] == ["Before you came."]
    await facilitator.disconnect()
    await member.disconnect()


async def test_a_room_message_enters_the_risk_pipeline_and_the_author_sees_help_at_once():
    room = await make_room()
    facilitator = await join(room, room.facilitator)
    member = await join(room, room.member)
    await drain(member)
    await member.send_json_to(message(CRISIS_TEXT))
    ack = await next_of(member, "ack")

    assert ack["show_crisis_panel"] is True
    assessment = await database_sync_to_async(RiskAssessment.objects.get)(content_kind="room_message", content_id=ack["id"])
    assert assessment.level == "crisis"  # eager tasks in the test settings
    await facilitator.disconnect()
    await member.disconnect()


@pytest.mark.parametrize(
    ("frame", "code"),
    [
        ({"type": "message", "client_id": "x"}, "missing_field"),
        ({"type": "message", "body": "hi", "client_id": "not-a-uuid"}, "invalid"),
        ({"type": "message", "body": "   ", "client_id": str(uuid.uuid4())}, "empty"),
        ({"type": "message", "body": "a" * 2001, "client_id": str(uuid.uuid4())}, "too_long"),
        ({"type": "dance"}, "unknown_type"),
        ({"type": "resume", "after": "yesterday"}, "invalid"),
        ({"type": "check_in", "phase": "in", "feel": 11, "connected": 3}, "invalid"),
        ({"type": "check_in", "phase": "in", "feel": 3, "connected": 3, "words": ["<script>"]}, "invalid"),
        ({"type": "mute", "user_id": 1}, "not_allowed"),
        ({"type": "report", "message_id": 999999, "reason": "spam"}, "not_found"),
    ],
)
async def test_bad_frames_get_an_error_with_a_code_and_the_socket_stays_open(frame, code):
    room = await make_room()
    facilitator = await join(room, room.facilitator)
    member = await join(room, room.member)
    await drain(member)
    await member.send_json_to(frame)
    error = await next_of(member, "error")
    assert error["code"] == code and error["detail"]
    await member.send_json_to({"type": "ping"})
    assert (await next_of(member, "pong"))["type"] == "pong"
    await facilitator.disconnect()
    await member.disconnect()


async def test_not_json_and_oversized_frames_get_errors():
    room = await make_room()
    member = await join(room, room.member)
    await member.send_to(text_data="{nope")
    assert (await next_of(member, "error"))["code"] == "bad_frame"
    await member.send_to(text_data='{"type": "message", "body": "' + "a" * 17000 + '"}')
    assert (await next_of(member, "error"))["code"] == "frame_too_large"
    await member.disconnect()


async def test_a_flood_of_frames_is_told_to_slow_down():
    room = await make_room()
    member = await join(room, room.member)
    await drain(member)
    for _ in range(30):
        await member.send_json_to({"type": "ping"})
    frames = [await member.receive_json_from() for _ in range(30)]
    assert any(f["type"] == "error" and f["code"] == "too_fast" for f in frames)
    await member.disconnect()


async def test_a_member_muted_by_moderation_can_read_but_not_send():
    room = await make_room()
    await database_sync_to_async(Sanction.objects.create)(user=room.member, kind=Sanction.Kind.MUTE, reason="A pause.")
    facilitator = await join(room, room.facilitator)
    member = await join(room, room.member)
    assert member.welcome["you"]["read_only_reason"] == "restricted"
    await member.send_json_to(message("hello"))
    assert (await next_of(member, "error"))["code"] == "restricted"
    await facilitator.disconnect()
    await member.disconnect()


# ----------------------------------------------------------------------------- facilitator controls


async def test_the_facilitator_mutes_and_unmutes_a_member():
    room = await make_room()
    facilitator = await join(room, room.facilitator)
    member = await join(room, room.member)
    await drain(member)

    await facilitator.send_json_to({"type": "mute", "user_id": room.member.pk})
    assert (await next_of(member, "you"))["read_only_reason"] == "muted"
    await member.send_json_to(message("can I?"))
    assert (await next_of(member, "error"))["code"] == "muted"

    await facilitator.send_json_to({"type": "unmute", "user_id": room.member.pk})
    assert (await next_of(member, "you"))["can_send"] is True
    await facilitator.disconnect()
    await member.disconnect()


async def test_a_removed_member_is_disconnected_and_cannot_rejoin_this_session():
    room = await make_room()
    facilitator = await join(room, room.facilitator)
    member = await join(room, room.member)
    await facilitator.send_json_to({"type": "remove", "user_id": room.member.pk})

    frame = await next_of(member, "error")
    assert frame["code"] == "removed"
    assert (await member.receive_output())["code"] == 4411
    again, code = await refused(await join(room, room.member, expect_welcome=False))
    assert (again["code"], code) == ("removed", 4411)
    await facilitator.disconnect()


async def test_a_facilitator_cannot_mute_or_remove_a_co_facilitator_but_a_moderator_can_remove_one():
    room = await make_room()
    co_facilitator = (await database_sync_to_async(MembershipFactory)(group=room.group, facilitator=True)).user
    moderator = await create_user(is_moderator=True)
    facilitator = await join(room, room.facilitator)
    co = await join(room, co_facilitator)
    await drain(co)

    for command in ("mute", "remove"):
        await facilitator.send_json_to({"type": command, "user_id": co_facilitator.pk})
        assert (await next_of(facilitator, "error"))["code"] == "not_allowed"
    await co.send_json_to(message("still here"))
    assert (await next_of(co, "message"))["body"] == "still here"

    steward = await join(room, moderator)
    await steward.send_json_to({"type": "remove", "user_id": co_facilitator.pk})
    assert (await next_of(co, "error"))["code"] == "removed"
    assert (await co.receive_output())["code"] == 4411
    for socket in (facilitator, steward):
        await socket.disconnect()


async def test_lock_slow_mode_and_pin_reach_everyone():
    room = await make_room()
    facilitator = await join(room, room.facilitator)
    member = await join(room, room.member)
    await drain(member)

    await facilitator.send_json_to({"type": "lock"})
    assert (await next_of(member, "state"))["locked"] is True
    await member.send_json_to(message("hello"))
    assert (await next_of(member, "error"))["code"] == "locked"
    await facilitator.send_json_to({"type": "unlock"})
    await facilitator.send_json_to({"type": "slow_mode", "seconds": 30})
    state = await next_of(member, "state", skip=20)
    while state["slow_mode_seconds"] != 30:
        state = await next_of(member, "state", skip=20)
    await drain(member)
    await member.send_json_to(message("first"))
    await next_of(member, "ack")
    await member.send_json_to(message("second"))
    slow = await next_of(member, "error")
    assert slow["code"] == "slow_mode" and 0 < slow["retry_after"] <= 30

    await facilitator.send_json_to({"type": "pin", "message_id": (await database_sync_to_async(RoomMessage.objects.get)(body="first")).pk})
    pinned = await next_of(member, "state", skip=20)
    assert pinned["pinned"]["body"] == "first"
    await facilitator.disconnect()
    await member.disconnect()


async def test_rounds_invite_each_member_in_turn_and_a_member_may_pass():
    room = await make_room()
    facilitator = await join(room, room.facilitator)
    member = await join(room, room.member)
    other = await join(room, room.other)
    await drain(member)

    await facilitator.send_json_to({"type": "round_start"})
    state = await next_of(member, "state", skip=20)
    invited = state["round"]["current"]["user_id"]
    assert invited in (room.member.pk, room.other.pk) and len(state["round"]["remaining"]) == 1
    first = member if invited == room.member.pk else other
    await first.send_json_to({"type": "round_pass"})
    state = await next_of(member, "state", skip=20)
    assert state["round"]["current"]["user_id"] != invited
    for socket in (facilitator, member, other):
        await socket.disconnect()


async def test_ending_the_session_closes_every_socket():
    room = await make_room()
    facilitator = await join(room, room.facilitator)
    member = await join(room, room.member)
    await facilitator.send_json_to({"type": "end"})
    frame = await next_of(member, "error", skip=20)
    assert frame["code"] == "session_over"
    assert (await member.receive_output())["code"] == 4410
    session = await database_sync_to_async(GroupSession.objects.get)(pk=room.session.pk)
    assert session.status == GroupSession.Status.ENDED


async def test_the_facilitator_extends_an_open_room_but_cannot_reopen_one_whose_time_is_over():
    room = await make_room()
    facilitator = await join(room, room.facilitator)
    await facilitator.send_json_to({"type": "extend", "minutes": 15})
    assert "extended by 15 minutes" in (await next_of(facilitator, "system", skip=20))["detail"]
    session = await database_sync_to_async(GroupSession.objects.get)(pk=room.session.pk)
    assert session.extended_minutes == 15

    # The clock passes the (extended) end while the facilitator's socket is still open.
    past = timezone.now() - timedelta(minutes=session.duration_minutes + session.extended_minutes + 1)
    await database_sync_to_async(GroupSession.objects.filter(pk=session.pk).update)(starts_at=past)
    await facilitator.send_json_to({"type": "extend", "minutes": 15})
    assert (await next_of(facilitator, "error", skip=20))["code"] == "session_over"
    assert (await facilitator.receive_output())["code"] == 4410
    session = await database_sync_to_async(GroupSession.objects.get)(pk=room.session.pk)
    assert session.extended_minutes == 15


async def test_check_in_averages_reach_the_facilitator_without_names_and_never_members():
    room = await make_room()
    facilitator = await join(room, room.facilitator)
    member = await join(room, room.member)
    other = await join(room, room.other)
    await member.send_json_to({"type": "check_in", "phase": "in", "feel": 2, "connected": 4, "words": ["flat", "tired"]})
    await other.send_json_to({"type": "check_in", "phase": "in", "feel": 4, "connected": 6, "words": ["flat"]})

    summary = await next_of(facilitator, "check_in_summary", skip=20)
    if summary["count"] == 1:
        summary = await next_of(facilitator, "check_in_summary", skip=20)
    assert summary == {
        "type": "check_in_summary", "phase": "in", "count": 2, "feel_average": 3.0, "connected_average": 5.0,
        "words": {"flat": 2, "tired": 1},
    }
    assert str(room.member.display_name) not in str(summary)
    await drain(member)
    frames = []
    while not await member.receive_nothing(timeout=0.3):
        frames.append(await member.receive_json_from())
    assert all(f["type"] != "check_in_summary" for f in frames)
    for socket in (facilitator, member, other):
        await socket.disconnect()


async def test_reporting_a_room_message_files_a_report_for_moderators():
    room = await make_room()
    facilitator = await join(room, room.facilitator)
    member = await join(room, room.member)
    await facilitator.send_json_to(message("Something hurtful."))
    sent = await next_of(facilitator, "ack")
    await member.send_json_to({"type": "report", "message_id": sent["id"], "reason": "harassment", "note": "unkind"})
    assert "moderator" in (await next_of(member, "system", skip=20))["detail"]
    report = await database_sync_to_async(Report.objects.get)()
    assert (report.room_message_id, report.reporter_id) == (sent["id"], room.member.pk)
    await facilitator.disconnect()
    await member.disconnect()


async def test_presence_lists_display_names_once_per_person():
    room = await make_room()
    facilitator = await join(room, room.facilitator)
    tab_one = await join(room, room.member)
    tab_two = await join(room, room.member)
    presence = await next_of(facilitator, "presence", skip=20)
    while len(presence["participants"]) < 2:
        presence = await next_of(facilitator, "presence", skip=20)
    names = [p["display_name"] for p in presence["participants"]]
    assert sorted(names) == sorted([str(room.facilitator.display_name), str(room.member.display_name)])
    assert presence["facilitator_present"] is True
    for socket in (facilitator, tab_one, tab_two):
        await socket.disconnect()


async def test_a_message_the_server_could_not_store_is_answered_with_an_error_never_an_ack(monkeypatch):
    from groups.services import rooms

    room = await make_room()
    facilitator = await join(room, room.facilitator)
    await next_of(facilitator, "presence")  # the join's own presence may come late (Pub/Sub layer), not after the error

    def database_down(**kwargs):
        raise RuntimeError("database unavailable")

    monkeypatch.setattr(rooms, "room_messages_send", database_down)
    client_id = str(uuid.uuid4())
    await facilitator.send_json_to(message("Are you there?", client_id))
    error = await next_of(facilitator, "error")
    assert (error["code"], error["client_id"]) == ("not_saved", client_id)
    assert await facilitator.receive_nothing(timeout=0.3)  # no ack, no broadcast
    await facilitator.disconnect()


async def test_a_moderator_or_a_session_only_facilitator_present_lets_members_send_and_authors_keep_their_role():
    room = await make_room()
    session_facilitator = await create_user()
    await database_sync_to_async(lambda: (
        MembershipFactory(group=room.group, user=session_facilitator), room.session.facilitators.add(session_facilitator)
    ))()
    moderator = await create_user(is_moderator=True)
    member = await join(room, room.member)
    for leader, role in ((moderator, "moderator"), (session_facilitator, "facilitator")):
        leading = await join(room, leader)
        assert (await next_of(member, "you"))["can_send"] is True
        await leading.send_json_to(message(f"Welcome, from the {role}."))
        assert (await next_of(member, "message", skip=20))["author"]["role"] == role
        await member.send_json_to(message("Thank you."))
        ack = await next_of(member, "ack", skip=20)
        assert ack["duplicate"] is False
        await leading.disconnect()
        assert (await next_of(member, "you", skip=20))["read_only_reason"] == "waiting_for_facilitator"
    await member.disconnect()
