"""A member's groups data in their export, and what deleting the account does to what they wrote."""
import json

import pytest
from django.core.serializers.json import DjangoJSONEncoder

from accounts.models import Notification
from accounts.services import account_delete, user_data_export
from groups import services
from groups.models import Membership, Post, PostRevision, Topic
from tests.factories import UserFactory
from tests.groups.factories import MembershipFactory, SupportGroupFactory
from tests.groups.helpers import client_for, text_of


@pytest.fixture
def leaving(group):
    """The member whose data this is, with a topic, a reply, an edit and a reaction."""
    return MembershipFactory(group=group).user


@pytest.fixture
def neighbour(group):
    return MembershipFactory(group=group).user


def test_the_export_holds_my_memberships_and_posts_and_nothing_of_anyone_else(group, leaving, neighbour):
    private = SupportGroupFactory(private=True, name="Thursday circle")
    MembershipFactory(group=private, user=leaving, status=Membership.Status.LEFT)
    MembershipFactory(group=private, user=neighbour)
    mine = services.topic_create(group=group, author=leaving, title="My own topic", body="My own first words.")
    services.post_edit(post=mine.posts.get(), editor=leaving, body="My own first words, edited.")
    theirs = services.topic_create(group=group, author=neighbour, title="Their topic", body="Their private words.")
    services.reply_create(topic=theirs, author=leaving, body="My reply to them.")
    services.reply_create(topic=mine, author=neighbour, body="Their reply to me.")
    services.reaction_toggle(post=theirs.posts.get(is_opening=True), user=leaving, kind="me_too")
    services.topic_create(group=private, author=neighbour, title="Circle only", body="Circle words.")

    export = user_data_export(user=leaving)
    section = export["data"]["groups"]
    everything = json.dumps(export, cls=DjangoJSONEncoder, ensure_ascii=False)

    assert sorted((m["group"], m["status"]) for m in section["memberships"]) == [
        (group.name, "active"), ("Thursday circle", "left")
    ]
    assert [(p["topic"], p["body"], p["opens_topic"]) for p in section["posts"]] == [
        ("My own topic", "My own first words, edited.", True),
        ("Their topic", "My reply to them.", False),
    ]
    assert [r["kind"] for r in section["reactions"]] == ["me_too"]
    for someone_elses in ("Their private words.", "Their reply to me.", "Circle only", "Circle words.",
                          neighbour.display_name, neighbour.email):
        assert someone_elses not in everything


def test_deleting_with_remove_erases_my_words_and_my_unanswered_topics(group, leaving, neighbour, moderator):
    answered = services.topic_create(group=group, author=leaving, title="Answered topic", body="Words to erase.")
    services.post_edit(post=answered.posts.get(), editor=leaving, body="Edited words to erase.")
    services.reply_create(topic=answered, author=neighbour, body="A kind reply from next door.")
    unanswered = services.topic_create(group=group, author=leaving, title="Nobody answered me", body="Alone words.")
    elsewhere = services.topic_create(group=group, author=neighbour, title="Neighbour's topic", body="Hello.")
    my_reply = services.reply_create(topic=elsewhere, author=leaving, body="My reply to erase.")

    account_delete(user=leaving, keep_contributions=False)

    assert not Post.objects.exclude(body="").filter(pk__in=[answered.posts.first().pk, my_reply.pk]).exists()
    assert not PostRevision.objects.exists()
    reader = client_for(neighbour)
    assert reader.get(unanswered.get_absolute_url()).status_code == 404
    assert "Nobody answered me" not in text_of(reader.get(group.get_absolute_url()))
    for viewer in (reader, client_for(moderator)):
        for topic in (answered, elsewhere):
            page = text_of(viewer.get(topic.get_absolute_url()))
            assert "to erase" not in page
            assert "Removed by its author." in page
    answered_page = text_of(reader.get(answered.get_absolute_url()))
    assert "A kind reply from next door." in answered_page  # other people's words stay
    assert "a former member" in answered_page


def test_deleting_with_remove_also_erases_a_topic_only_i_replied_to(group, leaving):
    topic = services.topic_create(group=group, author=leaving, title="Talking to myself", body="First words.")
    services.reply_create(topic=topic, author=leaving, body="An update nobody answered either.")

    account_delete(user=leaving, keep_contributions=False)

    # Nobody else ever answered: nothing of anyone else would be lost, and the title is mine.
    assert client_for(UserFactory(is_moderator=True)).get(topic.get_absolute_url()).status_code == 404
    assert "Talking to myself" not in text_of(client_for(UserFactory(is_moderator=True)).get(group.get_absolute_url()))


def test_deleting_with_keep_leaves_my_posts_signed_by_a_former_member(group, leaving, neighbour):
    topic = services.topic_create(group=group, author=leaving, title="Kept topic", body="Words I chose to leave.")
    services.reply_create(topic=topic, author=leaving, body="A reply I chose to leave.")
    name = leaving.display_name

    account_delete(user=leaving, keep_contributions=True)

    reader = client_for(neighbour)
    page = text_of(reader.get(topic.get_absolute_url()))
    assert "Words I chose to leave." in page and "A reply I chose to leave." in page
    assert page.count("<strong>a former member</strong>") == 2
    assert name not in page
    listing = text_of(reader.get(group.get_absolute_url()))
    assert "Kept topic" in listing and "a former member" in listing and name not in listing
    assert Topic.objects.get(pk=topic.pk).author is None


def test_deleting_my_account_frees_my_place_for_the_waiting_list(db):
    full = SupportGroupFactory(name="Burnt out and blank", size_cap=1)
    leaving = MembershipFactory(group=full).user
    waiting = MembershipFactory(group=full, status=Membership.Status.WAITLISTED).user

    account_delete(user=leaving, keep_contributions=True)

    # The place is free: the person waiting gets it, as when a member leaves.
    assert Membership.objects.get(group=full, user=waiting).status == Membership.Status.ACTIVE
    assert Notification.objects.filter(recipient=waiting, message__startswith="A place opened up").exists()
