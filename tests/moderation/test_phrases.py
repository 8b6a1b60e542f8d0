"""Watched phrases: managed by moderators, read by the rule layer from the database, applied at once."""

import pytest
from channels.db import database_sync_to_async
from django.core.exceptions import ValidationError
from django.urls import reverse

from groups import services as forum
from groups.models import RoomMessage
from moderation import services
from moderation.models import AuditEntry, Flag, RiskAssessment, WatchedPhrase
from tests.factories import UserFactory
from tests.groups.factories import MembershipFactory, SupportGroupFactory, TopicFactory
from tests.groups.helpers import client_for, text_of
from tests.groups.test_room_consumer import create_user, drain, join, make_room, message, next_of

pytestmark = pytest.mark.django_db


@pytest.fixture
def author():
    return UserFactory()


@pytest.fixture
def topic(author):
    group = SupportGroupFactory()
    MembershipFactory(group=group, user=author)
    return TopicFactory(group=group)


def test_a_phrase_added_on_the_page_applies_to_the_very_next_post_without_a_restart(
    moderator_client, author, topic, django_capture_on_commit_callbacks
):
    forum.reply_create(topic=topic, author=author, body="Check out my crypto course.")  # fills the phrase cache

    with django_capture_on_commit_callbacks(execute=True):  # the cached list is dropped when the change commits
        response = moderator_client.post(
            reverse("moderation:phrase_list"),
            {"phrase": "crypto course", "action": "block", "message": "Please don't advertise here.", "is_active": "on"},
        )
    assert response.status_code == 302

    with pytest.raises(ValidationError) as refused:
        forum.reply_create(topic=topic, author=author, body="Check out my Crypto   Course!")
    assert refused.value.message_dict == {"body": ["Please don't advertise here."]}


def test_a_blocked_reply_comes_back_to_the_writer_with_the_message_and_their_text(client_for, moderator, author, topic):
    services.watched_phrase_save(moderator=moderator, phrase="crypto course", action="block", message="No adverts, please.")
    url = reverse("groups:topic_reply", kwargs={"slug": topic.group.slug, "topic_id": topic.pk})
    response = client_for(author).post(url, {"body": "My crypto course is great"})
    assert response.status_code == 400
    page = text_of(response)
    assert "No adverts, please." in page and "My crypto course is great" in page


def test_a_hold_phrase_holds_the_post_for_approval(moderator, author, topic):
    services.watched_phrase_save(moderator=moderator, phrase="meet up offline", action="hold")
    reply = forum.reply_create(topic=topic, author=author, body="Shall we meet up offline?")
    assert reply.held_at is not None


def test_a_flag_phrase_raises_a_queue_item_through_the_risk_pipeline(moderator, author, topic, django_capture_on_commit_callbacks):
    services.watched_phrase_save(moderator=moderator, phrase="weekly webinar", action="flag")
    with django_capture_on_commit_callbacks(execute=True):
        reply = forum.reply_create(topic=topic, author=author, body="Is anyone joining the weekly webinar?")
    assert reply.held_at is None  # a flag phrase never hides anything
    flag = Flag.objects.get(content_id=reply.pk, content_kind="post")
    assert flag.level == "concern"
    signals = RiskAssessment.objects.get(pk=flag.assessment_id).signals
    assert any(signal.get("category") == "watched_phrase" for signal in signals)


def test_changing_or_switching_off_a_phrase_applies_at_once(moderator, author, topic, django_capture_on_commit_callbacks):
    phrase = services.watched_phrase_save(moderator=moderator, phrase="crypto course", action="block", message="No.")
    with pytest.raises(ValidationError):
        forum.reply_create(topic=topic, author=author, body="crypto course")
    with django_capture_on_commit_callbacks(execute=True):
        services.watched_phrase_save(
            moderator=moderator, watched_phrase_id=phrase.pk, phrase="crypto course", action="block", message="No.",
            is_active=False,
        )
    assert forum.reply_create(topic=topic, author=author, body="crypto course").pk
    assert list(AuditEntry.objects.values_list("action", flat=True)) == ["phrase.changed", "phrase.added"]


@pytest.mark.parametrize(
    ("data", "field"),
    [
        ({"phrase": "   ", "action": "flag"}, "phrase"),
        ({"phrase": "x" * 201, "action": "flag"}, "phrase"),
        ({"phrase": "spam link", "action": "explode"}, "action"),
        ({"phrase": "spam link", "action": "block", "message": ""}, "message"),
    ],
)
def test_bad_phrases_are_refused_with_a_message(moderator, data, field):
    with pytest.raises(ValidationError) as error:
        services.watched_phrase_save(moderator=moderator, **data)
    assert field in error.value.message_dict
    assert not WatchedPhrase.objects.exists()


def test_the_same_phrase_twice_is_refused_however_it_is_written(moderator):
    services.watched_phrase_save(moderator=moderator, phrase="Don’t go", action="flag")
    with pytest.raises(ValidationError) as error:
        services.watched_phrase_save(moderator=moderator, phrase="dont   GO", action="hold")
    assert "already" in " ".join(error.value.messages)


def test_members_cannot_manage_phrases(member):
    with pytest.raises(Exception):
        services.watched_phrase_save(moderator=member, phrase="anything", action="flag")
    assert client_for(member).post(reverse("moderation:phrase_list"), {"phrase": "x", "action": "flag"}).status_code == 403


# ----------------------------------------------------------------------------- live rooms


async def _room_with_a_phrase_added_after_a_first_message(phrase: str, action: str):
    """A room where the member has already sent a message (the phrase list is read and cached),
    then a moderator adds `phrase`: what follows is the very next message, with no restart."""
    room = await make_room()
    facilitator, member = await join(room, room.facilitator), await join(room, room.member)
    await drain(member)
    await member.send_json_to(message(f"Before the list changed: {phrase}."))
    await next_of(member, "ack")
    await next_of(facilitator, "message")
    moderator = await create_user(is_moderator=True)
    await database_sync_to_async(services.watched_phrase_save)(
        moderator=moderator, phrase=phrase, action=action, message="Please don't advertise here."
    )
    await drain(facilitator)
    await drain(member)
    return room, facilitator, member


async def _frames_until_quiet(socket) -> list[dict]:
    frames = []
    while not await socket.receive_nothing(timeout=0.3):
        frames.append(await socket.receive_json_from())
    return frames


@pytest.mark.asyncio
@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize(
    ("action", "code", "detail"),
    [
        ("block", "blocked", "Please don't advertise here."),
        # A live room can't wait for an approval: the message is refused, pointing to the forum.
        ("hold", "needs_approval", "You can post it in the group's forum, where it waits for approval."),
    ],
)
async def test_a_block_or_hold_phrase_refuses_the_next_room_message_and_nobody_sees_it(action, code, detail):
    room, facilitator, member = await _room_with_a_phrase_added_after_a_first_message("crypto course", action)

    await member.send_json_to(message("Join my Crypto   Course tonight!"))

    error = await next_of(member, "error")
    assert error["code"] == code and detail in error["detail"]
    assert not any(frame["type"] in ("message", "ack") for frame in await _frames_until_quiet(member))
    assert not any(frame["type"] == "message" for frame in await _frames_until_quiet(facilitator))
    stored = await database_sync_to_async(lambda: list(RoomMessage.objects.filter(session=room.session).values_list("body", flat=True)))()
    assert stored == ["Before the list changed: crypto course."]
    await member.send_json_to({"type": "ping"})  # the socket stays open
    assert (await next_of(member, "pong"))["type"] == "pong"
    await facilitator.disconnect()
    await member.disconnect()


@pytest.mark.asyncio
@pytest.mark.django_db(transaction=True)
async def test_a_flag_phrase_delivers_the_next_room_message_and_puts_it_in_the_queue():
    room, facilitator, member = await _room_with_a_phrase_added_after_a_first_message("weekly webinar", "flag")

    await member.send_json_to(message("Who else is on the weekly webinar?"))

    ack = await next_of(member, "ack")
    seen = await next_of(facilitator, "message")
    assert seen["id"] == ack["id"] and seen["body"] == "Who else is on the weekly webinar?"
    flags = await database_sync_to_async(lambda: list(Flag.objects.filter(content_kind="room_message").values_list("content_id", "level", "status")))()
    assert flags == [(ack["id"], "concern", "open")]  # the first message, sent before the phrase, raised none
    await facilitator.disconnect()
    await member.disconnect()
