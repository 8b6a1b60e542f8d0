"""Scheduled sessions: one-off and recurring, RSVPs and waiting lists, reminders, calendar files.

The live room itself is groups/services/rooms.py. Times are stored in UTC; a series keeps its
wall-clock time in its own time zone, and every page shows times in the viewer's time zone.
"""
import logging
import math
from collections.abc import Iterable
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import icalendar
from dateutil import rrule
from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.mail import send_mail
from django.db import IntegrityError, transaction
from django.db.models import Exists, OuterRef
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _

from accounts.models import Notification, validate_time_zone
from accounts.notifications import notification_create
from groups.models import (
    CalendarFeed,
    GroupSession,
    Membership,
    Rsvp,
    SessionReminder,
    SessionSeries,
    SupportGroup,
)
from groups.selectors import rsvp_list_for_calendar_feed
from groups.session_models import DEFAULT_CAPACITY
from platform_site.realtime import publish_on_commit, session_group_name

logger = logging.getLogger(__name__)

TITLE_MAX_LENGTH = GroupSession._meta.get_field("title").max_length
AGENDA_MAX_LENGTH = GroupSession._meta.get_field("agenda").max_length
MIN_DURATION_MINUTES = 15
MAX_DURATION_MINUTES = 240
MAX_CAPACITY = 50
MAX_OCCURRENCES = 52
# A session can be planned this far ahead; further out, plans (and time-zone rules) change.
SCHEDULE_HORIZON = timedelta(days=2 * 365)

REMINDER_LEADS = {
    SessionReminder.Kind.DAY_BEFORE: timedelta(hours=24),
    SessionReminder.Kind.SHORTLY_BEFORE: timedelta(minutes=15),
}

# Calendar feeds show a little of the past, so a session just held doesn't vanish at once.
FEED_PAST = timedelta(days=30)

_WEEKDAYS = (rrule.MO, rrule.TU, rrule.WE, rrule.TH, rrule.FR, rrule.SA, rrule.SU)
_OPEN_RSVP = (Rsvp.Status.GOING, Rsvp.Status.WAITING)


# ----------------------------------------------------------------------------- validation


def _clean_fields(*, title: str, agenda: str, duration_minutes: int, capacity: int) -> tuple[str, str]:
    title = " ".join((title or "").split())
    agenda = (agenda or "").strip()
    errors = {}
    if not title:
        errors["title"] = _("Please give the session a title.")
    elif len(title) > TITLE_MAX_LENGTH:
        errors["title"] = _("Titles are at most %(max)d characters.") % {"max": TITLE_MAX_LENGTH}
    if len(agenda) > AGENDA_MAX_LENGTH:
        errors["agenda"] = _("The agenda is at most %(max)d characters.") % {"max": AGENDA_MAX_LENGTH}
    if not MIN_DURATION_MINUTES <= duration_minutes <= MAX_DURATION_MINUTES:
        errors["duration_minutes"] = _("A session lasts between %(low)d and %(high)d minutes.") % {
            "low": MIN_DURATION_MINUTES, "high": MAX_DURATION_MINUTES,
        }
    if not 1 <= capacity <= MAX_CAPACITY:
        errors["capacity"] = _("A session has between 1 and %(max)d places.") % {"max": MAX_CAPACITY}
    if errors:
        raise ValidationError(errors)
    return title, agenda


def _clean_start(starts_at: datetime, *, field: str = "starts_at") -> datetime:
    if timezone.is_naive(starts_at):
        # A naive time means a caller forgot whose clock it is; guessing would move sessions.
        raise ValueError("starts_at must be time-zone aware")
    now = timezone.now()
    if starts_at <= now:
        raise ValidationError({field: _("Choose a time in the future.")})
    if starts_at > now + SCHEDULE_HORIZON:
        raise ValidationError({field: _("Sessions can be planned up to two years ahead.")})
    return starts_at.astimezone(UTC)


def _clean_facilitators(group: SupportGroup, facilitators: Iterable) -> list:
    facilitators = list(facilitators)
    ids = {user.pk for user in facilitators}
    allowed = set(
        Membership.objects.filter(
            group=group, user_id__in=ids, status=Membership.Status.ACTIVE, role=Membership.Role.FACILITATOR
        ).values_list("user_id", flat=True)
    )
    if ids - allowed:
        raise ValidationError({"facilitators": _("Session facilitators must be facilitators of this group.")})
    return facilitators


def _check_open(session: GroupSession, now: datetime | None = None) -> None:
    if session.status == GroupSession.Status.CANCELLED:
        raise ValidationError(_("This session was cancelled."))
    if session.status_at(now) != GroupSession.Status.SCHEDULED:
        raise ValidationError(_("This session has already started or ended."))


# ----------------------------------------------------------------------------- telling members


def member_local_time(user, moment: datetime) -> str:
    """`moment` as the member reads it: their own time zone, named, so nobody converts by hand."""
    zone_name = getattr(getattr(user, "profile", None), "time_zone", None) or "UTC"
    try:
        zone = ZoneInfo(zone_name)
    except (ValueError, KeyError):
        zone_name, zone = "UTC", ZoneInfo("UTC")
    return f"{date_format(timezone.localtime(moment, zone), 'l j F, H:i')} ({zone_name})"


def _when(session: GroupSession, user) -> str:
    return member_local_time(user, session.starts_at)


def _session_label(session: GroupSession) -> str:
    return _("“%(title)s” in %(group)s") % {"title": session.title, "group": session.group.name}


def _wants_email(user) -> bool:
    # No separate "e-mail me" setting exists: the digest switch is the member's one answer to
    # "may Thaw e-mail me?", so time-sensitive news follows it too.
    profile = getattr(user, "profile", None)
    return bool(profile and profile.email_digest and user.is_active and user.email)


def _email_now(notification: Notification, *, subject: str, link: str) -> None:
    """Send one notice at once and mark it e-mailed, so the daily digest doesn't repeat it.

    A failed send is logged (ids only) and left unmarked: the digest then carries it later.
    """
    context = {
        "email_message": notification.email_message,
        "link": link,
        "site_domain": settings.SITE_DOMAIN,
        "protocol": settings.ACCOUNT_DEFAULT_HTTP_PROTOCOL,
        "help_path": reverse("resources:crisis"),
    }
    try:
        send_mail(
            subject=f"[Thaw] {subject}",
            message=render_to_string("groups/email/session_notice.txt", context),
            from_email=None,
            recipient_list=[notification.recipient.email],
        )
    except Exception:
        logger.warning("session e-mail for notification %s not sent; the digest will carry it", notification.pk)
        return
    Notification.objects.filter(pk=notification.pk).update(emailed_at=timezone.now())


def _absolute(path: str) -> str:
    return f"{settings.ACCOUNT_DEFAULT_HTTP_PROTOCOL}://{settings.SITE_DOMAIN}{path}"


def _notify(
    user, *, session: GroupSession, verb: str, message: str, private_email_message: str,
    email_subject: str | None = None,
) -> Notification:
    """An in-app notification; with `email_subject`, also an e-mail now for members who want e-mail.

    Outside the site a private group's session is never named: not its group, not its title, and
    the e-mail links to the notifications page rather than to an address that carries the group's slug.
    """
    group = session.group
    email_message = private_email_message if group.is_private else message
    notification = notification_create(
        recipient=user, verb=verb, message=message, email_message=email_message, url=session.get_absolute_url()
    )
    if email_subject is not None and _wants_email(user):
        link = _absolute(reverse("accounts:notifications") if group.is_private else session.get_absolute_url())
        subject = _("About a session") if group.is_private else email_subject
        transaction.on_commit(lambda: _email_now(notification, subject=subject, link=link))
    return notification


# ----------------------------------------------------------------------------- creating sessions


def session_create(
    *, group: SupportGroup, created_by, title: str, agenda: str = "", starts_at: datetime,
    duration_minutes: int = 60, capacity: int = DEFAULT_CAPACITY, facilitators: Iterable = (),
) -> GroupSession:
    """One session of `group`. Who may create it (the group's facilitators) is checked by the caller."""
    title, agenda = _clean_fields(title=title, agenda=agenda, duration_minutes=duration_minutes, capacity=capacity)
    starts_at = _clean_start(starts_at)
    facilitators = _clean_facilitators(group, facilitators)
    with transaction.atomic():
        session = GroupSession(
            group=group, title=title, agenda=agenda, starts_at=starts_at, duration_minutes=duration_minutes,
            capacity=capacity, created_by=created_by,
        )
        session.save()
        session.facilitators.set(facilitators)
    return session


def series_occurrence_starts(*, first_start: datetime, time_zone: str, frequency: str, occurrences: int) -> list[datetime]:
    """The UTC starts of a series, made by dateutil's rrule on the series' own wall clock.

    The rule runs on naive local times, so "19:00 in Berlin" stays 19:00 on both sides of a
    daylight-saving change; each time is then placed in the zone and stored in UTC.
    """
    zone = ZoneInfo(time_zone)
    wall = timezone.localtime(first_start, zone).replace(tzinfo=None)
    if frequency == SessionSeries.Frequency.WEEKLY:
        rule = rrule.rrule(rrule.WEEKLY, dtstart=wall, count=occurrences)
    elif frequency == SessionSeries.Frequency.BIWEEKLY:
        rule = rrule.rrule(rrule.WEEKLY, interval=2, dtstart=wall, count=occurrences)
    elif frequency == SessionSeries.Frequency.MONTHLY_WEEKDAY:
        nth = (wall.day - 1) // 7 + 1
        # A fifth weekday is always its month's last; "last" keeps the series monthly instead of
        # skipping every month that has only four.
        if nth == 5:
            nth = -1
        rule = rrule.rrule(rrule.MONTHLY, byweekday=_WEEKDAYS[wall.weekday()](nth), dtstart=wall, count=occurrences)
    else:
        raise ValidationError({"frequency": _("Choose how often the session repeats.")})
    # fold=0: a wall time that happens twice (autumn) is its first, a skipped one (spring) moves
    # on by the gap; either way the UTC instant is well defined.
    return [local.replace(tzinfo=zone).astimezone(UTC) for local in rule]


def series_create(
    *, group: SupportGroup, created_by, title: str, agenda: str = "", first_start: datetime,
    duration_minutes: int = 60, capacity: int = DEFAULT_CAPACITY, facilitators: Iterable = (), frequency: str,
    occurrences: int, time_zone: str,
) -> SessionSeries:
    """A recurring session and all its occurrences, each a GroupSession with its `series_slot`."""
    title, agenda = _clean_fields(title=title, agenda=agenda, duration_minutes=duration_minutes, capacity=capacity)
    first_start = _clean_start(first_start, field="first_start")
    validate_time_zone(time_zone)
    if frequency not in SessionSeries.Frequency.values:
        raise ValidationError({"frequency": _("Choose how often the session repeats.")})
    if not 1 <= occurrences <= MAX_OCCURRENCES:
        raise ValidationError({"occurrences": _("A series has between 1 and %(max)d sessions.") % {"max": MAX_OCCURRENCES}})
    facilitators = _clean_facilitators(group, facilitators)
    starts = series_occurrence_starts(
        first_start=first_start, time_zone=time_zone, frequency=frequency, occurrences=occurrences
    )
    if starts[-1] > timezone.now() + SCHEDULE_HORIZON:
        raise ValidationError({"occurrences": _("Sessions can be planned up to two years ahead: choose fewer sessions.")})
    with transaction.atomic():
        series = SessionSeries(
            group=group, title=title, agenda=agenda, first_start=starts[0], time_zone=time_zone,
            duration_minutes=duration_minutes, capacity=capacity, frequency=frequency, occurrences=occurrences,
            created_by=created_by,
        )
        series.save()
        sessions = GroupSession.objects.bulk_create(
            GroupSession(
                group=group, series=series, series_slot=start, title=title, agenda=agenda, starts_at=start,
                duration_minutes=duration_minutes, capacity=capacity, created_by=created_by,
            )
            for start in starts
        )
        GroupSession.facilitators.through.objects.bulk_create(
            GroupSession.facilitators.through(groupsession_id=session.pk, user_id=user.pk)
            for session in sessions
            for user in facilitators
        )
    return series


# ----------------------------------------------------------------------------- changing one session


def _lock_session(session: GroupSession) -> GroupSession:
    # Serialises RSVPs against the capacity (a no-op lock on SQLite, whose writes are serial).
    return GroupSession.objects.select_for_update().select_related("group").get(pk=session.pk)


def _promote_from_waiting_list(session: GroupSession) -> list[Rsvp]:
    """Give free places to the waiting list, first asked first served, and tell each person.

    Call inside a transaction, with the session locked.
    """
    promoted = []
    if session.status_at() != GroupSession.Status.SCHEDULED:
        return promoted
    active_here = Membership.objects.filter(
        group_id=session.group_id, user=OuterRef("user"), status=Membership.Status.ACTIVE
    )
    free = session.capacity - session.rsvps.filter(status=Rsvp.Status.GOING).count()
    if free <= 0:
        return promoted
    waiting = (
        session.rsvps.filter(status=Rsvp.Status.WAITING)
        .filter(Exists(active_here))
        .select_related("user__profile")
        .order_by("requested_at", "pk")[:free]
    )
    for rsvp in waiting:
        rsvp.status = Rsvp.Status.GOING
        rsvp.save(update_fields=["status", "updated_at"])
        _notify(
            rsvp.user, session=session, verb="session.place_opened",
            message=_("A place opened up: you are going to %(session)s on %(when)s.")
            % {"session": _session_label(session), "when": _when(session, rsvp.user)},
            private_email_message=_("A place opened up for you in a session on %(when)s.") % {"when": _when(session, rsvp.user)},
            email_subject=_("A place opened up for you"),
        )
        promoted.append(rsvp)
    return promoted


def session_update(
    *, session: GroupSession, updated_by, title: str | None = None, agenda: str | None = None,
    starts_at: datetime | None = None, duration_minutes: int | None = None, capacity: int | None = None,
    facilitators: Iterable | None = None,
) -> GroupSession:
    """Change one session (one occurrence of a series keeps its `series_slot`). None leaves a field as it is.

    A new time is told to everyone going or waiting and resets the reminders, so they come again
    before the new time; more places go to the waiting list at once. Fewer places never take a
    place away from someone already going: the list just stops moving until there is room.
    """
    with transaction.atomic():
        session = _lock_session(session)
        _check_open(session)
        new_title, new_agenda = _clean_fields(
            title=session.title if title is None else title,
            agenda=session.agenda if agenda is None else agenda,
            duration_minutes=session.duration_minutes if duration_minutes is None else duration_minutes,
            capacity=session.capacity if capacity is None else capacity,
        )
        moved = starts_at is not None and starts_at != session.starts_at
        session.title, session.agenda = new_title, new_agenda
        if moved:
            session.starts_at = _clean_start(starts_at)
        if duration_minutes is not None:
            session.duration_minutes = duration_minutes
        if capacity is not None:
            session.capacity = capacity
        session.save(update_fields=["title", "agenda", "starts_at", "duration_minutes", "capacity"])
        if facilitators is not None:
            session.facilitators.set(_clean_facilitators(session.group, facilitators))
        if moved:
            SessionReminder.objects.filter(session=session).delete()
            for rsvp in _open_rsvps(session).exclude(user=updated_by):
                _notify(
                    rsvp.user, session=session, verb="session.moved",
                    message=_("New time: %(session)s is now on %(when)s.")
                    % {"session": _session_label(session), "when": _when(session, rsvp.user)},
                    private_email_message=_("A session you signed up for has a new time: %(when)s.")
                    % {"when": _when(session, rsvp.user)},
                    email_subject=_("A session has a new time"),
                )
        _promote_from_waiting_list(session)
    return session


def _open_rsvps(session: GroupSession):
    return session.rsvps.filter(status__in=_OPEN_RSVP).select_related("user__profile")


def session_cancel(*, session: GroupSession, cancelled_by) -> GroupSession:
    """Cancel one session and tell everyone going or waiting. Cancelling twice changes nothing.

    RSVPs are kept, so members' calendar feeds show the session as cancelled instead of just
    dropping it.
    """
    with transaction.atomic():
        session = _lock_session(session)
        if session.status == GroupSession.Status.CANCELLED:
            return session
        _check_open(session)
        session.status = GroupSession.Status.CANCELLED
        session.cancelled_at = timezone.now()
        session.save(update_fields=["status", "cancelled_at"])
        for rsvp in _open_rsvps(session).exclude(user=cancelled_by):
            _notify(
                rsvp.user, session=session, verb="session.cancelled",
                message=_("Cancelled: %(session)s on %(when)s will not take place.")
                % {"session": _session_label(session), "when": _when(session, rsvp.user)},
                private_email_message=_("A session you signed up for, on %(when)s, was cancelled.")
                % {"when": _when(session, rsvp.user)},
                email_subject=_("A session was cancelled"),
            )
        # The room may already be open (10 minutes before the start): anyone in it is told and let go.
        publish_on_commit(
            session_group_name(session.pk),
            {"type": "room.ended", "detail": _("The facilitator cancelled this session.")},
        )
    return session


# ----------------------------------------------------------------------------- RSVPs


def rsvp_create(*, session: GroupSession, user) -> Rsvp:
    """Ask for a place: going if one is free, else on the waiting list. Asking again changes nothing."""
    with transaction.atomic():
        session = _lock_session(session)
        if not Membership.objects.filter(group_id=session.group_id, user=user, status=Membership.Status.ACTIVE).exists():
            raise PermissionDenied(_("Only members of this group can sign up for its sessions."))
        _check_open(session)
        rsvp = Rsvp.objects.filter(session=session, user=user).first()
        if rsvp is not None and rsvp.status in _OPEN_RSVP:
            return rsvp
        going = session.rsvps.filter(status=Rsvp.Status.GOING).count()
        status = Rsvp.Status.GOING if going < session.capacity else Rsvp.Status.WAITING
        if rsvp is None:
            return Rsvp.objects.create(session=session, user=user, status=status)
        # Someone who cancelled and comes back queues behind those who asked meanwhile.
        rsvp.status, rsvp.requested_at = status, timezone.now()
        rsvp.save(update_fields=["status", "requested_at", "updated_at"])
    return rsvp


def rsvp_cancel(*, session: GroupSession, user) -> Rsvp | None:
    """Give up a place (or a place in the queue); the next person waiting gets it and is told."""
    with transaction.atomic():
        session = _lock_session(session)
        rsvp = Rsvp.objects.filter(session=session, user=user).first()
        if rsvp is None or rsvp.status not in _OPEN_RSVP:
            return rsvp
        was_going = rsvp.status == Rsvp.Status.GOING
        rsvp.status = Rsvp.Status.CANCELLED
        rsvp.save(update_fields=["status", "updated_at"])
        if was_going:
            _promote_from_waiting_list(session)
    return rsvp


def rsvps_cancel_for_departed_member(*, group: SupportGroup, user) -> int:
    """A member who leaves (or is removed from) a group gives up their places in its coming sessions.

    Call inside a transaction. Their places go to the waiting lists; they are not told, as the
    group's own notice already says they are no longer in it.
    """
    now = timezone.now()
    cancelled = 0
    rsvps = Rsvp.objects.filter(
        session__group=group, user=user, status__in=_OPEN_RSVP, session__status=GroupSession.Status.SCHEDULED,
        session__starts_at__gt=now,
    ).values_list("session_id", flat=True)
    for session in GroupSession.objects.filter(pk__in=list(rsvps)):
        rsvp_cancel(session=session, user=user)
        cancelled += 1
    return cancelled


# ----------------------------------------------------------------------------- reminders


def _reminder_texts(session: GroupSession, user, kind: str, now: datetime) -> tuple[str, str]:
    if kind == SessionReminder.Kind.SHORTLY_BEFORE:
        minutes = max(1, math.ceil((session.starts_at - now).total_seconds() / 60))
        message = _("%(session)s starts in %(minutes)d minutes. The room opens 10 minutes before the start.") % {
            "session": _session_label(session), "minutes": minutes,
        }
        private = _("You have a session starting in %(minutes)d minutes.") % {"minutes": minutes}
    else:
        message = _("Reminder: %(session)s is on %(when)s.") % {
            "session": _session_label(session), "when": _when(session, user),
        }
        private = _("You have a session on %(when)s.") % {"when": _when(session, user)}
    return message, private


def session_reminders_send(*, now: datetime | None = None) -> int:
    """Remind members going to a session 24 hours and 15 minutes before it. Returns reminders sent.

    Safe to run twice, at once or late: the SessionReminder row is inserted first, in its own
    transaction, and its unique constraint lets only one run send each (session, member, kind).
    A reminder whose moment has passed is not sent: the 24-hour one once the 15-minute one is
    due, the 15-minute one once the session has started.
    """
    now = now or timezone.now()
    sent = 0
    active_here = Membership.objects.filter(
        group_id=OuterRef("session__group_id"), user=OuterRef("user"), status=Membership.Status.ACTIVE
    )
    short_lead = REMINDER_LEADS[SessionReminder.Kind.SHORTLY_BEFORE]
    windows = {
        SessionReminder.Kind.DAY_BEFORE: (now + short_lead, now + REMINDER_LEADS[SessionReminder.Kind.DAY_BEFORE]),
        SessionReminder.Kind.SHORTLY_BEFORE: (now, now + short_lead),
    }
    for kind, (after, until) in windows.items():
        already = SessionReminder.objects.filter(session=OuterRef("session"), user=OuterRef("user"), kind=kind)
        due = (
            Rsvp.objects.filter(
                status=Rsvp.Status.GOING,
                session__status=GroupSession.Status.SCHEDULED,
                session__starts_at__gt=after,
                session__starts_at__lte=until,
                user__is_active=True,
            )
            .filter(Exists(active_here))
            .exclude(Exists(already))
            .select_related("session__group", "user__profile")
            .order_by("session__starts_at", "pk")
        )
        for rsvp in due:
            session = rsvp.session
            message, private = _reminder_texts(session, rsvp.user, kind, now)
            try:
                with transaction.atomic():
                    SessionReminder.objects.create(session=session, user=rsvp.user, kind=kind, sent_at=now)
                    _notify(
                        rsvp.user, session=session, verb=f"session.reminder_{kind}", message=message,
                        private_email_message=private, email_subject=_("Session reminder"),
                    )
            except IntegrityError:
                continue  # another run sent this one
            sent += 1
    logger.info("session reminders: %s sent", sent)
    return sent


# ----------------------------------------------------------------------------- calendars


def _calendar(name: str | None = None) -> icalendar.Calendar:
    calendar = icalendar.Calendar()
    calendar.add("prodid", "-//Thaw//Sessions//EN")
    calendar.add("version", "2.0")
    calendar.add("calscale", "GREGORIAN")
    calendar.add("method", "PUBLISH")
    if name:
        calendar.add("x-wr-calname", name)
    return calendar


def _event(session: GroupSession, *, stamp: datetime, rsvp_status: str | None = None) -> icalendar.Event:
    """One session as a VEVENT: its title, times in UTC and a link; never who else is coming.

    The agenda stays on the site (the link leads to it): calendars are synced to outside services.
    """
    url = _absolute(session.get_absolute_url())
    event = icalendar.Event()
    # Stable across edits and feed resets, so a calendar updates the event instead of adding a copy.
    event.add("uid", f"session-{session.pk}@{settings.SITE_DOMAIN}")
    event.add("dtstamp", stamp)
    event.add("dtstart", session.starts_at.astimezone(UTC))
    event.add("dtend", session.ends_at.astimezone(UTC))
    event.add("summary", session.title)
    event.add("url", url)
    event.add("description", _("Agenda and room: %(url)s") % {"url": url})
    if session.status == GroupSession.Status.CANCELLED:
        event.add("status", "CANCELLED")
    elif rsvp_status == Rsvp.Status.WAITING:
        event.add("status", "TENTATIVE")
    else:
        event.add("status", "CONFIRMED")
    return event


def session_ics(session: GroupSession) -> bytes:
    """One session as an .ics file to add to a calendar."""
    calendar = _calendar()
    calendar.add_component(_event(session, stamp=timezone.now()))
    return calendar.to_ical()


def calendar_feed_ics(user) -> bytes:
    """The member's personal feed: every session they have RSVP'd to."""
    calendar = _calendar(name=_("Thaw sessions"))
    stamp = timezone.now()
    for rsvp in rsvp_list_for_calendar_feed(user=user, since=stamp - FEED_PAST):
        calendar.add_component(_event(rsvp.session, stamp=stamp, rsvp_status=rsvp.status))
    return calendar.to_ical()


def calendar_feed_get_or_create(user) -> CalendarFeed:
    feed, _created = CalendarFeed.objects.get_or_create(user=user)
    return feed


def calendar_feed_reset(user) -> CalendarFeed:
    """A new secret address; the old one stops working at once (for a link that was shared by mistake)."""
    with transaction.atomic():
        feed = CalendarFeed.objects.select_for_update().filter(user=user).first()
        if feed is None:
            return CalendarFeed.objects.create(user=user)
        feed.token = CalendarFeed._meta.get_field("token").get_default()
        feed.created_at = timezone.now()
        feed.save(update_fields=["token", "created_at"])
    return feed
