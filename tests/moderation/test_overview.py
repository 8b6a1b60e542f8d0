"""The moderators' overview: its figures match a hand-built week and month of flags, cases and follow-ups."""
import itertools
import re
from datetime import UTC, date, datetime, timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from moderation.models import CrisisCase, Flag, FollowUp
from moderation.overview import (
    duration_text,
    flags_per_day_chart,
    moderation_overview_get,
    share_within_limit_chart,
)
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db

OVERVIEW = reverse("moderation:overview")
NOW = datetime(2026, 3, 10, 12, 0, tzinfo=UTC)
_content_ids = itertools.count(1)
LEVEL_BY_PRIORITY = {0: "crisis", 1: "concern", 2: "none"}


def minutes(value: float) -> timedelta:
    return timedelta(minutes=value)


def flag(now, *, priority, raised_ago, acted_after=None, decided_after=None, source=Flag.Source.ASSESSMENT, status="open"):
    raised_at = now - raised_ago
    return Flag.objects.create(
        source=source, level=LEVEL_BY_PRIORITY[priority], priority=priority, content_kind="post",
        content_id=next(_content_ids), raised_at=raised_at, status=status,
        first_action_at=raised_at + acted_after if acted_after is not None else None,
        decided_at=raised_at + decided_after if decided_after is not None else None,
    )


def build_world(now):
    """The fixture whose figures the tests below state by hand."""
    days = lambda n: timedelta(days=n)  # noqa: E731
    # Crisis, limit 5 minutes.
    flag(now, priority=0, raised_ago=days(1), acted_after=minutes(2))  # in time
    flag(now, priority=0, raised_ago=days(2), acted_after=minutes(10), status="confirmed", decided_after=minutes(30))  # late
    flag(now, priority=0, raised_ago=days(3), acted_after=minutes(4))  # in time
    flag(now, priority=0, raised_ago=minutes(2))  # untouched, within its limit: pending
    flag(now, priority=0, raised_ago=minutes(60))  # untouched past its limit: late
    flag(now, priority=0, raised_ago=days(10), acted_after=minutes(1))  # in time, 30-day window only
    flag(now, priority=0, raised_ago=days(40), acted_after=minutes(1))  # outside both windows
    # Concern, limit 1 hour.
    flag(now, priority=1, raised_ago=days(6), decided_after=minutes(30), status="dismissed")  # decided in time
    flag(now, priority=1, raised_ago=days(20), acted_after=minutes(90))  # late
    flag(now, priority=1, raised_ago=minutes(30))  # pending
    # Reports, limit 24 hours.
    flag(now, priority=2, raised_ago=days(2), acted_after=minutes(20 * 60), source=Flag.Source.REPORT)  # in time
    flag(now, priority=2, raised_ago=days(25), source=Flag.Source.REPORT)  # never touched: late

    member, other, third = UserFactory(), UserFactory(), UserFactory()
    open_case = CrisisCase.objects.create(member=member, origin=CrisisCase.Origin.ASSESSMENT, opened_at=now - days(1))
    CrisisCase.objects.create(
        member=other, origin=CrisisCase.Origin.MEMBER_ASKED, opened_at=now - days(2), acknowledged_at=now - days(2)
    )
    closed_case = CrisisCase.objects.create(
        member=third, origin=CrisisCase.Origin.ASSESSMENT, status=CrisisCase.Status.CLOSED, closed_at=now, outcome="Safe."
    )
    FollowUp.objects.create(case=open_case, due_at=now - minutes(60))  # overdue
    FollowUp.objects.create(case=open_case, due_at=now - days(1), sent_at=now - days(1))  # sent
    FollowUp.objects.create(case=open_case, due_at=now - days(2), cancelled_at=now - days(3))  # cancelled
    FollowUp.objects.create(case=open_case, due_at=now + days(3))  # ahead
    FollowUp.objects.create(case=open_case, due_at=now + days(10))  # beyond the week ahead
    FollowUp.objects.create(case=closed_case, due_at=now - minutes(5))  # its case is closed


# (count, within the limit, late, pending, share %, median) per level and window, worked out by hand.
EXPECTED = {
    7: {
        "crisis": (5, 2, 2, 1, 50, minutes(4)),  # waits 2, 10, 4 min
        "concern": (2, 1, 0, 1, 100, minutes(30)),
        "report": (1, 1, 0, 0, 100, minutes(20 * 60)),
    },
    30: {
        "crisis": (6, 3, 2, 1, 60, minutes(3)),  # waits 2, 10, 4, 1 min: between 2 and 4
        "concern": (3, 1, 1, 1, 50, minutes(60)),  # waits 30, 90 min
        "report": (2, 1, 1, 0, 50, minutes(20 * 60)),
    },
}
EXPECTED_SOURCES = {7: {"assessment": 7, "report": 1}, 30: {"assessment": 9, "report": 2}}


def test_overview_figures_match_the_hand_built_fixture():
    build_world(NOW)

    overview = moderation_overview_get(now=NOW)

    for window in overview.windows:
        got = {
            level.name: (level.count, level.within_limit, level.late, level.pending, level.share_percent, level.median_wait)
            for level in window.levels
        }
        assert got == EXPECTED[window.days], window.days
        sources = {source.source: source.count for source in window.sources if source.count}
        assert sources == EXPECTED_SOURCES[window.days]
    assert (overview.open_cases, overview.open_cases_unacknowledged) == (2, 1)
    assert (overview.follow_ups_overdue, overview.follow_ups_ahead) == (1, 1)


def test_flags_per_day_count_calendar_days_and_levels():
    build_world(NOW)

    days = {day.day: day.counts for day in moderation_overview_get(now=NOW).days}

    assert len(days) == 30
    assert min(days) == date(2026, 2, 9) and max(days) == date(2026, 3, 10)
    assert days[date(2026, 3, 10)] == [2, 1, 0]  # two untouched crisis flags, one concern, today
    assert days[date(2026, 3, 8)] == [1, 0, 1]
    assert days[date(2026, 2, 13)] == [0, 0, 1]
    assert sum(sum(counts) for counts in days.values()) == 11  # the 40-day-old flag is not drawn


def test_days_follow_the_viewers_time_zone():
    # 01:30 UTC on March 10 is still March 9 in Los Angeles.
    flag(NOW, priority=0, raised_ago=timedelta(hours=10, minutes=30))
    with timezone.override("America/Los_Angeles"):
        days = {day.day: day.total for day in moderation_overview_get(now=NOW).days}
    assert days[date(2026, 3, 9)] == 1
    assert days[date(2026, 3, 10)] == 0


def _cells(page: str, window: int, level: str) -> dict[str, str]:
    section = re.search(rf'data-window="{window}".*?</section>', page, re.DOTALL).group(0)
    row = re.search(rf'<tr data-level="{level}">(.*?)</tr>', section, re.DOTALL).group(1)
    return {name: re.sub(r"<[^>]+>", "", value).split()[0] for name, value in re.findall(r'data-figure="([\w-]+)">(.*?)</td>', row)}


def test_overview_page_shows_the_figures(moderator_client):
    build_world(timezone.now())

    response = moderator_client.get(OVERVIEW)

    assert response.status_code == 200
    page = response.content.decode()
    assert _cells(page, 7, "crisis") == {"count": "5", "median": "4", "share": "50%", "late": "2", "pending": "1"}
    assert _cells(page, 30, "concern") == {"count": "3", "median": "1", "share": "50%", "late": "1", "pending": "1"}
    assert "1 h 0 min" in page and "20 h 0 min" in page
    assert re.search(r'data-figure="open-cases">2<', page)
    assert re.search(r'data-figure="follow-ups-overdue">1<', page)
    # Pending items are explained, not silently dropped.
    assert "shown as pending" in page
    # The charts are inline SVG with an accessible name and description.
    assert page.count('role="img"') == 2
    assert "<title id=\"chart-1-title\">Flags per day, stacked by level</title>" in page
    assert '<desc id="chart-1-desc">11 flags in the last 30 days; the busiest day was' in page


def test_empty_overview_says_so_instead_of_inventing_figures(moderator_client):
    page = moderator_client.get(OVERVIEW).content.decode()

    assert _cells(page, 30, "crisis") == {"count": "0", "median": "—", "share": "—", "late": "0", "pending": "0"}
    assert "nothing decided yet" in page
    assert "0 flags in the last 30 days." in page


def test_overview_is_for_moderators_only(client, auth_client, facilitator_client):
    assert client.get(OVERVIEW)["Location"].startswith(reverse("account_login"))
    assert auth_client.get(OVERVIEW).status_code == 403
    assert facilitator_client.get(OVERVIEW).status_code == 403
    assert client.post(OVERVIEW).status_code == 302  # anonymous: to the login page first


def test_overview_refuses_post(moderator_client):
    assert moderator_client.post(OVERVIEW).status_code == 405


def test_the_dashboard_links_to_the_overview(moderator_client):
    assert f'href="{OVERVIEW}"' in moderator_client.get(reverse("moderation:dashboard")).content.decode()


def test_bars_stack_by_level_and_scale_to_the_busiest_day():
    build_world(NOW)
    chart = flags_per_day_chart(moderation_overview_get(now=NOW).days, height=200)

    assert len(chart.rects) == 10  # one rectangle per (day, level) with flags
    today = [rect for rect in chart.rects if rect.title.startswith("Mar 10")]
    assert [rect.title for rect in today] == ["Mar 10: 2 Crisis", "Mar 10: 1 Concern"]
    # The axis tops at 5 for a busiest day of 3; heights are proportional.
    assert chart.gridlines[-1][1] == "5"
    assert today[0].height == pytest.approx(2 * today[1].height, abs=0.2)
    assert today[1].y + today[1].height == pytest.approx(today[0].y, abs=0.2)  # concern sits on crisis
    assert chart.desc == "11 flags in the last 30 days; the busiest day was Mar 10 with 3."


def test_share_chart_describes_every_bar_in_words():
    build_world(NOW)
    chart = share_within_limit_chart(moderation_overview_get(now=NOW).windows)

    assert "Crisis, 7 days: 50%" in chart.desc and "Reports, 30 days: 50%" in chart.desc
    assert len(chart.rects) == 6


@pytest.mark.parametrize(
    ("value", "text"),
    [
        (None, "—"),
        (timedelta(seconds=45), "45 s"),
        (timedelta(minutes=3, seconds=20), "3 min 20 s"),
        (timedelta(minutes=5), "5 min"),
        (timedelta(hours=2, minutes=5), "2 h 5 min"),
        (timedelta(days=1, hours=4, minutes=59), "1 d 4 h"),
    ],
)
def test_waits_read_as_a_moderator_would_say_them(value, text):
    assert duration_text(value) == text
