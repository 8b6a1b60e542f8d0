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
