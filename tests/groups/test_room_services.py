"""The room's rules without sockets: its window, presence that survives a dead web process."""
from datetime import timedelta

import pytest
from django.utils import timezone

from groups.models import GroupSession, RoomConnection
from groups.services import rooms
from tests.groups.factories import MembershipFactory, SupportGroupFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def session():
    group = SupportGroupFactory()
    MembershipFactory(group=group, facilitator=True)
    return GroupSession.objects.create(
        group=group, title="Evening", starts_at=timezone.now() + timedelta(hours=1), duration_minutes=60
    )


@pytest.fixture
def member(session):
    return MembershipFactory(group=session.group).user


def test_the_room_opens_ten_minutes_before_and_closes_at_the_end(session, member):
    start = session.starts_at
    with pytest.raises(rooms.RoomRefused) as early:
        rooms.room_admit(session_id=session.pk, user=member, now=start - timedelta(minutes=10, seconds=1))
    assert early.value.code == "room_closed"
    assert rooms.room_admit(session_id=session.pk, user=member, now=start - timedelta(minutes=10)).role == "member"
    with pytest.raises(rooms.RoomRefused) as late:
        rooms.room_admit(session_id=session.pk, user=member, now=start + timedelta(minutes=60))
    assert late.value.code == "session_over"


def test_extending_keeps_the_room_open_longer(session, member):
    session.extended_minutes = 15
    session.save()
    assert rooms.room_admit(session_id=session.pk, user=member, now=session.starts_at + timedelta(minutes=70))


def test_a_cancelled_session_has_no_room(session, member):
    session.status = GroupSession.Status.CANCELLED
    session.save()
    with pytest.raises(rooms.RoomRefused) as refused:
        rooms.room_admit(session_id=session.pk, user=member, now=session.starts_at)
    assert refused.value.close_code == rooms.CLOSE_SESSION_OVER


def test_a_socket_left_by_a_dead_process_stops_counting_and_is_swept(session, member):
    RoomConnection.objects.create(session=session, user=member, channel_name="gone", last_seen_at=timezone.now() - timedelta(minutes=5))
    RoomConnection.objects.create(session=session, user=member, channel_name="here")
    assert [p["user_id"] for p in rooms.room_presence(session=session)["participants"]] == [member.pk]

    RoomConnection.objects.filter(channel_name="here").delete()
    assert rooms.room_presence(session=session)["participants"] == []
    assert rooms.room_connections_sweep() == 1
    assert not RoomConnection.objects.exists()


def test_a_message_the_database_refuses_is_never_acknowledged(session, member, monkeypatch):
    from groups.models import RoomMessage

    facilitator = session.group.memberships.get(role="facilitator").user
    RoomConnection.objects.create(session=session, user=facilitator, channel_name="f")
    now = session.starts_at

    def refuse(*args, **kwargs):
        raise RuntimeError("disk full")

    monkeypatch.setattr(RoomMessage.objects, "create", refuse)
    with pytest.raises(RuntimeError):
        rooms.room_message_send(session_id=session.pk, user=member, role="member", body="hello", client_id="6d1b3c1e-8f43-4a9e-9a43-4b8d1d0f0a11", now=now)
    session.refresh_from_db()
    assert session.last_seq == 0  # the whole send rolled back: no seq was used up


def test_messages_that_arrive_together_are_stored_in_order_and_each_refusal_is_its_own(session, member):
    from groups.models import RoomMessage, RoomParticipant

    facilitator = session.group.memberships.get(role="facilitator").user
    muted = MembershipFactory(group=session.group).user
    RoomConnection.objects.create(session=session, user=facilitator, channel_name="f")
    RoomParticipant.objects.create(session=session, user=muted, muted=True)
    repeated = "0b0e7f1e-2f43-4a9e-9a43-4b8d1d0f0a11"
    sends = [
        rooms.MessageToSend(user=member, role="member", body="first", client_id=repeated),
        rooms.MessageToSend(user=muted, role="member", body="I am muted", client_id="1b0e7f1e-2f43-4a9e-9a43-4b8d1d0f0a11"),
        rooms.MessageToSend(user=facilitator, role="facilitator", body="welcome", client_id="2b0e7f1e-2f43-4a9e-9a43-4b8d1d0f0a11"),
        rooms.MessageToSend(user=member, role="member", body="first", client_id=repeated),  # a retry in the same batch
        rooms.MessageToSend(user=member, role="member", body="x" * 5000, client_id="3b0e7f1e-2f43-4a9e-9a43-4b8d1d0f0a11"),
        rooms.MessageToSend(user=member, role="member", body="second", client_id="4b0e7f1e-2f43-4a9e-9a43-4b8d1d0f0a11"),
    ]
    outcomes = rooms.room_messages_send(session_id=session.pk, sends=sends, now=session.starts_at)

    assert [getattr(o, "code", None) for o in outcomes] == [None, "muted", None, None, "too_long", None]
    assert [o.message.seq for o in outcomes if isinstance(o, rooms.SentMessage)] == [1, 2, 1, 3]
    assert outcomes[3].duplicate is True and outcomes[3].message.pk == outcomes[0].message.pk
    assert list(RoomMessage.objects.filter(session=session).order_by("seq").values_list("seq", "body")) == [
        (1, "first"), (2, "welcome"), (3, "second"),
    ]
    session.refresh_from_db()
    assert session.last_seq == 3


def test_a_batch_the_database_refuses_stores_none_of_its_messages(session, member, monkeypatch):
    from groups.models import RoomMessage

    facilitator = session.group.memberships.get(role="facilitator").user
    RoomConnection.objects.create(session=session, user=facilitator, channel_name="f")
    created = []
    real_create = RoomMessage.objects.create

    def fail_on_second(**kwargs):
        if created:
            raise RuntimeError("disk full")
        created.append(real_create(**kwargs))
        return created[-1]

    monkeypatch.setattr(RoomMessage.objects, "create", fail_on_second)
    sends = [
        rooms.MessageToSend(user=member, role="member", body=f"message {n}", client_id=f"{n}b0e7f1e-2f43-4a9e-9a43-4b8d1d0f0a11")
        for n in range(2)
    ]
    with pytest.raises(RuntimeError):
        rooms.room_messages_send(session_id=session.pk, sends=sends, now=session.starts_at)
    assert not RoomMessage.objects.exists()
    session.refresh_from_db()
    assert session.last_seq == 0


def test_a_facilitator_socket_left_by_a_dead_process_no_longer_lets_members_send(session, member):
    facilitator = session.group.memberships.get(role="facilitator").user
    RoomConnection.objects.create(session=session, user=facilitator, channel_name="f", last_seen_at=timezone.now() - timedelta(minutes=5))
    assert rooms.room_presence(session=session)["facilitator_present"] is False
    with pytest.raises(rooms.RoomFrameError) as refused:
        rooms.room_message_send(session_id=session.pk, user=member, role="member", body="hello",
                                client_id="0f8e2d7c-5b1a-4c3e-9d2f-7a6b5c4d3e21", now=session.starts_at)
    assert refused.value.code == "read_only"

    RoomConnection.objects.filter(channel_name="f").update(last_seen_at=timezone.now())
    rooms.room_message_send(session_id=session.pk, user=member, role="member", body="hello",
                            client_id="0f8e2d7c-5b1a-4c3e-9d2f-7a6b5c4d3e21", now=session.starts_at)
    assert list(session.messages.values_list("seq", "body")) == [(1, "hello")]
