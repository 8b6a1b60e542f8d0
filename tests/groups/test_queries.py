"""The forum's pages cost the same number of queries with 3 rows as with 30 (no N+1)."""
import re
from collections import Counter

from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from groups import services
from groups.models import ReaderPreference, Topic
from tests.groups.factories import MembershipFactory, ReactionFactory, TopicFactory
from tests.groups.helpers import client_for


def _queries(client, url, params=None) -> list[str]:
    with CaptureQueriesContext(connection) as captured:
        response = client.get(url, params or {})
    assert response.status_code == 200
    return [query["sql"] for query in captured.captured_queries]


def _shape(sql: str) -> str:
    return re.sub(r"'[^']*'|\b\d+\b", "?", sql)


def _assert_same_cost(small: list[str], large: list[str]) -> None:
    extra = Counter(map(_shape, large)) - Counter(map(_shape, small))
    assert len(large) == len(small), "the page's query count grows with its rows; repeated:\n" + "\n".join(
        f"{count} x {sql}" for sql, count in extra.items()
    )


def _add_topics(group, count: int, title: str) -> None:
    for n in range(count):
        # Each by its own author, so a per-author lookup would show.
        author = MembershipFactory(group=group).user
        topic = TopicFactory(group=group, author=author, title=f"{title} {n}", is_pinned=n == 0, reply_count=n % 3)
        ReactionFactory(post=topic.posts.get(), user=author)


def test_group_page_query_count_does_not_grow_with_topics(group, group_facilitator):
    client = client_for(group_facilitator)
    url = group.get_absolute_url()
    _add_topics(group, 3, "Glass")
    client.get(url)  # warm-up: session, content types

    small = _queries(client, url)
    _add_topics(group, 27, "Glass")
    large = _queries(client, url)

    assert Topic.objects.filter(group=group).count() == 30
    _assert_same_cost(small, large)


def test_search_query_count_does_not_grow_with_results(group, group_facilitator):
    client = client_for(group_facilitator)
    url = reverse("groups:search", kwargs={"slug": group.slug})
    _add_topics(group, 3, "Glass wall")
    client.get(url, {"q": "glass"})

    small = _queries(client, url, {"q": "glass"})
    _add_topics(group, 17, "Glass wall")  # 20 results: the search page's page size
    large = _queries(client, url, {"q": "glass"})

    _assert_same_cost(small, large)


def _add_replies(topic, count: int, reactors, viewer) -> None:
    for n in range(count):
        author = MembershipFactory(group=topic.group).user
        post = services.reply_create(
            topic=topic, author=author, body=f"Reply {n}: [a link](https://example.org/{n})",
            content_warning="medication" if n % 2 else "",
        )
        if n % 3 == 0:
            services.post_edit(post=post, editor=author, body=f"Reply {n}, edited.")
        if n % 5 == 0:
            services.post_delete(post=post, deleted_by=author)
            continue
        for reactor in reactors:
            ReactionFactory(post=post, user=reactor, kind="me_too")
        ReactionFactory(post=post, user=viewer, kind="hear_you")


def test_topic_page_query_count_does_not_grow_with_replies_and_reactions(group, group_member, group_facilitator):
    topic = services.topic_create(group=group, author=group_member, title="Glass", body="Far away.")
    reactors = [MembershipFactory(group=group).user for _ in range(2)]
    ReaderPreference.objects.create(user=group_facilitator, unfolded_warnings=["medication"])
    client = client_for(group_facilitator)
    url = topic.get_absolute_url()
    _add_replies(topic, 3, reactors, group_facilitator)
    client.get(url)

    small = _queries(client, url)
    _add_replies(topic, 27, reactors, group_facilitator)  # 30 replies: a full first page of 25 posts
    large = _queries(client, url)

    _assert_same_cost(small, large)
