"""Searching a group's forum: titles and visible posts match, removed and hidden text never does.

PostgreSQL ranks with full-text search (a title match first); SQLite falls back to "every word
appears somewhere". Both configurations run this file.
"""
import re
from datetime import timedelta

import pytest
from django.db import connection
from django.urls import reverse
from django.utils import timezone

from groups import services
from groups.models import Post, Topic
from tests.factories import UserFactory
from tests.groups.factories import SupportGroupFactory, TopicFactory
from tests.groups.helpers import client_for, text_of


def _results(client, group, query: str) -> list[str]:
    response = client.get(reverse("groups:search", kwargs={"slug": group.slug}), {"q": query})
    assert response.status_code == 200
    return re.findall(r'<li class="topic-row"><a href="[^"]*">([^<]*)</a>', text_of(response))


@pytest.fixture
def reader(group, group_facilitator):
    return client_for(group_facilitator)


@pytest.fixture
def forum(group, group_member, group_facilitator):
    music = services.topic_create(
        group=group, author=group_member, title="Music stopped reaching me", body="Songs I loved feel like noise."
    )
    services.reply_create(topic=music, author=group_facilitator, body="Try writing down which melodies still land.")
    services.topic_create(group=group, author=group_member, title="Sunday walks", body="The garden was quiet today.")
    return music


def test_search_finds_a_topic_by_its_title(forum, group, reader):
    assert _results(reader, group, "music") == ["Music stopped reaching me"]


def test_search_finds_a_topic_by_the_words_of_a_reply(forum, group, reader):
    assert _results(reader, group, "melodies") == ["Music stopped reaching me"]
    assert _results(reader, group, "garden") == ["Sunday walks"]


def test_search_needs_every_word_to_match(forum, group, reader):
    assert _results(reader, group, "garden music") == []
    assert _results(reader, group, "quiet garden") == ["Sunday walks"]


def test_search_never_matches_removed_or_hidden_posts(forum, group, group_member, reader):
    removed = services.reply_create(topic=forum, author=group_member, body="A lighthouse memory I took back.")
    services.post_delete(post=removed, deleted_by=group_member)
    hidden = services.reply_create(topic=forum, author=group_member, body="A harbour story a moderator hid.")
    Post.objects.filter(pk=hidden.pk).update(hidden_at=timezone.now())

    assert _results(reader, group, "lighthouse") == []
    assert _results(reader, group, "harbour") == []


def test_search_never_shows_deleted_topics_or_other_groups(forum, group, reader):
    Topic.objects.filter(pk=forum.pk).update(deleted_at=timezone.now())
    TopicFactory(group=SupportGroupFactory(), title="Music elsewhere")

    assert _results(reader, group, "music") == []


def test_an_empty_search_lists_nothing(forum, group, reader):
    response = reader.get(reverse("groups:search", kwargs={"slug": group.slug}), {"q": "   "})

    assert response.status_code == 200
    assert 'class="topic-row"' not in text_of(response)


def test_a_private_groups_search_does_not_exist_for_outsiders(db):
    private = SupportGroupFactory(private=True)
    TopicFactory(group=private, title="Music in the circle")

    response = client_for(UserFactory()).get(reverse("groups:search", kwargs={"slug": private.slug}), {"q": "music"})

    assert response.status_code == 404
    assert "Music in the circle" not in text_of(response)


@pytest.mark.skipif(connection.vendor != "postgresql", reason="ranking is PostgreSQL full-text search")
def test_postgres_ranks_a_title_match_above_a_newer_body_only_match(group, group_member, reader):
    now = timezone.now()
    body_only = TopicFactory(
        group=group, author=group_member, title="A strange week", last_activity_at=now,
        opening__body="Everything looks as if I watch it through glass.",
    )
    titled = TopicFactory(
        group=group, author=group_member, title="Living behind glass", last_activity_at=now - timedelta(days=3),
        opening__body="It has been like this for months.",
    )

    assert _results(reader, group, "glass") == [titled.title, body_only.title]


@pytest.mark.skipif(connection.vendor != "postgresql", reason="stemming is PostgreSQL full-text search")
def test_postgres_matches_other_forms_of_a_word(forum, group, reader):
    assert _results(reader, group, "melody") == ["Music stopped reaching me"]
