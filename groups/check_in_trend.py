"""A member's own check-ins across sessions, and the small line chart of them.

Only ever read for the signed-in member themself (the page has no id in its address): check-ins
are private, and even facilitators see them only as a room's nameless averages.
"""
from dataclasses import dataclass
from datetime import datetime

from django.utils import formats, timezone
from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext as _

from groups.session_models import CheckIn

CHART_POINTS = 40  # the chart shows the latest check-ins; the table below it lists them all
SCALE_MAX = 10

# Drawing area of the SVG, in its own units; CSS scales the whole picture to the page width.
_WIDTH, _HEIGHT = 640, 260
_LEFT, _RIGHT, _TOP, _BOTTOM = 36, 16, 16, 36
_FEEL_COLOUR, _CONNECTED_COLOUR, _GRID_COLOUR, _TEXT_COLOUR = "#2f6b73", "#b35c00", "#d9d4cc", "#56636e"


@dataclass(frozen=True)
class TrendPoint:
    session_id: int
    session_title: str
    group_name: str
    session_starts_at: datetime
    phase: str
    phase_label: str
    feel: int
    connected: int
    words: tuple[str, ...]
    checked_in_at: datetime


def check_in_trend_for_member(*, user) -> list[TrendPoint]:
    """Every check-in and check-out of `user`, oldest first (by session, check-in before check-out)."""
    rows = (
        CheckIn.objects.filter(user=user)
        .select_related("session__group")
        .order_by("session__starts_at", "session_id", "phase", "created_at")
    )
    # "in" sorts before "out", so each session reads check-in, then check-out.
    return [
        TrendPoint(
            session_id=row.session_id,
            session_title=row.session.title,
            group_name=row.session.group.name,
            session_starts_at=row.session.starts_at,
            phase=row.phase,
            phase_label=str(row.get_phase_display()),
            feel=row.feel,
            connected=row.connected,
            words=tuple(row.words or ()),
            checked_in_at=row.created_at,
        )
        for row in rows
    ]


def _x(index: int, count: int) -> float:
    inner = _WIDTH - _LEFT - _RIGHT
    if count == 1:
        return _LEFT + inner / 2
    return _LEFT + inner * index / (count - 1)


def _y(value: int) -> float:
    inner = _HEIGHT - _TOP - _BOTTOM
    return _TOP + inner * (SCALE_MAX - value) / SCALE_MAX


def _line(points: list[TrendPoint], attribute: str, colour: str, dashed: bool) -> str:
    coordinates = " ".join(f"{_x(i, len(points)):.1f},{_y(getattr(p, attribute)):.1f}" for i, p in enumerate(points))
    dash = ' stroke-dasharray="6 4"' if dashed else ""
    return f'<polyline points="{coordinates}" fill="none" stroke="{colour}" stroke-width="2.5"{dash}/>'


def _markers(points: list[TrendPoint], attribute: str, colour: str, label: str) -> str:
    markers = []
    for i, point in enumerate(points):
        value = getattr(point, attribute)
        # A check-in is a filled dot, a check-out a ring: the two phases read apart without colour.
        fill = colour if point.phase == CheckIn.Phase.IN else "#ffffff"
        title = escape(f"{point.session_title} ({point.phase_label}): {label} {value}/{SCALE_MAX}")
        markers.append(
            f'<circle cx="{_x(i, len(points)):.1f}" cy="{_y(value):.1f}" r="5" fill="{fill}" stroke="{colour}" '
            f'stroke-width="2"><title>{title}</title></circle>'
        )
    return "".join(markers)


def check_in_chart_svg(points: list[TrendPoint]) -> SafeString:
    """A line chart of both scales over the latest check-ins, as inline SVG (no script, no styles).

    Every piece of text in it is escaped here; colours are presentation attributes, which the
    site's Content-Security-Policy allows (inline `style` it does not).
    """
    points = points[-CHART_POINTS:]
    feel_label = _("How much can you feel right now?")
    connected_label = _("How connected do you feel to others?")
    title = _("Your check-ins, oldest to newest")
    if points:
        description = _("%(count)d check-ins. Latest: feeling %(feel)d of 10, connected %(connected)d of 10.") % {
            "count": len(points), "feel": points[-1].feel, "connected": points[-1].connected,
        }
    else:
        description = _("No check-ins yet.")
    parts = [
        f'<svg class="trend-chart" viewBox="0 0 {_WIDTH} {_HEIGHT}" role="img" aria-labelledby="trend-title trend-desc" '
        f'xmlns="http://www.w3.org/2000/svg">',
        f'<title id="trend-title">{escape(title)}</title><desc id="trend-desc">{escape(description)}</desc>',
    ]
    for value in (0, 5, 10):
        y = _y(value)
        parts.append(f'<line x1="{_LEFT}" x2="{_WIDTH - _RIGHT}" y1="{y:.1f}" y2="{y:.1f}" stroke="{_GRID_COLOUR}" stroke-width="1"/>')
        parts.append(f'<text x="{_LEFT - 8}" y="{y + 5:.1f}" text-anchor="end" font-size="14" fill="{_TEXT_COLOUR}">{value}</text>')
    if points:
        parts.append(_line(points, "feel", _FEEL_COLOUR, dashed=False))
        parts.append(_line(points, "connected", _CONNECTED_COLOUR, dashed=True))
        parts.append(_markers(points, "feel", _FEEL_COLOUR, feel_label))
        parts.append(_markers(points, "connected", _CONNECTED_COLOUR, connected_label))
        first, last = points[0].checked_in_at, points[-1].checked_in_at
        parts.append(
            f'<text x="{_LEFT}" y="{_HEIGHT - 10}" font-size="14" fill="{_TEXT_COLOUR}">'
            f'{escape(_local_date(first))}</text>'
        )
        if len(points) > 1:
            parts.append(
                f'<text x="{_WIDTH - _RIGHT}" y="{_HEIGHT - 10}" text-anchor="end" font-size="14" fill="{_TEXT_COLOUR}">'
                f'{escape(_local_date(last))}</text>'
            )
    parts.append("</svg>")
    return mark_safe("".join(parts))  # noqa: S308 - built above from numbers and escaped text only


def _local_date(moment: datetime) -> str:
    """The date in the viewer's time zone (the middleware activated it), as the table shows it."""
    return formats.date_format(timezone.localtime(moment), "DATE_FORMAT")
