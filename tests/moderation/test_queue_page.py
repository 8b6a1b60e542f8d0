"""The queue page: one line per item (level, time waiting, group, first words, signals, who has
it), the thread only on the item's own page, keyset pages that neither repeat nor skip an item, and
the same number of queries for any number of flags."""
import re
from datetime import timedelta

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone
from django.utils.html import escape

from groups.models import RoomMessage
from moderation import services
from moderation.models import Flag, RiskAssessment, RiskLevel
from moderation.selectors import QUEUE_PAGE_SIZE
from tests.factories import UserFactory
from tests.groups.factories import GroupSessionFactory, MembershipFactory, PostFactory, SupportGroupFactory, TopicFactory
from tests.groups.helpers import client_for, is_login_redirect, text_of, user_named
from tests.support.worlds.moderation import build_queue

pytestmark = pytest.mark.django_db

DASHBOARD = reverse("moderation:dashboard")
ROW = re.compile(r'<tr class="queue-item[^"]*" id="flag-(\d+)"')
NEXT = re.compile(r'<a rel="next" href="\?([^"]*)"')
PREVIOUS = re.compile(r'<a rel="prev" href="\?([^"]*)"')


def _assessed_flag(post, level, *, raised_at=None, status=Flag.Status.OPEN, decided_at=None, description="Talks about ending their life") -> Flag:
    assessment = RiskAssessment.objects.create(
        content_kind="post", content_id=post.pk, content_version=post.version, author=post.author, group=post.topic.group,
        status=RiskAssessment.Status.ASSESSED, level=level, score=0.9,
        signals=[{"kind": "rule", "description": description}, {"kind": "model", "crisis": 0.81, "concern": 0.12}],
    )
    return Flag.objects.create(
        source=Flag.Source.ASSESSMENT, assessment=assessment, level=level, priority=Flag.PRIORITY_BY_LEVEL[level],
        content_kind="post", content_id=post.pk, author=post.author, group=post.topic.group,
        raised_at=raised_at or timezone.now(), status=status, decided_at=decided_at,
    )


def _rows(response) -> list[int]:
    assert response.status_code == 200
    return [int(flag_id) for flag_id in ROW.findall(text_of(response))]


def _row_html(page: str, flag_id: int) -> str:
    start = page.index(f'id="flag-{flag_id}"')
    return page[start:page.index("</tr>", start)]


# ----------------------------------------------------------------------------- one line per item


def test_each_item_is_one_line_with_level_waiting_group_first_words_signals_and_claim(moderator_client, moderator):
    group = SupportGroupFactory(name="Evening circle", private=True)
    topic = TopicFactory(group=group, title="Far away")
    PostFactory(topic=topic, body="A neighbouring reply, shown only on the item page.")
    long_words = "I have pills saved up and tonight I plan to take them all. " + "Everything is grey and far away. " * 40
    flagged = PostFactory(topic=topic, body=long_words)
    flag = _assessed_flag(flagged, RiskLevel.CRISIS, raised_at=timezone.now() - timedelta(minutes=12))
    unkind = PostFactory(topic=TopicFactory(group=group), body="Something unkind.")
    report = services.report_create(reporter=UserFactory(), post=unkind, reason="harassment", note="Unkind to a newcomer.")
    colleague = user_named("Rowan Keeper")
    colleague.is_moderator = True
    colleague.save(update_fields=["is_moderator"])
    services.flag_claim(flag_id=report.flag_id, moderator=colleague)

    page = text_of(moderator_client.get(DASHBOARD))
    line = _row_html(page, flag.pk)

    assert _rows_in(page) == [flag.pk, report.flag_id]
    assert "Crisis" in line and "12" in line and "overdue" in line  # past its 5 minutes
    assert "Evening circle" in line
    assert "I have pills saved up and tonight I plan to take them all." in line
    assert long_words.strip() not in page  # only the first words: the whole text is on the item's page
    assert "rule: Talks about ending their life" in line and "model: crisis 0.81, concern 0.12" in line
    assert f'href="{reverse("moderation:flag_detail", kwargs={"flag_id": flag.pk})}"' in line
    assert "Claim" in line
    report_line = _row_html(page, report.flag_id)
    assert "Unkind to a newcomer." in report_line and "Rowan Keeper is on it." in report_line
    assert "shown only on the item page" not in page  # the thread is on the item's page

    detail = text_of(moderator_client.get(reverse("moderation:flag_detail", kwargs={"flag_id": flag.pk})))
    assert "shown only on the item page" in detail and long_words.strip() in detail


def _rows_in(page: str) -> list[int]:
    return [int(flag_id) for flag_id in ROW.findall(page)]


def test_the_first_words_are_escaped_text_and_name_the_flagged_version_of_an_edited_post(moderator_client, moderator):
    from groups.models import PostRevision

    topic = TopicFactory()
    post = PostFactory(topic=topic, body="<script>window.__x=1</script> I don't want to be here")
    flag = _assessed_flag(post, RiskLevel.CONCERN)
    # Edited to something calm after the flag: the line shows the words that raised it.
    PostRevision.objects.create(post=post, version=1, body=post.body, created_at=post.created_at)
    post.body, post.version = "All good now, thanks.", 2
    post.save(update_fields=["body", "version"])

    line = _row_html(text_of(moderator_client.get(DASHBOARD)), flag.pk)

    assert "&lt;script&gt;window.__x=1&lt;/script&gt; I don&#x27;t want to be here" in line
    assert "<script>window" not in line and "All good now" not in line
    assert "edited since" in line


def test_an_opening_posts_line_starts_with_its_title_and_a_room_message_says_live_room(moderator_client):
    topic = TopicFactory(title="Goodbye", opening__body="I just wanted to say thank you.")
    opening = topic.posts.get(is_opening=True)
    flag = _assessed_flag(opening, RiskLevel.CRISIS)
    session = GroupSessionFactory()
    message = RoomMessage.objects.create(session=session, seq=1, author=UserFactory(), body="Said in the room.")
    report = services.report_create(reporter=UserFactory(), room_message=message, reason="other")

    page = text_of(moderator_client.get(DASHBOARD))

    assert "Goodbye — I just wanted to say thank you." in _row_html(page, flag.pk)
    room_line = _row_html(page, report.flag_id)
    assert "Said in the room." in room_line and "live room" in room_line


def test_the_open_counts_are_by_level_whatever_the_filters(moderator_client):
    topic = TopicFactory()
    for level, count in ((RiskLevel.CRISIS, 2), (RiskLevel.CONCERN, 3)):
        for _ in range(count):
            _assessed_flag(PostFactory(topic=topic), level)
    _assessed_flag(PostFactory(topic=topic), RiskLevel.CONCERN, status=Flag.Status.DISMISSED, decided_at=timezone.now())

    page = text_of(moderator_client.get(DASHBOARD, {"level": "crisis"}))

    assert "Open now: 2 crisis, 3 concern, 0 raised by people." in page
    assert len(_rows_in(page)) == 2


# ----------------------------------------------------------------------------- queries


def _query_count(client, url: str, data: dict | None = None) -> tuple[int, list[str]]:
    with CaptureQueriesContext(connection) as captured:
        response = client.get(url, data or {})
    assert response.status_code == 200
    return len(captured.captured_queries), [q["sql"][:160] for q in captured.captured_queries]


def test_the_queue_costs_the_same_queries_for_5_flags_as_for_60(moderator_client):
    build_queue(5)
    few, few_sql = _query_count(moderator_client, DASHBOARD)
    fragment_few, _ = _query_count(moderator_client, DASHBOARD, {"fragment": "queue"})

    build_queue(55)
    many, many_sql = _query_count(moderator_client, DASHBOARD)
    fragment_many, _ = _query_count(moderator_client, DASHBOARD, {"fragment": "queue"})

    assert many == few, "\n".join(many_sql)
    assert fragment_many == fragment_few


def test_a_page_deep_in_the_queue_costs_the_same_queries_as_the_second(moderator_client):
    build_queue(60)
    second_after = _next_cursor(text_of(moderator_client.get(DASHBOARD, {"state": "all"})))
    second, _ = _query_count(moderator_client, DASHBOARD, {"state": "all", "after": second_after})
    build_queue(60)
    ids = _walk(moderator_client, {"state": "all"})
    deep, _ = _query_count(moderator_client, DASHBOARD, {"state": "all", "after": ids[-QUEUE_PAGE_SIZE - 5]})

    assert deep == second


# ----------------------------------------------------------------------------- keyset pages


def _next_cursor(page: str) -> str:
    return re.search(r"after=(\d+)", NEXT.search(page).group(1)).group(1)


def _pages(client, data: dict, link: re.Pattern = NEXT) -> list[list[int]]:
    """The ids on each page, following the "newer" (NEXT) or "older" (PREVIOUS) links as a moderator clicks."""
    pages = []
    for _ in range(50):
        page = text_of(client.get(DASHBOARD, data))
        pages.append(_rows_in(page))
        found = link.search(page)
        if found is None:
            return pages
        data = dict(pair.split("=") for pair in found.group(1).replace("&amp;", "&").split("&"))
    raise AssertionError("the pages never ended")


def _walk(client, filters: dict) -> list[int]:
    return [flag_id for page in _pages(client, dict(filters)) for flag_id in page]


@pytest.fixture
def many_flags():
    """70 open flags over three levels, many raised at the very same moment (ties broken by id),
    and 40 decided ones."""
    topic = TopicFactory()
    moment = timezone.now() - timedelta(hours=3)
    flags = []
    for index in range(70):
        level = (RiskLevel.CRISIS, RiskLevel.CONCERN, RiskLevel.CONCERN)[index % 3]
        raised_at = moment if index % 2 else moment + timedelta(minutes=index)
        flags.append(_assessed_flag(PostFactory(topic=topic), level, raised_at=raised_at))
    for index in range(40):
        flags.append(_assessed_flag(
            PostFactory(topic=topic), RiskLevel.CONCERN, status=Flag.Status.DISMISSED,
            decided_at=moment + timedelta(minutes=index // 2),  # pairs decided at the same moment
        ))
    return flags


def test_keyset_pages_walk_the_whole_queue_in_order_without_repeating_or_skipping(moderator_client, many_flags):
    expected = [flag.pk for flag in sorted(
        (f for f in many_flags if f.status == Flag.Status.OPEN), key=lambda f: (f.priority, f.raised_at, f.pk)
    )]

    seen = _walk(moderator_client, {})

    assert seen == expected
    assert len(set(seen)) == len(seen) == 70


def test_going_back_page_by_page_shows_the_same_pages_in_reverse(moderator_client, many_flags):
    forward = _pages(moderator_client, {})
    assert [len(rows) for rows in forward] == [25, 25, 20]

    backward = _pages(moderator_client, {"after": str(forward[1][-1])}, PREVIOUS)

    assert backward == [forward[2], forward[1], forward[0]]


def test_decided_items_page_latest_decision_first_and_filters_stay_on_every_page(moderator_client, many_flags):
    decided = sorted((f for f in many_flags if f.status != Flag.Status.OPEN), key=lambda f: (f.decided_at, f.pk), reverse=True)
    concern_open = sorted(
        (f for f in many_flags if f.status == Flag.Status.OPEN and f.level == RiskLevel.CONCERN),
        key=lambda f: (f.raised_at, f.pk),
    )

    assert _walk(moderator_client, {"state": "decided"}) == [flag.pk for flag in decided]
    assert _walk(moderator_client, {"level": "concern"}) == [flag.pk for flag in concern_open]


def test_the_first_page_has_no_link_back_and_the_last_none_forward(moderator_client, many_flags):
    first = text_of(moderator_client.get(DASHBOARD))
    assert PREVIOUS.search(first) is None and NEXT.search(first) is not None
    assert "Newer →" in first  # open items: oldest first

    decided = text_of(moderator_client.get(DASHBOARD, {"state": "decided"}))
    assert "Older →" in decided  # decisions: latest first


@pytest.mark.parametrize("cursor", ["abc", "-3", "99999999", "1" * 40, "", "0"])
def test_a_cursor_that_is_not_an_item_shows_the_first_page(moderator_client, many_flags, cursor):
    first = _rows(moderator_client.get(DASHBOARD))
    for name in ("after", "before"):
        assert _rows(moderator_client.get(DASHBOARD, {name: cursor})) == first


def test_an_open_items_id_as_a_decided_pages_cursor_shows_the_first_decided_page(moderator_client, many_flags):
    open_flag = next(f for f in many_flags if f.status == Flag.Status.OPEN)
    first_decided = _rows(moderator_client.get(DASHBOARD, {"state": "decided"}))
    assert _rows(moderator_client.get(DASHBOARD, {"state": "decided", "after": open_flag.pk})) == first_decided


# ----------------------------------------------------------------------------- who may see it


@pytest.mark.parametrize("params", [{}, {"fragment": "queue"}, {"state": "all", "after": "1"}])
def test_members_and_facilitators_are_refused_the_queue(params, member, facilitator):
    group = SupportGroupFactory()
    MembershipFactory(group=group, user=facilitator, facilitator=True)
    _assessed_flag(PostFactory(topic=TopicFactory(group=group), body="Words nobody but moderators reads here."), RiskLevel.CRISIS)

    for user in (member, facilitator):
        response = client_for(user).get(DASHBOARD, params)
        assert response.status_code == 403
        assert "Words nobody but moderators" not in text_of(response)
    assert is_login_redirect(Client().get(DASHBOARD, params))
