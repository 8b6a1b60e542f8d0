"""The facilitators' queue: reports from their own groups only, no reporters, no crisis cases; and
hiding a post in their group until a moderator confirms or restores it."""
import pytest
from django.urls import reverse

from groups.models import GroupSession, RoomMessage
from moderation import services
from moderation.models import AuditEntry, Flag
from tests.factories import UserFactory
from tests.groups.factories import MembershipFactory, PostFactory, SupportGroupFactory, TopicFactory
from tests.groups.helpers import client_for, text_of

pytestmark = pytest.mark.django_db


@pytest.fixture
def two_groups():
    mine, theirs = SupportGroupFactory(name="My circle"), SupportGroupFactory(name="Their circle", private=True)
    facilitator = UserFactory()
    MembershipFactory(group=mine, user=facilitator, facilitator=True)
    reporter = UserFactory()
    reporter.profile.display_name = "Quiet Reporter"
    reporter.profile.save()
    mine_post = PostFactory(topic=TopicFactory(group=mine), body="Something unkind here.")
    their_post = PostFactory(topic=TopicFactory(group=theirs), body="Something in a private group.")
    services.report_create(reporter=reporter, post=mine_post, reason="harassment")
    services.report_create(reporter=reporter, post=their_post, reason="harassment")
    session = GroupSession.objects.create(group=mine, title="Tuesday", starts_at=mine_post.created_at, duration_minutes=60)
    room_message = RoomMessage.objects.create(session=session, seq=1, author=UserFactory(), body="A room line reported.")
    services.report_create(reporter=reporter, room_message=room_message, reason="spam")
    # A worried report opens a crisis case: its details are for moderators only.
    services.report_create(reporter=UserFactory(), post=mine_post, reason="worried", note="Case details here.")
    return facilitator, mine_post, their_post


def test_a_facilitator_sees_reports_from_their_own_groups_only_without_reporters_or_cases(two_groups):
    facilitator, mine_post, their_post = two_groups
    page = text_of(client_for(facilitator).get(reverse("moderation:facilitator_queue")))

    assert "Something unkind here." in page and "A room line reported." in page
    assert "Something in a private group." not in page and "Their circle" not in page
    assert "Quiet Reporter" not in page
    assert "crisis case" not in page.lower() and "/moderation/cases/" not in page
    assert "Case details here." not in page  # a worried report's note stays with the moderators
    assert "A moderator is following this up with the member." in page


def test_a_facilitator_of_another_group_sees_none_of_these(two_groups):
    other = UserFactory()
    MembershipFactory(group=SupportGroupFactory(), user=other, facilitator=True)
    page = text_of(client_for(other).get(reverse("moderation:facilitator_queue")))
    assert "Something unkind here." not in page and "No open reports in your groups." in page


def test_a_facilitator_hides_a_post_in_their_group_until_a_moderator_restores_it(two_groups, moderator):
    facilitator, mine_post, their_post = two_groups
    reader = UserFactory()
    MembershipFactory(group=mine_post.topic.group, user=reader)
    url = reverse("moderation:facilitator_hide", kwargs={"post_id": mine_post.pk})

    response = client_for(facilitator).post(url, {"reason": "It was aimed at someone."})

    assert response.status_code == 302
    assert "Something unkind here." not in text_of(client_for(reader).get(mine_post.topic.get_absolute_url()))
    flag = Flag.objects.get(source=Flag.Source.FACILITATOR)
    assert flag.raised_note == "It was aimed at someone." and flag.status == Flag.Status.OPEN
    entry = AuditEntry.objects.get(action=AuditEntry.Action.CONTENT_HIDDEN_BY_FACILITATOR)
    assert entry.actor == facilitator and entry.target_user == mine_post.author

    services.content_restore(kind="post", content_id=mine_post.pk, moderator=moderator, reason="Fine in context.", flag_id=flag.pk)
    assert "Something unkind here." in text_of(client_for(reader).get(mine_post.topic.get_absolute_url()))


def test_a_moderator_confirms_a_facilitators_hide_and_the_author_is_told(two_groups, moderator):
    facilitator, mine_post, _ = two_groups
    flag = services.facilitator_post_hide(post=mine_post, facilitator=facilitator, reason="Aimed at someone.")
    services.content_hide(kind="post", content_id=mine_post.pk, moderator=moderator, reason="Unkind to another member.", flag_id=flag.pk)
    mine_post.refresh_from_db()
    assert mine_post.hidden_at is not None
    assert mine_post.author.care_messages.filter(kind="content_hidden").exists()


def test_a_facilitator_cannot_hide_a_post_in_another_group(two_groups):
    facilitator, mine_post, their_post = two_groups
    url = reverse("moderation:facilitator_hide", kwargs={"post_id": their_post.pk})
    assert client_for(facilitator).post(url, {"reason": "Mine now."}).status_code == 404
    their_post.refresh_from_db()
    assert their_post.hidden_at is None


def test_hiding_needs_a_reason_and_keeps_what_was_typed(two_groups):
    facilitator, mine_post, _ = two_groups
    url = reverse("moderation:facilitator_hide", kwargs={"post_id": mine_post.pk})
    assert client_for(facilitator).post(url, {"reason": ""}).status_code == 400
    long = "y" * 2001
    response = client_for(facilitator).post(url, {"reason": long})
    assert response.status_code == 400 and long in text_of(response)
