"""The overview shows the queue's noise: assessment flags dismissed per week, beside those raised."""
import itertools
import re
from datetime import UTC, date, datetime, timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from moderation.models import Flag
from moderation.overview import NOISE_WEEKS, moderation_overview_get

pytestmark = pytest.mark.django_db

OVERVIEW = reverse("moderation:overview")
_content_ids = itertools.count(1)


def flags(raised_at, count, *, status=Flag.Status.OPEN, source=Flag.Source.ASSESSMENT):
    for _ in range(count):
        Flag.objects.create(
            source=source, level="concern", priority=1, content_kind="post", content_id=next(_content_ids),
            raised_at=raised_at, status=status,
        )


def _weeks(page: str) -> list[tuple[str, dict[str, str]]]:
    section = re.search(r'<section[^>]*data-section="dismissed-per-week".*?</section>', page, re.DOTALL).group(0)
    return [
        (week, dict(re.findall(r'data-figure="(\w+)">([^<]*)</td>', row)))
        for week, row in re.findall(r'<tr data-week="([\d-]+)">(.*?)</tr>', section, re.DOTALL)
    ]


def test_the_overview_shows_flags_dismissed_per_week_beside_those_raised(moderator_client):
    now = timezone.now()
    monday = datetime.combine(now.date() - timedelta(days=now.weekday()), datetime.min.time(), tzinfo=UTC)
    this_week = monday + (now - monday) / 2
    flags(this_week, 2, status=Flag.Status.DISMISSED)
    flags(this_week, 1)
    flags(this_week, 3, status=Flag.Status.DISMISSED, source=Flag.Source.REPORT)  # reports are not noise
    flags(monday - timedelta(days=6), 1, status=Flag.Status.CONFIRMED)
    flags(monday - timedelta(days=13), 4, status=Flag.Status.DISMISSED)
    flags(monday - timedelta(weeks=NOISE_WEEKS, days=-1), 5, status=Flag.Status.DISMISSED)  # too old to show

    page = moderator_client.get(OVERVIEW).content.decode()

    weeks = _weeks(page)
    starts = [date.fromisoformat(start) for start, _ in weeks]
    assert starts == [monday.date() - timedelta(weeks=back) for back in range(NOISE_WEEKS - 1, -1, -1)]
    figures = {start: cells for start, cells in weeks}
    assert figures[str(monday.date())] == {"raised": "3", "dismissed": "2", "share": "67%"}
    assert figures[str(monday.date() - timedelta(weeks=1))] == {"raised": "1", "dismissed": "0", "share": "0%"}
    assert figures[str(monday.date() - timedelta(weeks=2))] == {"raised": "4", "dismissed": "4", "share": "100%"}
    # A week with nothing raised says so, rather than inventing a share.
    assert figures[str(starts[0])] == {"raised": "0", "dismissed": "0", "share": "—"}
    # A small table a screen reader can name and read.
    assert 'aria-labelledby="noise-heading"' in page and '<h2 id="noise-heading">Flags dismissed, week by week</h2>' in page
    assert "<caption>Risk-assessment flags raised and dismissed, the last 8 weeks" in page
    assert '<th scope="col">Dismissed</th>' in page


def test_an_empty_queue_shows_eight_quiet_weeks(moderator_client):
    weeks = _weeks(moderator_client.get(OVERVIEW).content.decode())

    assert len(weeks) == NOISE_WEEKS
    assert {tuple(cells.values()) for _, cells in weeks} == {("0", "0", "—")}


def test_weeks_follow_the_viewers_time_zone():
    now = datetime(2026, 3, 10, 12, 0, tzinfo=UTC)  # a Tuesday
    # Monday 02:00 UTC is still Sunday evening in Los Angeles: the week before there.
    flags(datetime(2026, 3, 9, 2, 0, tzinfo=UTC), 1, status=Flag.Status.DISMISSED)

    in_utc = {week.start: week.dismissed for week in moderation_overview_get(now=now).weeks}
    with timezone.override("America/Los_Angeles"):
        in_los_angeles = {week.start: week.dismissed for week in moderation_overview_get(now=now).weeks}

    assert in_utc[date(2026, 3, 9)] == 1 and in_utc[date(2026, 3, 2)] == 0
    assert in_los_angeles[date(2026, 3, 2)] == 1 and in_los_angeles[date(2026, 3, 9)] == 0
