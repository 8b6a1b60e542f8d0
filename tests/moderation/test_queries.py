"""The queue page and the overview page cost the same number of queries for 5 flags as for 50."""
import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from tests.support.worlds.moderation import build_queue

pytestmark = pytest.mark.django_db

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
