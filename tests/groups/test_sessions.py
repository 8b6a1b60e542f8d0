"""Scheduled sessions: series, per-occurrence changes, RSVPs and the waiting list, reminders,
calendar files and feeds, and how times and the room's window are shown."""
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import icalendar
import pytest
from django.conf import settings
from django.core import mail
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError
from django.urls import reverse
from django.utils import timezone

from accounts.models import Notification
from accounts.notifications import notification_digest_send
from groups import services
from groups.models import CalendarFeed, GroupSession, Membership, Rsvp, SessionReminder, SessionSeries
from groups.tasks import session_reminders_send_task
from platform_site.realtime import session_group_name
from tests.factories import UserFactory
from tests.groups.factories import GroupSessionFactory, MembershipFactory, RsvpFactory, SupportGroupFactory
from tests.groups.helpers import client_for, text_of

BERLIN = ZoneInfo("Europe/Berlin")


def _member(group, **profile):
    user = UserFactory()
    for name, value in profile.items():
        setattr(user.profile, name, value)
    if profile:
        user.profile.save()
    MembershipFactory(group=group, user=user)
    return user


def _verbs(user) -> list[str]:
    return list(Notification.objects.filter(recipient=user).values_list("verb", flat=True))


def _soon(**delta) -> datetime:
    return timezone.now().replace(second=0, microsecond=0) + timedelta(**delta)


def _status(session, user) -> str:
    return Rsvp.objects.get(session=session, user=user).status


# ----------------------------------------------------------------------------- series


def _local(starts: list[datetime], zone=BERLIN) -> list[str]:
    return [start.astimezone(zone).strftime("%a %Y-%m-%d %H:%M") for start in starts]


def test_a_weekly_series_keeps_its_local_time_across_the_change_to_summer_time():
    # Berlin moves its clocks forward on Sunday 31 March 2030.
    starts = services.series_occurrence_starts(
        first_start=datetime(2030, 3, 19, 19, 0, tzinfo=BERLIN), time_zone="Europe/Berlin",
        frequency=SessionSeries.Frequency.WEEKLY, occurrences=4,
    )

    assert _local(starts) == ["Tue 2030-03-19 19:00", "Tue 2030-03-26 19:00", "Tue 2030-04-02 19:00", "Tue 2030-04-09 19:00"]
    # Stored in UTC: the instant moves by the hour the clocks did.
    assert [start.astimezone(UTC).hour for start in starts] == [18, 18, 17, 17]
    assert all(start.tzinfo == UTC for start in starts)


def test_a_series_keeps_its_local_time_when_the_clocks_go_back_too():
    starts = services.series_occurrence_starts(
        first_start=datetime(2030, 10, 22, 18, 30, tzinfo=BERLIN), time_zone="Europe/Berlin",
        frequency=SessionSeries.Frequency.WEEKLY, occurrences=2,
    )

    assert _local(starts) == ["Tue 2030-10-22 18:30", "Tue 2030-10-29 18:30"]
    assert [start.astimezone(UTC).hour for start in starts] == [16, 17]


def test_every_two_weeks_means_fourteen_days_apart():
    starts = services.series_occurrence_starts(
        first_start=datetime(2030, 1, 7, 18, 0, tzinfo=UTC), time_zone="UTC",
        frequency=SessionSeries.Frequency.BIWEEKLY, occurrences=3,
    )

    assert _local(starts, UTC) == ["Mon 2030-01-07 18:00", "Mon 2030-01-21 18:00", "Mon 2030-02-04 18:00"]


def test_monthly_by_weekday_repeats_on_the_same_nth_weekday():
    # 8 January 2030 is the second Tuesday of its month.
    starts = services.series_occurrence_starts(
        first_start=datetime(2030, 1, 8, 19, 0, tzinfo=BERLIN), time_zone="Europe/Berlin",
        frequency=SessionSeries.Frequency.MONTHLY_WEEKDAY, occurrences=4,
    )

    assert _local(starts) == ["Tue 2030-01-08 19:00", "Tue 2030-02-12 19:00", "Tue 2030-03-12 19:00", "Tue 2030-04-09 19:00"]


def test_monthly_from_a_fifth_weekday_means_the_last_one_of_every_month():
    # 29 January 2030 is the fifth (and last) Tuesday; February has only four.
    starts = services.series_occurrence_starts(
        first_start=datetime(2030, 1, 29, 19, 0, tzinfo=UTC), time_zone="UTC",
        frequency=SessionSeries.Frequency.MONTHLY_WEEKDAY, occurrences=3,
    )

    assert _local(starts, UTC) == ["Tue 2030-01-29 19:00", "Tue 2030-02-26 19:00", "Tue 2030-03-26 19:00"]


def test_series_create_makes_one_session_per_occurrence_with_its_slot(group, group_facilitator):
    first = _soon(days=3).astimezone(BERLIN).replace(hour=19, minute=0)

    series = services.series_create(
        group=group, created_by=group_facilitator, title="  Tuesday   circle ", agenda="We begin with a round.",
        first_start=first, duration_minutes=90, capacity=6, facilitators=[group_facilitator],
        frequency=SessionSeries.Frequency.WEEKLY, occurrences=5, time_zone="Europe/Berlin",
    )

    sessions = list(series.sessions.order_by("starts_at"))
    assert len(sessions) == 5
    assert {s.title for s in sessions} == {"Tuesday circle"}
    assert all(s.series_slot == s.starts_at for s in sessions)
    assert {s.starts_at.astimezone(BERLIN).strftime("%H:%M") for s in sessions} == {"19:00"}
    assert {(s.duration_minutes, s.capacity, s.status) for s in sessions} == {(90, 6, GroupSession.Status.SCHEDULED)}
    assert all(list(s.facilitators.all()) == [group_facilitator] for s in sessions)


def test_sessions_are_planned_in_the_future_by_facilitators_of_the_group(group, group_facilitator, group_member):
    with pytest.raises(ValidationError):
        services.session_create(
            group=group, created_by=group_facilitator, title="Yesterday", starts_at=_soon(days=-1),
        )
    with pytest.raises(ValidationError):
        services.session_create(
            group=group, created_by=group_facilitator, title="Led by a member", starts_at=_soon(days=1),
            facilitators=[group_member],
        )
    with pytest.raises(ValidationError):
        services.session_create(group=group, created_by=group_facilitator, title="Too big", starts_at=_soon(days=1), capacity=500)


# ----------------------------------------------------------------------------- one occurrence


@pytest.fixture
def series(group, group_facilitator):
    return services.series_create(
        group=group, created_by=group_facilitator, title="Weekly circle", first_start=_soon(days=2),
        frequency=SessionSeries.Frequency.WEEKLY, occurrences=3, time_zone="UTC",
    )


def test_changing_one_occurrence_leaves_the_rest_of_its_series_alone(series, group_facilitator):
    first, second, third = series.sessions.order_by("starts_at")
    slot = second.series_slot
    new_start = second.starts_at + timedelta(hours=2)

    services.session_update(session=second, updated_by=group_facilitator, title="Moved circle", starts_at=new_start, capacity=4)

    second.refresh_from_db()
    assert (second.title, second.starts_at, second.capacity, second.series_slot) == ("Moved circle", new_start, 4, slot)
    assert {s.title for s in (first, third)} == {"Weekly circle"}
    assert GroupSession.objects.filter(series=series, title="Weekly circle").count() == 2


def test_a_new_time_is_told_to_those_signed_up_and_their_reminders_come_again(series, group, group_facilitator):
    session = series.sessions.order_by("starts_at").first()
    member = _member(group)
    services.rsvp_create(session=session, user=member)
    SessionReminder.objects.create(session=session, user=member, kind=SessionReminder.Kind.DAY_BEFORE)

    services.session_update(session=session, updated_by=group_facilitator, starts_at=session.starts_at + timedelta(days=1))

    assert _verbs(member) == ["session.moved"]
    assert not SessionReminder.objects.filter(session=session).exists()


def test_cancelling_one_occurrence_keeps_the_others(series, group_facilitator):
    first, second, third = series.sessions.order_by("starts_at")

    services.session_cancel(session=second, cancelled_by=group_facilitator)

    statuses = dict(GroupSession.objects.filter(series=series).values_list("pk", "status"))
    assert statuses == {first.pk: "scheduled", second.pk: "cancelled", third.pk: "scheduled"}
    with pytest.raises(ValidationError):
        services.session_update(session=second, updated_by=group_facilitator, title="Back again?")


def test_facilitator_edits_one_occurrence_through_the_page(series, group, group_facilitator, facilitator_client):
    session = series.sessions.order_by("starts_at").last()
    url = reverse("groups:session_edit", kwargs={"slug": group.slug, "session_id": session.pk})
    starts = session.starts_at + timedelta(hours=1)

    page = facilitator_client.get(url)
    response = facilitator_client.post(url, {
        "title": "Last one, a little later", "agenda": "Saying goodbye.", "starts_at": starts.strftime("%Y-%m-%dT%H:%M"),
        "duration_minutes": "75", "capacity": "10", "facilitators": [group_facilitator.pk],
    })

    assert "This changes only this session" in text_of(page)
    assert response.status_code == 302
    session.refresh_from_db()
    assert (session.title, session.starts_at, session.duration_minutes) == ("Last one, a little later", starts, 75)


def test_facilitator_plans_a_series_in_its_own_time_zone_through_the_page(group, facilitator_client):
    # The facilitator's own profile says UTC; the series is for Berlin evenings.
    first = _soon(days=5).astimezone(BERLIN).replace(hour=19, minute=0, tzinfo=None)

    response = facilitator_client.post(reverse("groups:series_new", kwargs={"slug": group.slug}), {
        "title": "Berlin evenings", "starts_at": first.strftime("%Y-%m-%dT%H:%M"), "time_zone": "Europe/Berlin",
        "frequency": "biweekly", "occurrences": "3", "duration_minutes": "60", "capacity": "12",
    })

    assert response.status_code == 302
    sessions = GroupSession.objects.filter(group=group, title="Berlin evenings").order_by("starts_at")
    assert [s.starts_at.astimezone(BERLIN).strftime("%H:%M") for s in sessions] == ["19:00"] * 3
    assert sessions[1].starts_at - sessions[0].starts_at in (timedelta(days=14), timedelta(days=14, hours=1), timedelta(days=14, hours=-1))


# ----------------------------------------------------------------------------- RSVPs


def test_a_full_session_has_a_waiting_list_and_a_freed_place_goes_to_the_first_in_it(group):
    session = GroupSessionFactory(group=group, capacity=2)
    first, second, third, fourth = (_member(group) for _ in range(4))

    answers = [services.rsvp_create(session=session, user=user).status for user in (first, second, third, fourth)]
    again = services.rsvp_create(session=session, user=third)

    assert answers == ["going", "going", "waiting", "waiting"]
    assert again.status == "waiting" and Rsvp.objects.filter(session=session, user=third).count() == 1

    services.rsvp_cancel(session=session, user=first)

    assert [_status(session, user) for user in (first, second, third, fourth)] == ["cancelled", "going", "going", "waiting"]
    assert _verbs(third) == ["session.place_opened"]
    assert _verbs(fourth) == []


def test_leaving_the_waiting_list_promotes_nobody(group):
    session = GroupSessionFactory(group=group, capacity=1)
    going, waiting, behind = (_member(group) for _ in range(3))
    for user in (going, waiting, behind):
        services.rsvp_create(session=session, user=user)

    services.rsvp_cancel(session=session, user=waiting)

    assert [_status(session, u) for u in (going, waiting, behind)] == ["going", "cancelled", "waiting"]


def test_raising_the_capacity_gives_the_new_places_to_the_waiting_list(group, group_facilitator):
    session = GroupSessionFactory(group=group, capacity=1)
    going, first_waiting, second_waiting, third_waiting = (_member(group) for _ in range(4))
    for user in (going, first_waiting, second_waiting, third_waiting):
        services.rsvp_create(session=session, user=user)

    services.session_update(session=session, updated_by=group_facilitator, capacity=3)

    assert [_status(session, u) for u in (first_waiting, second_waiting, third_waiting)] == ["going", "going", "waiting"]
    assert _verbs(first_waiting) == _verbs(second_waiting) == ["session.place_opened"]


def test_lowering_the_capacity_takes_no_place_away(group, group_facilitator):
    session = GroupSessionFactory(group=group, capacity=3)
    people = [_member(group) for _ in range(3)]
    for user in people:
        services.rsvp_create(session=session, user=user)

    services.session_update(session=session, updated_by=group_facilitator, capacity=1)

    assert {_status(session, u) for u in people} == {"going"}
    assert services.rsvp_create(session=session, user=_member(group)).status == "waiting"


def test_only_active_members_can_sign_up(group):
    session = GroupSessionFactory(group=group)
    outsider, moderator = UserFactory(), UserFactory(is_moderator=True)
    left = UserFactory()
    MembershipFactory(group=group, user=left, status=Membership.Status.LEFT)

    for user in (outsider, moderator, left):
        with pytest.raises(PermissionDenied):
            services.rsvp_create(session=session, user=user)
    assert not Rsvp.objects.exists()


def test_outsider_cannot_sign_up_through_the_page(group):
    session = GroupSessionFactory(group=group)
    url = reverse("groups:session_rsvp", kwargs={"slug": group.slug, "session_id": session.pk})

    assert client_for(UserFactory()).post(url).status_code == 403
    assert not Rsvp.objects.exists()


def test_nobody_signs_up_for_a_cancelled_or_finished_session(group):
    member = _member(group)
    cancelled = GroupSessionFactory(group=group, status=GroupSession.Status.CANCELLED)
    over = GroupSessionFactory(group=group, starts_at=_soon(hours=-3))

    for session in (cancelled, over):
        with pytest.raises(ValidationError):
            services.rsvp_create(session=session, user=member)


def test_a_member_who_leaves_the_group_gives_up_their_place(group):
    session = GroupSessionFactory(group=group, capacity=1)
    leaving, waiting = _member(group), _member(group)
    services.rsvp_create(session=session, user=leaving)
    services.rsvp_create(session=session, user=waiting)

    services.membership_leave(membership=Membership.objects.get(group=group, user=leaving))

    assert (_status(session, leaving), _status(session, waiting)) == ("cancelled", "going")


def test_waiting_list_position_and_places_left_are_shown(group):
    session = GroupSessionFactory(group=group, capacity=1)
    going, first, second = (_member(group) for _ in range(3))
    for user in (going, first, second):
        services.rsvp_create(session=session, user=user)

    page = text_of(client_for(second).get(session.get_absolute_url()))

    assert "0 of 1 places left." in page
    assert "You're on the waiting list, number 2." in page


def test_rsvp_and_cancel_through_the_page(group, group_member, member_client):
    session = GroupSessionFactory(group=group)
    kwargs = {"slug": group.slug, "session_id": session.pk}

    member_client.post(reverse("groups:session_rsvp", kwargs=kwargs))
    assert _status(session, group_member) == "going"
    member_client.post(reverse("groups:session_rsvp_cancel", kwargs=kwargs))
    assert _status(session, group_member) == "cancelled"


# ----------------------------------------------------------------------------- cancelling


def test_cancelling_a_session_tells_everyone_going_or_waiting(group, group_facilitator, listen, django_capture_on_commit_callbacks):
    session = GroupSessionFactory(group=group, capacity=1)
    going, waiting, gave_up = (_member(group) for _ in range(3))
    for user in (going, waiting, gave_up):
        services.rsvp_create(session=session, user=user)
    services.rsvp_cancel(session=session, user=gave_up)
    Notification.objects.all().delete()

    with listen(session_group_name(session.pk)) as room:
        with django_capture_on_commit_callbacks(execute=True):
            services.session_cancel(session=session, cancelled_by=group_facilitator)
        event = room.receive()

    session.refresh_from_db()
    assert session.status == GroupSession.Status.CANCELLED and session.cancelled_at is not None
    assert _verbs(going) == _verbs(waiting) == ["session.cancelled"]
    assert _verbs(gave_up) == [] and _verbs(group_facilitator) == []
    # Anyone already in the open room is let go.
    assert event["type"] == "room.ended"


def test_cancelling_twice_tells_nobody_twice(group, group_facilitator):
    session = GroupSessionFactory(group=group)
    member = _member(group)
    services.rsvp_create(session=session, user=member)

    services.session_cancel(session=session, cancelled_by=group_facilitator)
    services.session_cancel(session=session, cancelled_by=group_facilitator)

    assert _verbs(member) == ["session.cancelled"]


def test_facilitator_cancels_through_the_page_members_cannot(group, facilitator_client, member_client):
    session = GroupSessionFactory(group=group)
    url = reverse("groups:session_cancel", kwargs={"slug": group.slug, "session_id": session.pk})

    assert member_client.post(url).status_code == 403
    assert facilitator_client.post(url).status_code == 302
    session.refresh_from_db()
    assert session.status == GroupSession.Status.CANCELLED


# ----------------------------------------------------------------------------- reminders


def test_each_reminder_is_sent_once_even_when_the_job_runs_twice(group):
    session = GroupSessionFactory(group=group, starts_at=_soon(hours=10))
    going, waiting = _member(group), _member(group)
    RsvpFactory(session=session, user=going)
    RsvpFactory(session=session, user=waiting, status=Rsvp.Status.WAITING)

    assert services.session_reminders_send() == 1
    assert services.session_reminders_send() == 0
    assert _verbs(going) == ["session.reminder_24h"] and _verbs(waiting) == []

    # Later, 12 minutes before the start: the second reminder, once.
    near = session.starts_at - timedelta(minutes=12)
    assert services.session_reminders_send(now=near) == 1
    assert services.session_reminders_send(now=near + timedelta(minutes=1)) == 0
    assert sorted(_verbs(going)) == ["session.reminder_15m", "session.reminder_24h"]
    assert SessionReminder.objects.filter(session=session, user=going).count() == 2


def test_a_run_that_lost_the_race_sends_nothing(group, monkeypatch):
    session = GroupSessionFactory(group=group, starts_at=_soon(hours=3))
    member = _member(group)
    RsvpFactory(session=session, user=member)
    texts = services.sessions._reminder_texts

    def another_run_got_there_first(session, user, kind, now):
        # The other run inserts its row between this run's query and its own insert.
        SessionReminder.objects.create(session=session, user=user, kind=kind)
        return texts(session, user, kind, now)

    monkeypatch.setattr(services.sessions, "_reminder_texts", another_run_got_there_first)

    assert services.session_reminders_send() == 0
    assert _verbs(member) == []
    with pytest.raises(IntegrityError):
        SessionReminder.objects.create(session=session, user=member, kind=SessionReminder.Kind.DAY_BEFORE)


def test_no_reminder_for_cancelled_or_ended_sessions_or_for_members_who_left(group):
    cancelled = GroupSessionFactory(group=group, starts_at=_soon(hours=2), status=GroupSession.Status.CANCELLED)
    ended = GroupSessionFactory(group=group, starts_at=_soon(hours=2), status=GroupSession.Status.ENDED)
    member = _member(group)
    for session in (cancelled, ended):
        RsvpFactory(session=session, user=member)
    gone = UserFactory()
    MembershipFactory(group=group, user=gone, status=Membership.Status.REMOVED)
    RsvpFactory(session=GroupSessionFactory(group=group, starts_at=_soon(hours=2)), user=gone)

    assert services.session_reminders_send() == 0
    assert not Notification.objects.exists()


def test_a_late_reminder_is_not_sent(group):
    started = GroupSessionFactory(group=group, starts_at=_soon(minutes=-2))
    soon = GroupSessionFactory(group=group, starts_at=_soon(minutes=10))
    member = _member(group)
    RsvpFactory(session=started, user=member)
    RsvpFactory(session=soon, user=member)

    assert services.session_reminders_send() == 1
    # Only the 15-minute one: "tomorrow" would be wrong ten minutes before.
    assert list(SessionReminder.objects.values_list("session_id", "kind")) == [(soon.pk, "15m")]


def test_the_beat_job_sends_reminders(group):
    session = GroupSessionFactory(group=group, starts_at=_soon(minutes=14))
    member = _member(group)
    RsvpFactory(session=session, user=member)

    session_reminders_send_task()

    assert _verbs(member) == ["session.reminder_15m"]
    entry = next(e for e in settings.CELERY_BEAT_SCHEDULE.values() if e["task"] == "groups.tasks.session_reminders_send_task")
    assert entry["schedule"] == timedelta(minutes=1)


def test_reminders_are_emailed_only_to_members_who_asked_for_email(group, django_capture_on_commit_callbacks):
    session = GroupSessionFactory(group=group, title="Thawing out together", starts_at=_soon(minutes=14))
    wants_email, in_app_only = _member(group, email_digest=True), _member(group, email_digest=False)
    for user in (wants_email, in_app_only):
        RsvpFactory(session=session, user=user)

    with django_capture_on_commit_callbacks(execute=True):
        assert services.session_reminders_send() == 2

    assert [m.to for m in mail.outbox] == [[wants_email.email]]
    assert "Thawing out together" in mail.outbox[0].body  # a listed group's session may be named
    assert session.get_absolute_url() in mail.outbox[0].body
    # Both have it on the site; the e-mailed one is not e-mailed again by the daily digest.
    assert _verbs(in_app_only) == ["session.reminder_15m"]
    assert Notification.objects.get(recipient=wants_email).emailed_at is not None
    mail.outbox.clear()
    notification_digest_send()
    assert mail.outbox == []


def test_a_private_groups_emails_name_neither_the_group_nor_the_session(db, django_capture_on_commit_callbacks):
    group = SupportGroupFactory(private=True, name="Numb after the accident", slug="after-the-accident")
    facilitator = UserFactory()
    MembershipFactory(group=group, user=facilitator, facilitator=True)
    member = _member(group, email_digest=True)
    session = GroupSessionFactory(group=group, title="Talking about the crash", starts_at=_soon(minutes=14), capacity=1)
    services.rsvp_create(session=session, user=member)
    waiting = _member(group, email_digest=True)
    services.rsvp_create(session=session, user=waiting)

    with django_capture_on_commit_callbacks(execute=True):
        services.session_reminders_send(now=session.starts_at - timedelta(minutes=14))
        services.rsvp_cancel(session=session, user=member)  # `waiting` is told a place opened
        services.session_cancel(session=session, cancelled_by=facilitator)

    assert len(mail.outbox) == 3
    for message in mail.outbox:
        text = f"{message.subject}\n{message.body}"
        for secret in ("Numb after the accident", "after-the-accident", "Talking about the crash"):
            assert secret not in text
    assert "You have a session starting in 14 minutes." in mail.outbox[0].body
    # On the site, members see what it is about.
    assert "Talking about the crash" in Notification.objects.filter(recipient=waiting).first().message


# ----------------------------------------------------------------------------- calendars


def _event(ics: bytes) -> icalendar.Event:
    events = icalendar.Calendar.from_ical(ics).walk("VEVENT")
    assert len(events) == 1
    return events[0]


def test_a_session_ics_parses_back_with_its_times_in_utc(group):
    session = GroupSessionFactory(group=group, starts_at=datetime(2030, 1, 15, 18, 0, tzinfo=UTC), duration_minutes=90)

    event = _event(services.session_ics(session))

    assert event.decoded("dtstart") == session.starts_at
    assert event.decoded("dtend") == session.starts_at + timedelta(minutes=90)
    assert event.decoded("dtstart").utcoffset() == timedelta(0)
    assert str(event["summary"]) == session.title
    assert str(event["uid"]) == f"session-{session.pk}@{settings.SITE_DOMAIN}"
    assert str(event["url"]).endswith(session.get_absolute_url())
    assert str(event["status"]) == "CONFIRMED"


def test_a_cancelled_session_ics_says_cancelled(group, group_facilitator):
    session = services.session_cancel(session=GroupSessionFactory(group=group), cancelled_by=group_facilitator)

    assert str(_event(services.session_ics(session))["status"]) == "CANCELLED"


def test_members_download_the_ics_and_a_private_group_hides_it_from_outsiders(group, member_client):
    session = GroupSessionFactory(group=group)
    response = member_client.get(reverse("groups:session_ics", kwargs={"slug": group.slug, "session_id": session.pk}))

    assert response.status_code == 200 and response["Content-Type"].startswith("text/calendar")
    assert _event(response.content).decoded("dtstart") == session.starts_at

    private = SupportGroupFactory(private=True)
    hidden = GroupSessionFactory(group=private)
    url = reverse("groups:session_ics", kwargs={"slug": private.slug, "session_id": hidden.pk})
    assert client_for(UserFactory()).get(url).status_code == 404


def test_the_feed_holds_my_sessions_and_never_anyone_elses_name(group, group_facilitator):
    me, other = _member(group), _member(group)
    mine = GroupSessionFactory(group=group, title="Mine")
    waiting_for = GroupSessionFactory(group=group, title="Full one", capacity=1)
    cancelled = GroupSessionFactory(group=group, title="Called off")
    GroupSessionFactory(group=group, title="Not signed up")
    mine.facilitators.add(group_facilitator)
    services.rsvp_create(session=mine, user=me)
    services.rsvp_create(session=mine, user=other)
    services.rsvp_create(session=waiting_for, user=other)
    services.rsvp_create(session=waiting_for, user=me)
    services.rsvp_create(session=cancelled, user=me)
    services.session_cancel(session=cancelled, cancelled_by=group_facilitator)

    ics = services.calendar_feed_ics(me)
    events = {str(e["summary"]): str(e["status"]) for e in icalendar.Calendar.from_ical(ics).walk("VEVENT")}

    assert events == {"Mine": "CONFIRMED", "Full one": "TENTATIVE", "Called off": "CANCELLED"}
    text = ics.decode()
    for name in (other.display_name, group_facilitator.display_name, me.display_name, me.email):
        assert name not in text


def test_resetting_the_feed_makes_the_old_address_404(group):
    me = _member(group)
    session = GroupSessionFactory(group=group)
    services.rsvp_create(session=session, user=me)
    client = client_for(me)
    page = text_of(client.get(reverse("groups:calendar")))
    old = CalendarFeed.objects.get(user=me).token
    assert old in page

    feed = client_for(None).get(reverse("groups:calendar_feed", kwargs={"token": old}))
    assert feed.status_code == 200 and _event(feed.content).decoded("dtstart") == session.starts_at

    client.post(reverse("groups:calendar_reset"))
    new = CalendarFeed.objects.get(user=me).token

    assert new != old
    assert client_for(None).get(reverse("groups:calendar_feed", kwargs={"token": old})).status_code == 404
    assert client_for(None).get(reverse("groups:calendar_feed", kwargs={"token": new})).status_code == 200
    assert client_for(None).get(reverse("groups:calendar_feed", kwargs={"token": "not-a-token"})).status_code == 404


def test_the_feed_forgets_a_group_one_has_left(group):
    me = _member(group)
    session = GroupSessionFactory(group=group, title="After I left")
    RsvpFactory(session=session, user=me)
    Membership.objects.filter(group=group, user=me).update(status=Membership.Status.LEFT)

    assert icalendar.Calendar.from_ical(services.calendar_feed_ics(me)).walk("VEVENT") == []


# ----------------------------------------------------------------------------- showing times


def test_times_are_shown_in_the_viewers_time_zone(group):
    session = GroupSessionFactory(group=group, starts_at=datetime(2030, 1, 15, 18, 0, tzinfo=UTC))
    in_berlin, in_utc = _member(group, time_zone="Europe/Berlin"), _member(group)

    berlin_page = text_of(client_for(in_berlin).get(session.get_absolute_url()))
    utc_page = text_of(client_for(in_utc).get(session.get_absolute_url()))
    berlin_list = text_of(client_for(in_berlin).get(reverse("groups:sessions", kwargs={"slug": group.slug})))

    assert "Tuesday 15 January 2030, 19:00" in berlin_page and "(Europe/Berlin)" in berlin_page
    assert "Tuesday 15 January 2030, 18:00" in utc_page and "(UTC)" in utc_page
    assert "19:00" in berlin_list and "18:00" not in berlin_list
    # The room opens 10 minutes before, on the viewer's clock too.
    assert "The room opens at 18:50" in berlin_page


def test_the_room_link_shows_only_while_the_room_is_open(group, member_client):
    open_now = GroupSessionFactory(group=group, starts_at=_soon(minutes=5))
    later = GroupSessionFactory(group=group, starts_at=_soon(days=2))
    room_url = reverse("groups:session_room", kwargs={"slug": group.slug, "session_id": open_now.pk})

    open_page = text_of(member_client.get(open_now.get_absolute_url()))
    later_page = text_of(member_client.get(later.get_absolute_url()))
    listing = text_of(member_client.get(reverse("groups:sessions", kwargs={"slug": group.slug})))

    assert f'href="{room_url}"' in open_page and "Enter the room" in open_page
    assert "Enter the room" not in later_page and "The room opens at" in later_page
    assert "Room open" in listing and "Room opens in 1\xa0day" in listing


def test_a_cancelled_session_page_says_so_and_offers_no_room_or_rsvp(group, group_facilitator, member_client):
    session = GroupSessionFactory(group=group, starts_at=_soon(minutes=5))
    services.session_cancel(session=session, cancelled_by=group_facilitator)

    page = text_of(member_client.get(session.get_absolute_url()))

    assert "This session was cancelled." in page
    assert "Enter the room" not in page and "I'll come" not in page


def test_the_session_page_names_facilitators_by_display_name_and_renders_the_agenda_safely(group, group_facilitator, member_client):
    session = GroupSessionFactory(group=group, agenda="**Gentle** start <script>alert(1)</script>")
    session.facilitators.add(group_facilitator)

    page = text_of(member_client.get(session.get_absolute_url()))

    assert group_facilitator.display_name in page and group_facilitator.email not in page
    assert "<strong>Gentle</strong>" in page and "<script>alert(1)" not in page


def test_my_groups_lists_my_coming_sessions_and_the_group_page_links_to_sessions(group, group_member, member_client):
    session = GroupSessionFactory(group=group, title="Sunday slow start")
    services.rsvp_create(session=session, user=group_member)

    mine = text_of(member_client.get(reverse("groups:mine")))
    group_page = text_of(member_client.get(group.get_absolute_url()))

    assert "Sunday slow start" in mine
    assert reverse("groups:sessions", kwargs={"slug": group.slug}) in group_page


def test_a_group_cannot_take_the_address_of_a_site_page():
    from groups.forms import GroupForm

    form = GroupForm(data={
        "name": "Calendar", "slug": "calendar", "description": "x", "focus": "general", "visibility": "listed",
        "join_policy": "open",
    })

    assert not form.is_valid() and "slug" in form.errors
