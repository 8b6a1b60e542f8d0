"""Sanctions are enforced everywhere: suspension (sessions, sockets, login), mute, posts under review."""
from datetime import timedelta

import pytest
from channels.db import database_sync_to_async
from django.core.exceptions import ValidationError
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from groups import services as forum
from groups.models import Post, Topic
from moderation import selectors, services
from moderation.models import AuditEntry, CareMessage, Sanction
from tests.factories import DEFAULT_PASSWORD, UserFactory
from tests.groups.factories import MembershipFactory, PostFactory, SupportGroupFactory, TopicFactory
from tests.groups.helpers import client_for, is_login_redirect, text_of
from tests.support.rooms import Room, join, message, next_of, refused
from tests.support.sockets import open_socket


def _suspend(member, moderator, *, days: int | None = 2, capture=None) -> Sanction:
    ends_at = timezone.now() + timedelta(days=days) if days else None
    return services.sanction_create(member=member, moderator=moderator, kind="suspension", reason="Time to cool off.", ends_at=ends_at)


# ----------------------------------------------------------------------------- suspension


@pytest.mark.asyncio
@pytest.mark.django_db(transaction=True)
async def test_a_suspended_members_open_room_socket_closes_at_once():
    room = await database_sync_to_async(Room)()
    moderator = await database_sync_to_async(UserFactory)(is_moderator=True)
    member_socket = await join(room, room.member)
    other_socket = await join(room, room.other)

    await database_sync_to_async(_suspend)(room.member, moderator)

    frame, code = await refused_after_presence(member_socket)
    assert (frame["code"], code) == ("suspended", 4403)
    # Nobody else's socket is touched.
    await other_socket.send_json_to({"type": "ping"})
    assert (await next_of(other_socket, "pong"))["type"] == "pong"
    await other_socket.disconnect()


async def refused_after_presence(socket) -> tuple[dict, int]:
    for _ in range(10):
        output = await socket.receive_output(timeout=3)
        if output["type"] == "websocket.close":
            raise AssertionError("closed without saying why")
        import json

        frame = json.loads(output["text"])
        if frame["type"] == "error":
            closed = await socket.receive_output(timeout=3)
            return frame, closed["code"]
    raise AssertionError("no error frame")


@pytest.mark.asyncio
@pytest.mark.django_db(transaction=True)
async def test_a_suspended_member_cannot_open_a_room_socket_again():
    room = await database_sync_to_async(Room)()
    moderator = await database_sync_to_async(UserFactory)(is_moderator=True)
    await database_sync_to_async(_suspend)(room.member, moderator)

    # Their sessions were ended; even a session made afterwards is refused in the room.
    socket = await open_socket(f"/ws/sessions/{room.session.pk}/", user=room.member)
    await socket.connect()
    frame, code = await refused(socket)
    assert (frame["code"], code) == ("suspended", 4403)


@pytest.mark.django_db(transaction=True)
def test_suspension_ends_the_members_sessions_and_refuses_login_until_it_ends():
    moderator = UserFactory(is_moderator=True)
    member = UserFactory()
    browser = client_for(member)
    assert browser.get(reverse("accounts:profile")).status_code == 200

    sanction = _suspend(member, moderator)

    assert is_login_redirect(browser.get(reverse("accounts:profile")))
    login = Client().post(reverse("account_login"), {"login": member.email, "password": DEFAULT_PASSWORD})
    assert login.status_code == 403
    page = text_of(login)
    assert "Time to cool off." in page and "suspended" in page and "988" in page
    # Once it has ended, the member signs in as before.
    Sanction.objects.filter(pk=sanction.pk).update(ends_at=timezone.now() - timedelta(seconds=1))
    again = Client().post(reverse("account_login"), {"login": member.email, "password": DEFAULT_PASSWORD})
    assert again.status_code == 302 and not again["Location"].startswith(reverse("account_login"))


@pytest.mark.django_db(transaction=True)
def test_a_lifted_suspension_lets_the_member_sign_in_again():
    moderator = UserFactory(is_moderator=True)
    member = UserFactory()
    sanction = _suspend(member, moderator, days=None)
    services.sanction_lift(sanction_id=sanction.pk, moderator=moderator, reason="Talked it through.")
    login = Client().post(reverse("account_login"), {"login": member.email, "password": DEFAULT_PASSWORD})
    assert login.status_code == 302


@pytest.mark.django_db
def test_a_rolled_back_suspension_signs_nobody_out(moderator, member, monkeypatch):
    from moderation.services import audit

    browser = client_for(member)

    def fail(**kwargs):
        raise RuntimeError("boom")

    monkeypatch.setattr(audit, "audit_record", fail)
    with pytest.raises(RuntimeError):
        _suspend(member, moderator)
    assert browser.get(reverse("accounts:profile")).status_code == 200
    assert selectors.suspension_in_force(user=member) is None


@pytest.mark.django_db
def test_a_suspended_member_cannot_report(moderator, member):
    post = PostFactory()
    _suspend(member, moderator)
    with pytest.raises(ValidationError):
        services.report_create(reporter=member, post=post, reason="spam")


@pytest.mark.django_db
def test_the_member_is_told_privately_kindly_with_the_crisis_lines(moderator, member):
    _suspend(member, moderator)
    text = CareMessage.objects.get(recipient=member, kind=CareMessage.Kind.SANCTION).body
    assert "Time to cool off." in text and "suspended" in text and "988" in text and "911" in text
    assert "ask for a review" in text


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("who", "kwargs", "message"),
    [
        ("self", {"kind": "mute"}, "yourself"),
        ("moderator", {"kind": "mute"}, "Moderators"),
        ("member", {"kind": "warning"}, "Choose"),
        ("member", {"kind": "mute", "ends_at": "past"}, "future"),
        ("member", {"kind": "suspension", "group": "a group"}, "whole site"),
        ("member", {"kind": "mute", "reason": "  "}, "Say why"),
    ],
)
def test_bad_sanctions_are_refused_with_a_clear_message(moderator, member, who, kwargs, message):
    target = {"self": moderator, "moderator": UserFactory(is_moderator=True), "member": member}[who]
    arguments = {"reason": "Because.", **kwargs}
    if arguments.get("ends_at") == "past":
        arguments["ends_at"] = timezone.now() - timedelta(hours=1)
    if arguments.get("group") == "a group":
        arguments["group"] = SupportGroupFactory()
    with pytest.raises(ValidationError) as error:
        services.sanction_create(member=target, moderator=moderator, **arguments)
    assert message in " ".join(error.value.messages)
    assert not Sanction.objects.exists() and not AuditEntry.objects.exists()


# ----------------------------------------------------------------------------- mute


@pytest.mark.django_db
def test_a_mute_in_one_group_stops_posting_there_only(moderator, member):
    here, elsewhere = SupportGroupFactory(), SupportGroupFactory()
    for group in (here, elsewhere):
        MembershipFactory(group=group, user=member)
    services.sanction_create(member=member, moderator=moderator, kind="mute", reason="Breathe.", group=here)

    with pytest.raises(forum.PostingRestricted):
        forum.topic_create(group=here, author=member, title="Hi", body="Hello")
    topic = forum.topic_create(group=elsewhere, author=member, title="Hi", body="Hello")
    assert topic.pk


@pytest.mark.django_db
def test_a_lifted_mute_lets_the_member_post_again(moderator, member):
    group = SupportGroupFactory()
    MembershipFactory(group=group, user=member)
    sanction = services.sanction_create(member=member, moderator=moderator, kind="mute", reason="Breathe.")
    services.sanction_lift(sanction_id=sanction.pk, moderator=moderator, reason="Done.")
    assert forum.topic_create(group=group, author=member, title="Back", body="Hello again").pk
    assert list(AuditEntry.objects.values_list("action", flat=True)) == ["sanction.lifted", "sanction.created"]


@pytest.mark.asyncio
@pytest.mark.django_db(transaction=True)
async def test_posts_under_review_make_the_room_read_only_for_the_member():
    room = await database_sync_to_async(Room)()
    moderator = await database_sync_to_async(UserFactory)(is_moderator=True)
    await database_sync_to_async(services.sanction_create)(
        member=room.member, moderator=moderator, kind="review", reason="Let's slow down."
    )
    facilitator = await join(room, room.facilitator)
    socket = await join(room, room.member)
    assert socket.welcome["you"]["read_only_reason"] == "restricted"
    await socket.send_json_to(message("hello"))
    assert (await next_of(socket, "error"))["code"] == "restricted"
    await socket.disconnect()
    await facilitator.disconnect()


# ----------------------------------------------------------------------------- posts under review: held until approved


@pytest.fixture
def forum_world(moderator):
    group = SupportGroupFactory(name="Evening circle")
    author, reader = UserFactory(), UserFactory()
    for user in (author, reader):
        MembershipFactory(group=group, user=user)
    services.sanction_create(member=author, moderator=moderator, kind="review", reason="Kindness first.")
    topic = TopicFactory(group=group, author=reader, title="Open thread")
    return group, author, reader, topic


@pytest.mark.django_db
def test_a_reply_under_review_is_held_invisible_to_others_until_a_moderator_approves(forum_world, moderator):
    group, author, reader, topic = forum_world
    reply = forum.reply_create(topic=topic, author=author, body="My held reply.")

    assert reply.held_at is not None
    assert "My held reply." in text_of(client_for(author).get(topic.get_absolute_url()))
    assert "waiting for a moderator's approval" in text_of(client_for(author).get(topic.get_absolute_url()))
    assert "My held reply." not in text_of(client_for(reader).get(topic.get_absolute_url()))
    assert Topic.objects.get(pk=topic.pk).reply_count == 0
    assert "My held reply." in text_of(client_for(moderator).get(reverse("moderation:held_list")))

    services.held_post_approve(post_id=reply.pk, moderator=moderator)

    assert "My held reply." in text_of(client_for(reader).get(topic.get_absolute_url()))
    assert Topic.objects.get(pk=topic.pk).reply_count == 1


@pytest.mark.django_db
def test_a_held_topic_does_not_exist_for_others_until_approved(forum_world, moderator):
    group, author, reader, _ = forum_world
    topic = forum.topic_create(group=group, author=author, title="A held title", body="Held words.")
    url = topic.get_absolute_url()

    assert client_for(reader).get(url).status_code == 404
    assert "A held title" not in text_of(client_for(reader).get(group.get_absolute_url()))
    assert "A held title" not in text_of(client_for(reader).get(reverse("groups:search", kwargs={"slug": group.slug}), {"q": "held"}))
    assert client_for(author).get(url).status_code == 200
    assert "A held title" in text_of(client_for(author).get(group.get_absolute_url()))

    services.held_post_approve(post_id=topic.posts.get().pk, moderator=moderator)
    assert client_for(reader).get(url).status_code == 200


@pytest.mark.django_db
def test_a_rejected_held_post_stays_hidden_and_the_author_is_told_why(forum_world, moderator):
    group, author, reader, topic = forum_world
    reply = forum.reply_create(topic=topic, author=author, body="Not this one.")
    services.held_post_reject(post_id=reply.pk, moderator=moderator, reason="It named another member.")

    assert "Not this one." not in text_of(client_for(reader).get(topic.get_absolute_url()))
    message = CareMessage.objects.filter(recipient=author, kind=CareMessage.Kind.CONTENT_HIDDEN).get()
    assert "It named another member." in message.body and "988" in message.body
    with pytest.raises(ValidationError):
        services.held_post_approve(post_id=reply.pk, moderator=moderator)


@pytest.mark.django_db
def test_the_member_is_told_kindly_once_that_posts_wait(forum_world):
    group, author, reader, topic = forum_world
    forum.reply_create(topic=topic, author=author, body="One.")
    forum.reply_create(topic=topic, author=author, body="Two.")
    held = CareMessage.objects.filter(recipient=author, kind=CareMessage.Kind.HELD)
    assert held.count() == 1 and "Nothing you wrote is lost" in held.get().body


@pytest.mark.django_db
def test_others_cannot_react_to_or_report_a_held_post_by_its_id(forum_world):
    group, author, reader, topic = forum_world
    reply = forum.reply_create(topic=topic, author=author, body="Held.")
    base = {"slug": group.slug, "post_id": reply.pk}
    assert client_for(reader).post(reverse("groups:post_react", kwargs=base), {"kind": "hear_you"}).status_code == 404
    assert client_for(reader).get(reverse("groups:post_report", kwargs=base)).status_code == 404
    assert not Post.objects.get(pk=reply.pk).reactions.exists()


@pytest.mark.django_db
def test_a_held_post_still_goes_through_the_risk_pipeline(forum_world, django_capture_on_commit_callbacks):
    from moderation.models import Flag
    from tests.support.risk_texts import CRISIS_TEXT

    group, author, reader, topic = forum_world
    with django_capture_on_commit_callbacks(execute=True):
        forum.reply_create(topic=topic, author=author, body=CRISIS_TEXT)
    assert Flag.objects.filter(author=author, level="crisis").exists()
