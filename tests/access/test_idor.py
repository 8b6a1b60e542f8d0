"""Swapped ids: an id from someone else's group, session, message or token never opens their content.

Each probe takes a URL (or a socket frame) its user may use, swaps in an id that belongs elsewhere,
and expects the same answer as for an id that does not exist, with none of the other content shown.
"""
import json
import uuid
from datetime import timedelta

import pytest
from channels.db import database_sync_to_async
from django.urls import reverse
from django.utils import timezone

from accounts.models import Notification
from groups.models import CalendarFeed, GroupSession, RoomMessage
from tests.factories import DEFAULT_PASSWORD
from tests.support.roles import FACILITATOR_B, MEMBER_A, MEMBER_B
from tests.support.sockets import open_socket
from tests.support.worlds.site import build_site_world

pytestmark = pytest.mark.django_db


@pytest.fixture
def world(db):
    return build_site_world()


def _swaps(world):
    """(who, url with a foreign id, text that must not appear): each must answer 404."""
    a, b = world.group_a.slug, world.group_b.slug
    return [
        # Group A's topic, post and session, asked for through group B, where member B belongs.
        (MEMBER_B, reverse("groups:topic", kwargs={"slug": b, "topic_id": world.topic_a.pk}), world.topic_a.title),
        (MEMBER_B, reverse("groups:topic_last", kwargs={"slug": b, "topic_id": world.topic_a.pk}), world.topic_a.title),
        (MEMBER_B, reverse("groups:session_detail", kwargs={"slug": b, "session_id": world.session_a.pk}), world.session_a.title),
        (MEMBER_B, reverse("groups:session_ics", kwargs={"slug": b, "session_id": world.session_a.pk}), world.session_a.title),
        # And the other way: member A cannot reach group B's things through group A either.
        (MEMBER_A, reverse("groups:topic", kwargs={"slug": a, "topic_id": world.topic_b.pk}), world.topic_b.title),
        (MEMBER_A, reverse("groups:session_detail", kwargs={"slug": a, "session_id": world.session_b.pk}), world.session_b.title),
    ]


def test_a_foreign_id_in_a_page_url_answers_404_and_shows_nothing(world):
    for role, url, secret in _swaps(world):
        response = world.client(role).get(url)
        assert response.status_code == 404, f"{role} {url}: {response.status_code}"
        assert secret not in response.content.decode(), f"{role} {url} shows {secret!r}"


@pytest.mark.parametrize("action", ["post_edit", "post_delete", "post_react", "post_report"])
def test_a_post_from_another_group_cannot_be_acted_on_through_ones_own_group(world, action):
    url = reverse(f"groups:{action}", kwargs={"slug": world.group_b.slug, "post_id": world.post_a.pk})
    response = world.client(MEMBER_B).post(url, {"kind": "hug", "reason": "spam", "body": "changed"})
    assert response.status_code == 404
    world.post_a.refresh_from_db()
    assert world.post_a.body == "A reply in group A."


def test_rsvp_to_a_session_of_another_group_through_ones_own_group_is_404(world):
    url = reverse("groups:session_rsvp", kwargs={"slug": world.group_b.slug, "session_id": world.session_a.pk})
    assert world.client(MEMBER_B).post(url).status_code == 404
    assert not world.session_a.rsvps.exists()


def test_a_facilitator_cannot_hide_a_post_in_another_group(world):
    url = reverse("moderation:facilitator_hide", kwargs={"post_id": world.post_a.pk})
    response = world.client(FACILITATOR_B).post(url, {"reason": "not in my group"})
    assert response.status_code == 404
    world.post_a.refresh_from_db()
    assert world.post_a.hidden_at is None


def test_a_made_up_or_reset_calendar_token_shows_no_one_s_calendar(world):
    feed = CalendarFeed.objects.get_or_create(user=world.users[MEMBER_A])[0]
    old_token = feed.token
    world.client(MEMBER_A).post(reverse("groups:calendar_reset"))
    assert CalendarFeed.objects.get(user=world.users[MEMBER_A]).token != old_token
    for token in (old_token, "x" * len(old_token)):
        assert world.client(MEMBER_B).get(reverse("groups:calendar_feed", kwargs={"token": token})).status_code == 404


def test_a_notification_of_someone_else_is_404_and_stays_unread(world):
    url = reverse("accounts:notification_open", kwargs={"notification_id": world.notification_a.pk})
    assert world.client(MEMBER_B).post(url).status_code == 404
    assert Notification.objects.get(pk=world.notification_a.pk).read_at is None


def test_the_data_export_holds_only_the_members_own_data(world):
    client = world.client(MEMBER_B)
    client.post(reverse("account_reauthenticate"), {"password": DEFAULT_PASSWORD})
    response = client.post(reverse("accounts:data_export"))
    assert response.status_code == 200
    exported = json.dumps(json.loads(b"".join(response.streaming_content) if response.streaming else response.content))
    assert "A reply in group B." in exported
    for foreign in ("A reply in group A.", world.topic_a.title, world.users[MEMBER_A].email, world.group_a.name):
        assert foreign not in exported


@pytest.mark.django_db(transaction=True)
@pytest.mark.asyncio
async def test_a_room_frame_naming_a_message_of_another_room_finds_nothing():
    world = await database_sync_to_async(build_site_world)()

    @database_sync_to_async
    def open_both_rooms_with_a_message_in_a():
        now = timezone.now()
        GroupSession.objects.filter(pk__in=[world.session_a.pk, world.session_b.pk]).update(starts_at=now + timedelta(minutes=5))
        return RoomMessage.objects.create(
            session=world.session_a, seq=1, author=world.users[MEMBER_A], body="Only for room A.", client_id=uuid.uuid4()
        )

    foreign = await open_both_rooms_with_a_message_in_a()
    socket = await open_socket(f"/ws/sessions/{world.session_b.pk}/", user=world.users[MEMBER_B])
    connected, _ = await socket.connect()
    assert connected
    frames = [await socket.receive_json_from() for _ in range(3)]
    assert "Only for room A." not in json.dumps(frames)

    await socket.send_json_to({"type": "report", "message_id": foreign.pk, "reason": "spam"})
    while (frame := await socket.receive_json_from()).get("type") != "error":
        pass
    assert frame["code"] == "not_found"
    await socket.send_json_to({"type": "resume", "after": 0})
    while (frame := await socket.receive_json_from()).get("type") != "history":
        pass
    assert "Only for room A." not in json.dumps(frame)
    await socket.disconnect()
