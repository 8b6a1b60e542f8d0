"""Swapped ids in what a request carries: form fields, query strings and room frames.

tests/access/test_idor.py swaps ids in URL paths. Here the user may use the page or the room, and
the id in the body names something elsewhere: another group's facilitator, another room's message
or participant, a member who is no moderator. Each probe expects the refusal the user would see,
no change in the database, and none of the other content in the answer.
"""
import json
import uuid
from datetime import timedelta

import pytest
from channels.db import database_sync_to_async
from django.urls import reverse
from django.utils import timezone

from accounts.models import Notification
from groups.models import GroupSession, LibraryAttachment, RoomMessage, RoomParticipant
from moderation.models import AuditEntry, Flag, Report
from moderation.services import report_create
from tests.support.roles import FACILITATOR_A, FACILITATOR_B, MEMBER_A, MEMBER_B, MODERATOR, SUSPENDED
from tests.support.sockets import open_socket
from tests.support.worlds.site import build_site_world

pytestmark = pytest.mark.django_db


@pytest.fixture
def world(db):
    return build_site_world()


def _name(world, role: str) -> str:
    return str(world.users[role].display_name)


# ----------------------------------------------------------------------------- form fields


def _session_fields(world, facilitator_role: str) -> dict:
    starts = timezone.localtime(timezone.now() + timedelta(days=3)).strftime("%Y-%m-%dT%H:%M")
    return {
        "title": "Planned with a stranger", "starts_at": starts, "duration_minutes": 60, "capacity": 8,
        "time_zone": "UTC", "frequency": "weekly", "occurrences": 2, "facilitators": [world.users[facilitator_role].pk],
    }


@pytest.mark.parametrize("page", ["session_new", "series_new"])
def test_planning_a_session_with_another_groups_facilitator_is_a_form_error(world, page):
    url = reverse(f"groups:{page}", kwargs={"slug": world.group_b.slug})
    response = world.client(FACILITATOR_B).post(url, _session_fields(world, FACILITATOR_A))
    assert response.status_code == 200
    assert "facilitators" in response.context["form"].errors
    assert not GroupSession.objects.filter(title="Planned with a stranger").exists()
    assert _name(world, FACILITATOR_A) not in response.content.decode()


def test_a_session_cannot_be_given_another_groups_facilitator(world):
    url = reverse("groups:session_edit", kwargs={"slug": world.group_b.slug, "session_id": world.session_b.pk})
    response = world.client(FACILITATOR_B).post(url, _session_fields(world, FACILITATOR_A))
    assert response.status_code == 200
    assert "facilitators" in response.context["form"].errors
    world.session_b.refresh_from_db()
    assert world.session_b.title == "B's evening"
    assert not world.session_b.facilitators.filter(pk=world.users[FACILITATOR_A].pk).exists()
    assert _name(world, FACILITATOR_A) not in response.content.decode()


@pytest.mark.parametrize(
    "role, slug, entry, status",
    [
        (MEMBER_B, "group-b", "what-numbness-is", 403),  # a member may not attach
        (FACILITATOR_B, "group-a", "what-numbness-is", 404),  # the private group of others does not exist
        (FACILITATOR_B, "group-b", "no-such-entry", 400),  # a slug the library does not have
    ],
)
def test_library_attach_refuses_an_entry_from_someone_who_may_not_attach_it_there(world, role, slug, entry, status):
    response = world.client(role).post(reverse("groups:library_attach", kwargs={"slug": slug}), {"entry": entry})
    assert response.status_code == status
    assert not LibraryAttachment.objects.exists()
    assert world.group_a.name not in response.content.decode()


def test_searching_ones_own_group_finds_nothing_of_another_group(world):
    url = reverse("groups:search", kwargs={"slug": world.group_b.slug})

    def found(query: str) -> list:
        response = world.client(MEMBER_B).get(url, {"q": query})
        assert response.status_code == 200
        assert "A reply in group A." not in response.content.decode()
        return list(response.context["results"])

    assert found("Colours") == [world.topic_b]
    assert found("Behind glass") == []  # group A's topic title (the page repeats the query itself)
    assert world.topic_a not in found("reply")


def test_marking_all_notifications_read_leaves_other_peoples_unread(world):
    response = world.client(MEMBER_B).post(reverse("accounts:notifications"), {"action": "mark_all_read"})
    assert response.status_code == 302
    assert Notification.objects.get(pk=world.notification_a.pk).read_at is None


@pytest.fixture
def flag(world):
    report_create(reporter=world.users[FACILITATOR_B], post=world.post_b, reason=Report.Reason.SPAM)
    return Flag.objects.latest("pk")


@pytest.mark.parametrize("to_role", [MEMBER_A, FACILITATOR_B, SUSPENDED])
def test_a_flag_cannot_be_handed_to_someone_who_is_not_a_moderator(world, flag, to_role):
    audited = AuditEntry.objects.count()
    url = reverse("moderation:flag_reassign", kwargs={"flag_id": flag.pk})
    response = world.client(MODERATOR).post(url, {"to": world.users[to_role].pk, "reason": "Yours now."})
    assert response.status_code == 400
    assert "to" in response.context["reassign_form"].errors
    flag.refresh_from_db()
    assert flag.claimed_by_id is None
    assert AuditEntry.objects.count() == audited
    assert not world.users[to_role].is_moderator


def test_the_audit_logs_member_filter_shows_that_member_only(world):
    url = reverse("moderation:audit_log")
    assert _name(world, SUSPENDED) in world.client(MODERATOR).get(url).content.decode()
    response = world.client(MODERATOR).get(url, {"member": world.users[MEMBER_B].pk})
    assert response.status_code == 200
    assert _name(world, SUSPENDED) not in response.content.decode()


# ----------------------------------------------------------------------------- room frames


class Rooms:
    """Both rooms open; room A holds a message and two participants (member A, the moderator),
    room B holds member B."""

    def __init__(self):
        self.world = world = build_site_world()
        sessions = GroupSession.objects.filter(pk__in=[world.session_a.pk, world.session_b.pk])
        sessions.update(starts_at=timezone.now() + timedelta(minutes=5))
        self.message_a = RoomMessage.objects.create(
            session=world.session_a, seq=1, author=world.users[MEMBER_A], body="Only for room A.", client_id=uuid.uuid4()
        )
        for session, role in ((world.session_a, MEMBER_A), (world.session_a, MODERATOR), (world.session_b, MEMBER_B)):
            RoomParticipant.objects.create(session=session, user=world.users[role])

    def participants(self, prober_role: str) -> list[tuple]:
        """Every room's participants but the prober, whose own row joining the room creates."""
        rows = RoomParticipant.objects.exclude(user=self.world.users[prober_role])
        return sorted(rows.values_list("session_id", "user_id", "muted", "removed_at"))


async def _refusal(session: GroupSession, user, frame: dict) -> tuple[dict, list[dict]]:
    """Join the room as `user`, send `frame`: the error frame it earns, and every frame seen."""
    socket = await open_socket(f"/ws/sessions/{session.pk}/", user=user)
    connected, _ = await socket.connect()
    assert connected
    seen = [await socket.receive_json_from() for _ in range(3)]
    await socket.send_json_to(frame)
    while (seen := [*seen, await socket.receive_json_from()])[-1].get("type") != "error":
        pass
    await socket.disconnect()
    return seen[-1], seen


async def _probe(frame_for, session_of, role: str) -> tuple[Rooms, list, dict, list[dict]]:
    rooms = await database_sync_to_async(Rooms)()
    before = await database_sync_to_async(rooms.participants)(role)
    error, seen = await _refusal(session_of(rooms.world), rooms.world.users[role], frame_for(rooms))
    return rooms, before, error, seen


@pytest.mark.django_db(transaction=True)
@pytest.mark.asyncio
@pytest.mark.parametrize("command", ["mute", "unmute", "remove"])
@pytest.mark.parametrize("target", [MEMBER_A, FACILITATOR_A])
async def test_a_facilitator_cannot_reach_someone_in_another_room(command, target):
    """Facilitator B, in room B, names member A (in room A) or A's facilitator (in neither)."""
    rooms, before, error, seen = await _probe(
        lambda r: {"type": command, "user_id": r.world.users[target].pk}, lambda w: w.session_b, FACILITATOR_B
    )
    assert error["code"] == "not_found"
    assert await database_sync_to_async(rooms.participants)(FACILITATOR_B) == before
    assert _name(rooms.world, target) not in json.dumps(seen)


@pytest.mark.django_db(transaction=True)
@pytest.mark.asyncio
@pytest.mark.parametrize("command", ["mute", "unmute", "remove"])
async def test_a_facilitator_cannot_mute_or_remove_the_moderator(command):
    rooms, before, error, _seen = await _probe(
        lambda r: {"type": command, "user_id": r.world.users[MODERATOR].pk}, lambda w: w.session_a, FACILITATOR_A
    )
    assert error["code"] == "not_allowed"
    assert await database_sync_to_async(rooms.participants)(FACILITATOR_A) == before
    assert not await database_sync_to_async(AuditEntry.objects.filter(action__startswith="room.").exists)()


@pytest.mark.django_db(transaction=True)
@pytest.mark.asyncio
@pytest.mark.parametrize("kind", ["pin", "report"])
async def test_a_facilitator_cannot_pin_or_report_a_message_of_another_room(kind):
    rooms, _before, error, seen = await _probe(
        lambda r: {"type": kind, "message_id": r.message_a.pk, "reason": "spam"}, lambda w: w.session_b, FACILITATOR_B
    )
    assert error["code"] == "not_found"
    session_b = await database_sync_to_async(GroupSession.objects.get)(pk=rooms.world.session_b.pk)
    assert session_b.pinned_message_id is None
    assert not await database_sync_to_async(Report.objects.exists)()
    assert "Only for room A." not in json.dumps(seen)
