"""The live room's page (its client is groups/static/groups/room.js) and a member's check-in trend.

The room itself speaks over /ws/sessions/<id>/ (groups/consumers.py, docs/room-protocol.md); this
page only draws the shell the client fills, or says when the room opens.
"""
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from groups.check_in_trend import check_in_chart_svg, check_in_trend_for_member
from groups.selectors import GroupContext
from groups.services.rooms import LEADING_ROLES, ROLE_MEMBER, SLOW_MODE_MAX_SECONDS, check_in_summary, room_role
from groups.session_models import ROOM_MESSAGE_MAX_LENGTH, ROOM_OPENS_BEFORE, CheckIn, GroupSession
from groups.views import _context, forum_access
from moderation.models import Report

EXTEND_BY_MINUTES = 15


def _client_texts() -> dict[str, str]:
    """Everything room.js writes on the page, translated here. `{name}` parts are filled in by the client."""
    return {
        "connecting": _("Connecting to the room…"),
        "connected": _("Connected."),
        "reconnecting": _("The connection dropped. Trying again in {seconds} s…"),
        "reconnected": _("Reconnected."),
        "offline": _("You are offline. Your messages wait here and go out when you are back."),
        "not_connected": _("Not connected right now; please try again in a moment."),
        "waiting_for_facilitator": _("Waiting for the facilitator"),
        "muted": _("The facilitator muted you"),
        "locked": _("The room is locked"),
        "restricted": _("A moderator has paused your posting for now"),
        "read_only_suffix": _("You can still read along."),
        "facilitator_here": _("The facilitator is here."),
        "slow_mode": _("Slow mode: one message every {seconds} seconds."),
        "ends_at": _("Ends at {time}."),
        "sending": _("sending…"),
        "not_sent": _("not sent"),
        "retry": _("Try again"),
        "retry_in": _("You can try again in {seconds} s."),
        "too_fast": _("That was a lot at once. Waiting {seconds} s before sending again."),
        "empty": _("Write something before sending."),
        "too_long": _("Messages are at most {max} characters."),
        "you": _("you"),
        "role_facilitator": _("facilitator"),
        "role_moderator": _("moderator"),
        "muted_tag": _("muted"),
        "hidden": _("Hidden by a moderator."),
        "report": _("Report"),
        "report_message": _("Report the message from {name}"),
        "pin": _("Pin"),
        "unpin": _("Unpin"),
        "mute": _("Mute {name}"),
        "unmute": _("Unmute {name}"),
        "remove": _("Remove {name}"),
        "confirm_remove": _("Remove {name} from this session? They cannot come back in."),
        "confirm_end": _("End the session for everyone now?"),
        "nobody_here": _("Nobody else is here yet."),
        "round_now": _("{name} is invited to share."),
        "round_your_turn": _("It's your turn. Share if you like, or pass."),
        "round_next_up": _("Next: {names}"),
        "pass": _("Pass"),
        "checked_in": _("Thank you for checking in."),
        "checked_out": _("Thank you for checking out."),
        "summary_none": _("No answers yet."),
        "summary_line": _("{count} answered · can feel {feel} · connected {connected}"),
        "trend": _("See your check-ins over time"),
    }


def _room_closed_reason(session: GroupSession, now) -> str:
    status = session.status_at(now)
    if status == GroupSession.Status.CANCELLED:
        return "cancelled"
    if status == GroupSession.Status.ENDED:
        return "over"
    return "not_yet"


@forum_access
@require_GET
def session_room(request: HttpRequest, ctx: GroupContext, session_id: int) -> HttpResponse:
    session = get_object_or_404(GroupSession, pk=session_id, group=ctx.group)
    now = timezone.now()
    # The same rule the socket applies (groups/services/rooms.py), so the page and the room agree.
    role = room_role(session=session, user=request.user) or ROLE_MEMBER
    leading = role in LEADING_ROLES
    room_open = session.room_is_open(now)
    context = _context(
        ctx,
        session=session,
        room_open=room_open,
        closed_reason=None if room_open else _room_closed_reason(session, now),
        opens_before_minutes=int(ROOM_OPENS_BEFORE.total_seconds() // 60),
        role=role,
        leading=leading,
    )
    if room_open:
        context.update(
            socket_path=f"/ws/sessions/{session.pk}/",
            message_max_length=ROOM_MESSAGE_MAX_LENGTH,
            feeling_words=CheckIn.FEELING_WORDS,
            report_reasons=Report.Reason.choices,
            client_texts=_client_texts(),
            slow_mode_max=SLOW_MODE_MAX_SECONDS,
            extend_by=EXTEND_BY_MINUTES,
            # Facilitators see the room's averages at once; the socket keeps them current.
            summaries=[check_in_summary(session=session, phase=phase) for phase in CheckIn.Phase.values] if leading else [],
        )
    return render(request, "groups/session_room.html", context)


@login_required
@require_GET
def check_in_trend(request: HttpRequest) -> HttpResponse:
    # Always the signed-in member's own: there is no id in the address to change.
    points = check_in_trend_for_member(user=request.user)
    return render(
        request,
        "groups/check_in_trend.html",
        {"points": points, "chart": check_in_chart_svg(points) if points else None},
    )
