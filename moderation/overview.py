"""The moderators' overview: what came into the queue over the last 7 and 30 days and how fast it
was picked up, open crisis cases, follow-ups due, and the small SVG charts that draw it.

Everything is counted in the database in a handful of queries whatever the number of flags:
counts by level and source in one grouped query, flags per day (and, from the same rows, the
assessment flags raised and dismissed per week: the noise the team dismisses) in another, the
medians with PostgreSQL's percentile_cont (on SQLite, from one list of waits), cases and
follow-ups in one each.

"Level" here is the queue's level (a flag's priority): crisis, concern, then reports (member reports
and posts hidden by facilitators), each with its own time limit for a first action.
"""
import statistics
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from functools import reduce
from operator import or_

from django.db import connection
from django.db.models import Aggregate, Count, DurationField, ExpressionWrapper, F, Q
from django.db.models.functions import Coalesce, TruncDate
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as gettext_now
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from moderation.models import CrisisCase, Flag, FollowUp

WINDOWS_DAYS = (7, 30)
LEVELS = (
    # priority, name, label, chart colour (distinct in lightness too, for colour-blind readers)
    (0, "crisis", _("Crisis"), "#8a2c1d"),
    (1, "concern", _("Concern"), "#d08a2e"),
    (2, "report", _("Reports"), "#6f8fa6"),
)
FOLLOW_UPS_AHEAD = timedelta(days=7)
# Weeks of dismissed assessment flags shown, the current one included.
NOISE_WEEKS = 8

# A flag's first action: when a moderator first claimed or acted on it. A decision is an action
# too (flags decided before first_action_at was recorded have only decided_at).
_ACTED_AT = Coalesce(F("first_action_at"), F("decided_at"))
_WAIT = ExpressionWrapper(_ACTED_AT - F("raised_at"), output_field=DurationField())


class _Median(Aggregate):
    """PostgreSQL's median: percentile_cont(0.5), interpolating between the middle two like statistics.median."""

    function = "PERCENTILE_CONT"
    name = "Median"
    template = "%(function)s(0.5) WITHIN GROUP (ORDER BY %(expressions)s)%(filter)s"
    output_field = DurationField()


@dataclass
class LevelFigures:
    priority: int
    name: str
    label: str
    colour: str
    time_limit: timedelta
    count: int = 0
    within_limit: int = 0
    late: int = 0
    # Still untouched but within the limit: not decided yet, so left out of the share.
    pending: int = 0
    median_wait: timedelta | None = None

    @property
    def share_within_limit(self) -> float | None:
        decided = self.within_limit + self.late
        return self.within_limit / decided if decided else None

    @property
    def share_percent(self) -> int | None:
        share = self.share_within_limit
        return None if share is None else round(share * 100)

    @property
    def median_wait_text(self) -> str:
        return duration_text(self.median_wait)

    @property
    def time_limit_text(self) -> str:
        return duration_text(self.time_limit)


@dataclass
class SourceFigures:
    source: str
    label: str
    count: int = 0


@dataclass
class WindowFigures:
    days: int
    since: datetime
    levels: list[LevelFigures]
    sources: list[SourceFigures]

    @property
    def total(self) -> int:
        return sum(level.count for level in self.levels)


@dataclass
class DayCounts:
    day: date
    by_priority: dict[int, int] = field(default_factory=dict)

    @property
    def total(self) -> int:
        return sum(self.by_priority.values())

    @property
    def counts(self) -> list[int]:
        """Counts in level order (crisis, concern, reports), for the table under the chart."""
        return [self.by_priority.get(priority, 0) for priority, *_ in LEVELS]


@dataclass
class WeekNoise:
    """Risk-assessment flags raised in one week (Monday first), and how many of those moderators
    dismissed: the queue's noise, which `train_risk_model` learns from."""

    start: date
    raised: int = 0
    dismissed: int = 0

    @property
    def dismissed_percent(self) -> int | None:
        return round(100 * self.dismissed / self.raised) if self.raised else None


@dataclass
class Overview:
    now: datetime
    windows: list[WindowFigures]
    days: list[DayCounts]
    open_cases: int
    open_cases_unacknowledged: int
    follow_ups_overdue: int
    follow_ups_ahead: int
    follow_ups_ahead_days: int = FOLLOW_UPS_AHEAD.days
    weeks: list[WeekNoise] = field(default_factory=list)


def _limit(priority: int) -> timedelta:
    return Flag.TIME_LIMIT_BY_PRIORITY[priority]


def _any_priority(condition) -> Q:
    """OR over the levels of `condition(priority, limit)`: each level has its own time limit."""
    return reduce(or_, (Q(priority=priority) & condition(priority, _limit(priority)) for priority, *_ in LEVELS))


def _level_counts(*, now: datetime, since: dict[int, datetime]) -> dict[tuple[int, str], dict[str, int]]:
    """Counts per (priority, source): raised, handled in time, late, pending; one query, both windows."""
    in_time = _any_priority(lambda _p, limit: Q(acted_at__lte=F("raised_at") + limit))
    late = _any_priority(
        lambda _p, limit: Q(acted_at__gt=F("raised_at") + limit) | Q(acted_at__isnull=True, raised_at__lt=now - limit)
    )
    pending = _any_priority(lambda _p, limit: Q(acted_at__isnull=True, raised_at__gte=now - limit))
    aggregates = {}
    for days, start in since.items():
        window = Q(raised_at__gte=start)
        aggregates |= {
            f"count_{days}": Count("pk", filter=window),
            f"within_limit_{days}": Count("pk", filter=window & in_time),
            f"late_{days}": Count("pk", filter=window & late),
            f"pending_{days}": Count("pk", filter=window & pending),
        }
    rows = (
        Flag.objects.filter(raised_at__gte=min(since.values()), raised_at__lte=now)
        .alias(acted_at=_ACTED_AT)
        .values("priority", "source")
        .annotate(**aggregates)
        .order_by()
    )
    return {(row["priority"], row["source"]): row for row in rows}


def _median_waits(*, now: datetime, since: dict[int, datetime]) -> dict[tuple[int, int], timedelta]:
    """Median time to first action per (window days, priority), over the flags acted on."""
    flags = Flag.objects.filter(raised_at__gte=min(since.values()), raised_at__lte=now).alias(acted_at=_ACTED_AT)
    flags = flags.filter(acted_at__isnull=False).order_by()
    if connection.vendor == "postgresql":
        aggregates = {f"median_{days}": _Median(_WAIT, filter=Q(raised_at__gte=start)) for days, start in since.items()}
        rows = flags.values("priority").annotate(**aggregates)
        return {
            (days, row["priority"]): row[f"median_{days}"]
            for row in rows
            for days in since
            if row[f"median_{days}"] is not None
        }
    # Other databases have no median: one list of waits, medians in Python.
    waits: dict[tuple[int, int], list[float]] = {}
    for priority, raised_at, wait in flags.values_list("priority", "raised_at", _WAIT):
        for days, start in since.items():
            if raised_at >= start:
                waits.setdefault((days, priority), []).append(wait.total_seconds())
    return {key: timedelta(seconds=statistics.median(values)) for key, values in waits.items()}


def _day_and_week_counts(*, now: datetime, days: int, weeks: int) -> tuple[list[DayCounts], list[WeekNoise]]:
    """Flags per calendar day and level for the last `days` days, and assessment flags raised and
    dismissed per week for the last `weeks` weeks, in the viewer's time zone: one grouped query."""
    zone = timezone.get_current_timezone()
    today = timezone.localdate(now, zone)
    first_day = today - timedelta(days=days - 1)
    first_monday = today - timedelta(days=today.weekday(), weeks=weeks - 1)
    start = datetime.combine(min(first_day, first_monday), datetime.min.time(), tzinfo=zone)
    rows = (
        Flag.objects.filter(raised_at__gte=start, raised_at__lte=now)
        .annotate(day=TruncDate("raised_at", tzinfo=zone))
        .values("day", "priority", "source", "status")
        .annotate(count=Count("pk"))
        .order_by()
    )
    by_day = {first_day + timedelta(days=offset): DayCounts(day=first_day + timedelta(days=offset)) for offset in range(days)}
    by_week = {first_monday + timedelta(weeks=offset): WeekNoise(start=first_monday + timedelta(weeks=offset)) for offset in range(weeks)}
    for row in rows:
        day, count = row["day"], row["count"]
        if day in by_day:
            by_priority = by_day[day].by_priority
            by_priority[row["priority"]] = by_priority.get(row["priority"], 0) + count
        week = by_week.get(day - timedelta(days=day.weekday()))
        if week is not None and row["source"] == Flag.Source.ASSESSMENT:
            week.raised += count
            if row["status"] == Flag.Status.DISMISSED:
                week.dismissed += count
    return list(by_day.values()), list(by_week.values())


def moderation_overview_get(*, now: datetime | None = None) -> Overview:
    now = now or timezone.now()
    since = {days: now - timedelta(days=days) for days in WINDOWS_DAYS}
    counts = _level_counts(now=now, since=since)
    medians = _median_waits(now=now, since=since)

    windows = []
    for days, start in since.items():
        levels = []
        for priority, name, label, colour in LEVELS:
            level = LevelFigures(
                priority=priority, name=name, label=label, colour=colour, time_limit=_limit(priority),
                median_wait=medians.get((days, priority)),
            )
            for (row_priority, _source), row in counts.items():
                if row_priority == priority:
                    level.count += row[f"count_{days}"]
                    level.within_limit += row[f"within_limit_{days}"]
                    level.late += row[f"late_{days}"]
                    level.pending += row[f"pending_{days}"]
            levels.append(level)
        sources = [
            SourceFigures(
                source=source, label=label,
                count=sum(row[f"count_{days}"] for (_p, row_source), row in counts.items() if row_source == source),
            )
            for source, label in Flag.Source.choices
        ]
        windows.append(WindowFigures(days=days, since=start, levels=levels, sources=sources))

    cases = CrisisCase.objects.filter(status=CrisisCase.Status.OPEN).aggregate(
        open=Count("pk"), unacknowledged=Count("pk", filter=Q(acknowledged_at__isnull=True))
    )
    follow_ups = FollowUp.objects.filter(
        sent_at__isnull=True, cancelled_at__isnull=True, case__status=CrisisCase.Status.OPEN,
        due_at__lte=now + FOLLOW_UPS_AHEAD,
    ).aggregate(overdue=Count("pk", filter=Q(due_at__lte=now)), ahead=Count("pk", filter=Q(due_at__gt=now)))
    days, weeks = _day_and_week_counts(now=now, days=max(WINDOWS_DAYS), weeks=NOISE_WEEKS)
    return Overview(
        now=now,
        windows=windows,
        days=days,
        weeks=weeks,
        open_cases=cases["open"],
        open_cases_unacknowledged=cases["unacknowledged"],
        follow_ups_overdue=follow_ups["overdue"],
        follow_ups_ahead=follow_ups["ahead"],
    )


def duration_text(value: timedelta | None) -> str:
    """A wait as a moderator reads it: "45 s", "3 min 20 s", "2 h 5 min", "1 d 4 h"."""
    if value is None:
        return "—"
    seconds = round(value.total_seconds())
    days, rest = divmod(seconds, 86400)
    hours, rest = divmod(rest, 3600)
    minutes, seconds = divmod(rest, 60)
    if days:
        return f"{days} d {hours} h"
    if hours:
        return f"{hours} h {minutes} min"
    if minutes:
        return f"{minutes} min {seconds} s" if seconds else f"{minutes} min"
    return f"{seconds} s"


# ----------------------------------------------------------------------------- SVG charts
# Drawn here rather than in the template so that the geometry is plain Python (and tested); the
# template only places the shapes. Every chart has a <title> and <desc>, and its numbers are also
# in a table beside it for screen readers and for reading exact values.
@dataclass(frozen=True)
class Rect:
    x: float
    y: float
    width: float
    height: float
    fill: str
    title: str


@dataclass(frozen=True)
class Label:
    x: float
    y: float
    text: str
    anchor: str = "middle"


@dataclass
class Chart:
    width: int
    height: int
    title: str
    desc: str
    rects: list[Rect]
    labels: list[Label]
    gridlines: list[tuple[float, str]]  # (y, label)


def _day(value: date) -> str:
    return date_format(value, "M j")


def _nice_ceiling(value: int) -> int:
    """The axis top: 1, 2, 5, 10, 20, 50... at or above `value`."""
    step = 1
    while True:
        for multiple in (1, 2, 5):
            if step * multiple >= value:
                return step * multiple
        step *= 10


def flags_per_day_chart(days: list[DayCounts], *, width: int = 640, height: int = 200) -> Chart:
    left, bottom, top = 36, 22, 8
    plot_height = height - bottom - top
    axis_top = _nice_ceiling(max((day.total for day in days), default=0) or 1)
    slot = (width - left) / max(len(days), 1)
    bar = max(slot * 0.7, 1)
    rects, labels = [], []
    for index, day in enumerate(days):
        x = left + index * slot + (slot - bar) / 2
        y = top + plot_height
        for priority, _name, label, colour in LEVELS:
            count = day.by_priority.get(priority, 0)
            if not count:
                continue
            bar_height = plot_height * count / axis_top
            y -= bar_height
            rects.append(
                Rect(round(x, 1), round(y, 1), round(bar, 1), round(bar_height, 1), colour, f"{_day(day.day)}: {count} {label}")
            )
        # A date under every seventh bar, ending on today.
        if (len(days) - 1 - index) % 7 == 0:
            labels.append(Label(round(x + bar / 2, 1), height - 6, _day(day.day)))
    gridlines = [(round(top + plot_height * (1 - fraction), 1), str(round(axis_top * fraction))) for fraction in (0, 0.5, 1)]
    total = sum(day.total for day in days)
    busiest = max(days, key=lambda day: day.total, default=None)
    desc = ngettext(
        "%(count)d flag in the last %(days)d days", "%(count)d flags in the last %(days)d days", total
    ) % {"count": total, "days": len(days)}
    if busiest is not None and busiest.total:
        desc += "; " + gettext_now("the busiest day was %(day)s with %(count)d") % {"day": _day(busiest.day), "count": busiest.total}
    return Chart(
        width=width, height=height, title=gettext_now("Flags per day, stacked by level"), desc=desc + ".",
        rects=rects, labels=labels, gridlines=gridlines,
    )


def share_within_limit_chart(windows: list[WindowFigures], *, width: int = 640) -> Chart:
    """One horizontal bar per level and window: the share handled within the level's limit."""
    row, left, right = 22, 170, 48
    plot_width = width - left - right
    rects, labels = [], []
    y = 4
    descriptions = []
    for priority, _name, label, colour in LEVELS:
        for window in windows:
            level = next(level for level in window.levels if level.priority == priority)
            percent = level.share_percent
            caption = gettext_now("%(level)s, %(days)d days") % {"level": label, "days": window.days}
            labels.append(Label(left - 6, y + row * 0.65, caption, anchor="end"))
            if percent is None:
                labels.append(Label(left + 4, y + row * 0.65, gettext_now("nothing decided yet"), anchor="start"))
            else:
                bar_width = max(plot_width * percent / 100, 1)
                rects.append(
                    Rect(left, y + 3, round(bar_width, 1), row - 8, colour, f"{caption}: {percent}% " + gettext_now("within the limit"))
                )
                labels.append(Label(round(left + bar_width + 4, 1), y + row * 0.65, f"{percent}%", anchor="start"))
            descriptions.append(f"{caption}: " + (gettext_now("nothing decided yet") if percent is None else f"{percent}%"))
        y += row * len(windows) + 6
    return Chart(
        width=width, height=round(y), title=gettext_now("Share handled within the time limit"),
        desc="; ".join(descriptions) + ".", rects=rects, labels=labels, gridlines=[],
    )
