"""Watched phrases: managed by moderators, read by the rule layer from the database, applied at once."""

import pytest
from channels.db import database_sync_to_async
from django.core.exceptions import ValidationError
from django.urls import reverse

from groups import services as forum
from groups.models import RoomMessage
from moderation import services
from moderation.models import AuditEntry, CrisisCase, Flag, RiskAssessment, WatchedPhrase
from tests.factories import UserFactory
from tests.groups.factories import MembershipFactory, SupportGroupFactory, TopicFactory
from tests.groups.helpers import client_for, text_of
from tests.support.rooms import create_user, drain, join, make_room, message, next_of

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


# ----------------------------------------------------------------------------- the crisis path

# Words nobody would call a crisis on their own: only the moderators' phrase makes them one (a
# code a community uses, say). Written for these tests.
CODED = "Heading to the blue gate on Saturday, as usual."


def test_the_phrase_form_and_list_offer_the_crisis_path(moderator_client):
    page = text_of(moderator_client.get(reverse("moderation:phrase_list")))
    assert '<option value="crisis">' in page and "Treat as a crisis" in page

    response = moderator_client.post(reverse("moderation:phrase_list"), {"phrase": "blue gate", "action": "crisis", "is_active": "on"})

    assert response.status_code == 302
    assert WatchedPhrase.objects.get().action == WatchedPhrase.Action.CRISIS
    listed = text_of(moderator_client.get(reverse("moderation:phrase_list")))
    assert "crisis path" in listed and '<option value="crisis" selected>' in listed


def test_each_action_gives_the_rule_layer_its_level(moderator):
    from moderation.services.phrases import risk_extra_phrases

    for phrase, action in (("blue gate", "crisis"), ("weekly webinar", "flag"), ("meet up offline", "hold")):
        services.watched_phrase_save(moderator=moderator, phrase=phrase, action=action)
    services.watched_phrase_save(moderator=moderator, phrase="crypto course", action="block", message="No adverts.")

    levels = {phrase: level for phrase, level, _id in risk_extra_phrases()}

    assert levels == {"blue gate": "crisis", "weekly webinar": "concern", "meet up offline": "", "crypto course": ""}


def test_a_crisis_phrase_never_holds_or_blocks_a_post(moderator, author, topic):
    services.watched_phrase_save(moderator=moderator, phrase="blue gate", action="crisis")

    reply = forum.reply_create(topic=topic, author=author, body=CODED)

    assert reply.held_at is None and reply.hidden_at is None


def test_a_post_with_a_crisis_phrase_shows_the_writer_the_panel_and_ends_in_a_crisis_flag_and_case(
    moderator, author, topic, django_capture_on_commit_callbacks
):
    url = reverse("groups:topic_reply", kwargs={"slug": topic.group.slug, "topic_id": topic.pk})
    writer = client_for(author)
    with django_capture_on_commit_callbacks(execute=True):
        before = writer.post(url, {"body": CODED}, follow=True)
    assert 'id="crisis-panel"' not in text_of(before)  # without the phrase: ordinary words
    assert not Flag.objects.filter(level="crisis").exists()

    with django_capture_on_commit_callbacks(execute=True):  # the cached list is dropped when the change commits
        services.watched_phrase_save(moderator=moderator, phrase="blue gate", action="crisis")
    with django_capture_on_commit_callbacks(execute=True):
        after = writer.post(url, {"body": f"So: {CODED}"}, follow=True)

    assert after.status_code == 200 and 'id="crisis-panel"' in text_of(after)
    reply = topic.posts.get(body=f"So: {CODED}")
    assert reply.held_at is None  # everyone in the group still reads it
    flag = Flag.objects.get(content_kind="post", content_id=reply.pk)
    assert flag.level == "crisis" and flag.status == "open"
    assert any(s.get("category") == "watched_phrase" for s in RiskAssessment.objects.get(pk=flag.assessment_id).signals)
    case = CrisisCase.objects.get(member=author, status=CrisisCase.Status.OPEN)
    assert case.flag_id == flag.pk or case.events.filter(kind="flag_added").exists()


@pytest.mark.asyncio
@pytest.mark.django_db(transaction=True)
async def test_a_crisis_phrase_delivers_the_room_message_shows_the_writer_help_and_tells_the_facilitator():
    room, facilitator, member = await _room_with_a_phrase_added_after_a_first_message("blue gate", "crisis")

    await member.send_json_to(message(CODED))

    ack = await next_of(member, "ack")
    assert ack["show_crisis_panel"] is True
    seen = await next_of(facilitator, "message")
    assert seen["id"] == ack["id"] and seen["body"] == CODED
    notice = await next_of(facilitator, "safety_notice")
    assert notice["message_id"] == ack["id"]
    flag = await database_sync_to_async(Flag.objects.get)(content_kind="room_message", content_id=ack["id"])
    assert flag.level == "crisis"
    await facilitator.disconnect()
    await member.disconnect()
