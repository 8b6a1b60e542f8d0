"""The queue page and the overview page cost the same number of queries for 5 flags as for 50."""
import itertools
from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from groups.models import RoomMessage
from moderation.models import CrisisCase, Flag, FollowUp, Report, RiskAssessment, RiskLevel, Sanction
from moderation.services.reports import report_create
from tests.factories import UserFactory
from tests.groups.factories import GroupSessionFactory, PostFactory, SupportGroupFactory, TopicFactory

pytestmark = pytest.mark.django_db

_seq = itertools.count(1)


def _assessed_flag(*, content, kind: str, group, level: str, raised_at) -> Flag:
    assessment = RiskAssessment.objects.create(
        content_kind=kind, content_id=content.pk, author=content.author, group=group,
        status=RiskAssessment.Status.ASSESSED, level=level, score=0.9, assessed_at=raised_at,
        signals=[{"kind": "rule", "description": "a rule that fired"}, {"kind": "model", "crisis": 0.8, "concern": 0.1}],
    )
    return Flag.objects.create(
        source=Flag.Source.ASSESSMENT, assessment=assessment, level=level, priority=Flag.PRIORITY_BY_LEVEL[level],
        content_kind=kind, content_id=content.pk, author=content.author, group=group, raised_at=raised_at,
    )


def build_queue(n: int) -> None:
    """`n` open flags of every kind the queue shows: crisis and concern flags on forum posts and room
    messages, member reports, across three groups, by authors with a history (earlier decided flags,
    sanctions, open crisis cases with follow-ups)."""
    now = timezone.now()
    open_before = Flag.objects.filter(status=Flag.Status.OPEN).count()
    groups = [SupportGroupFactory() for _ in range(3)]
    sessions = [GroupSessionFactory(group=group) for group in groups]
    authors = [UserFactory() for _ in range(max(2, n // 2))]
    reporter = UserFactory()
    for index, author in enumerate(authors):
        Flag.objects.create(
            source=Flag.Source.ASSESSMENT, level=RiskLevel.CONCERN, priority=1, content_kind="post", content_id=next(_seq),
            author=author, group=groups[0], status=Flag.Status.DISMISSED, raised_at=now - timedelta(days=3),
            first_action_at=now - timedelta(days=3), decided_at=now - timedelta(days=3),
        )
        if index % 2 == 0:
            Sanction.objects.create(user=author, kind=Sanction.Kind.WARNING, reason="Please be kind.")
        if index % 3 == 0:
            case = CrisisCase.objects.create(member=author, origin=CrisisCase.Origin.ASSESSMENT)
            FollowUp.objects.create(case=case, due_at=now + timedelta(days=1))
    for index in range(n):
        author, group, session = authors[index % len(authors)], groups[index % 3], sessions[index % 3]
        raised_at = now - timedelta(minutes=index * 7)
        level = RiskLevel.CRISIS if index % 2 else RiskLevel.CONCERN
        kind = index % 3
        if kind == 0:
            topic = TopicFactory(group=group)
            PostFactory(topic=topic)
            post = PostFactory(topic=topic, author=author)
            PostFactory(topic=topic)
            _assessed_flag(content=post, kind="post", group=group, level=level, raised_at=raised_at)
        elif kind == 1:
            message = RoomMessage.objects.create(session=session, seq=next(_seq), author=author, body="It is all grey.")
            _assessed_flag(content=message, kind="room_message", group=group, level=level, raised_at=raised_at)
        else:
            post = PostFactory(topic=TopicFactory(group=group), author=author)
            report_create(reporter=reporter, post=post, reason=Report.Reason.HARASSMENT, note="Unkind.")
    assert Flag.objects.filter(status=Flag.Status.OPEN).count() == open_before + n


def _queries(client, url: str) -> list[str]:
    with CaptureQueriesContext(connection) as captured:
        response = client.get(url)
    assert response.status_code == 200
    return [query["sql"] for query in captured.captured_queries]


def _describe(queries: list[str]) -> str:
    return "\n".join(f"{index:3} {sql[:160]}" for index, sql in enumerate(queries))


@pytest.mark.parametrize("url_name", ["moderation:dashboard", "moderation:overview"])
def test_query_count_does_not_grow_with_the_number_of_flags(url_name, moderator_client):
    url = reverse(url_name)
    build_queue(5)
    few = _queries(moderator_client, url)

    build_queue(45)
    many = _queries(moderator_client, url)

    assert len(many) == len(few), f"5 flags:\n{_describe(few)}\n50 flags:\n{_describe(many)}"


def test_overview_stays_within_its_query_budget(moderator_client):
    build_queue(20)
    queries = _queries(moderator_client, reverse("moderation:overview"))

    # The header's open-crisis badge (on every moderator page) is not the overview's own.
    badge = 'WHERE ("moderation_flag"."level" = \'crisis\' AND "moderation_flag"."status" = \'open\')'
    overview = [sql for sql in queries if "moderation_" in sql and badge not in sql]
    # Counts by level and source, flags per day, medians, crisis cases, follow-ups.
    assert len(overview) == 5, _describe(overview)
