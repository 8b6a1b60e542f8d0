"""The XSS corpus through the places the groups tests do not reach: the moderators' pages (queue,
flags, cases, member records, safety plans, watched phrases, audit log, overview), the facilitators'
queue, private messages, room messages and reports, and every e-mail the flow sends.

tests/groups/test_xss_and_csrf.py covers the forum, sessions and group pages with the same idea;
tests/hostile/test_xss_entry_points.py types the corpus into the forms and room frames themselves;
tests/e2e/test_xss_marker.py runs it in Chromium through a live room, a forum topic and the moderators'
queue, where a marker variable must stay unset.
"""
import uuid
from datetime import timedelta

import pytest
from django.core import mail
from django.urls import reverse
from django.utils import timezone
from django.utils.html import escape

from accounts.models import SafetyPlan
from accounts.safety_plan import safety_plan_update
from groups import services as group_services
from groups.models import GroupSession, RoomMessage
from moderation import services
from moderation.models import CaseEvent, CrisisCase, Flag, Sanction
from tests.factories import UserFactory
from tests.groups.factories import MembershipFactory, SupportGroupFactory
from tests.groups.helpers import client_for, text_of, user_named
from tests.hostile.checks import assert_e_mails_quote_no_one, assert_pages_run_no_script
from tests.hostile.xss_corpus import MARK, VECTORS
from tests.support.risk_texts import CRISIS_TEXT


@pytest.mark.parametrize("vector", VECTORS)
def test_hostile_text_never_runs_on_moderator_pages_private_messages_or_in_e_mails(db, django_capture_on_commit_callbacks, vector):
    author = user_named(f"{vector[:27]} A")
    reporter = user_named(f"{vector[:27]} R")
    facilitator = UserFactory()
    moderator = UserFactory(is_moderator=True)
    group = SupportGroupFactory(private=True, name="Thursday circle")
    for member in (author, reporter):
        MembershipFactory(group=group, user=member)
    MembershipFactory(group=group, user=facilitator, facilitator=True)

    with django_capture_on_commit_callbacks(execute=True):
        # A crisis post (flag, case, alert e-mails), a worried report and a report on a room message.
        topic = group_services.topic_create(group=group, author=author, title=f"Title {vector}", body=f"{CRISIS_TEXT}\n\n{vector}")
        opening = topic.posts.get(is_opening=True)
        services.report_create(reporter=reporter, post=opening, reason="worried", note=f"Note {vector}")
        session = GroupSession.objects.create(group=group, title=f"Room {vector}"[:140], starts_at=timezone.now(), duration_minutes=60)
        room_message = RoomMessage.objects.create(session=session, seq=1, author=author, body=f"Said {vector}", client_id=uuid.uuid4())
        room_report = services.report_create(reporter=reporter, room_message=room_message, reason="other", note=f"Room note {vector}")
        safety_plan_update(user=author, data={field: f"{field} {vector}" for field in SafetyPlan.TEXT_FIELDS} | {"shared_with_moderators": True})
        # What moderators write is user text too.
        case = CrisisCase.objects.get(member=author)
        services.case_note_add(case=case, moderator=moderator, kind=CaseEvent.Kind.NOTE, note=f"Case note {vector}")
        services.moderator_note_add(member=author, moderator=moderator, body=f"Moderator note {vector}")
        services.watched_phrase_save(moderator=moderator, phrase=f"phrase {vector}"[:100], action="flag", message=f"Message {vector}")
        services.sanction_create(member=author, moderator=moderator, kind=Sanction.Kind.MUTE, reason=f"Reason {vector}")
        services.flag_dismiss(flag_id=room_report.flag_id, moderator=moderator, reason=f"Dismissed {vector}")

    as_moderator, as_facilitator, as_author = client_for(moderator), client_for(facilitator), client_for(author)
    flags = Flag.objects.filter(group=group)
    care_messages = author.care_messages.all()
    pages = {
        "queue": as_moderator.get(reverse("moderation:dashboard")),
        "queue, every state": as_moderator.get(reverse("moderation:dashboard"), {"state": "all"}),
        **{f"flag {flag.pk}": as_moderator.get(reverse("moderation:flag_detail", kwargs={"flag_id": flag.pk})) for flag in flags},
        "case": as_moderator.get(reverse("moderation:case_detail", kwargs={"case_id": case.pk})),
        "member record": as_moderator.get(reverse("moderation:member_detail", kwargs={"user_id": author.pk})),
        "safety plan (moderator)": as_moderator.get(reverse("moderation:member_safety_plan", kwargs={"user_id": author.pk})),
        "watched phrases": as_moderator.get(reverse("moderation:phrase_list")),
        "audit log": as_moderator.get(reverse("moderation:audit_log")),
        "held posts": as_moderator.get(reverse("moderation:held_list")),
        "overview": as_moderator.get(reverse("moderation:overview")),
        "facilitators' queue": as_facilitator.get(reverse("moderation:facilitator_queue")),
        "messages": as_author.get(reverse("care:message_list")),
        **{
            f"message {message.pk}": as_author.get(reverse("care:message_detail", kwargs={"message_id": message.pk}))
            for message in care_messages
        },
        "safety plan (member)": as_author.get(reverse("accounts:safety_plan")),
        "notifications": as_author.get(reverse("accounts:notifications")),
        "crisis panel beside the topic": as_author.get(topic.get_absolute_url()),
    }

    assert {name: r.status_code for name, r in pages.items() if r.status_code != 200} == {}
    assert_pages_run_no_script(pages, site_drawn={"overview": ("svg",)})  # its charts are the page's own SVG
    # The text reached the pages as text people can read.
    assert escape(f"Moderator note {vector}") in text_of(pages["member record"])
    assert escape(f"Reason {vector}") in text_of(pages["audit log"])
    assert escape(f"{vector[:27]} A") in text_of(pages["queue"])
    assert len(care_messages) >= 1

    # E-mails quote nobody: no member's words, no moderator's note, in any part of any message.
    assert mail.outbox, "the crisis post should have alerted moderators by e-mail"
    assert_e_mails_quote_no_one(vector)


def test_the_digest_and_session_reminders_quote_no_one(db, django_capture_on_commit_callbacks):
    from accounts.notifications import notification_digest_send
    from groups.services.sessions import rsvp_create, session_reminders_send

    vector = VECTORS[1]
    author, reader = user_named("Hostile A"), UserFactory()
    group = SupportGroupFactory(private=True, name="Evening circle")
    for member in (author, reader):
        MembershipFactory(group=group, user=member)
    reader.profile.email_digest = True
    reader.profile.save()
    with django_capture_on_commit_callbacks(execute=True):
        topic = group_services.topic_create(group=group, author=author, title=f"Title {vector}", body=f"Body {vector}")
        group_services.reply_create(topic=topic, author=reader, body="Me too.")  # the reader now follows the topic
        group_services.reply_create(topic=topic, author=author, body=f"Reply {vector}")
        session = GroupSession.objects.create(
            group=group, title=f"Session {vector}"[:140], agenda=f"Agenda {vector}",
            starts_at=timezone.now() + timedelta(minutes=14), duration_minutes=60,
        )
        rsvp_create(session=session, user=reader)
    mail.outbox.clear()

    # Reminders reach e-mail through the digest, as every notification does.
    assert session_reminders_send(now=timezone.now()) == 1
    assert notification_digest_send(now=timezone.now()) == 1
    assert "You have a session starting in" in mail.outbox[0].body
    for message in mail.outbox:
        for part in [message.subject, message.body] + [content for content, _type in getattr(message, "alternatives", [])]:
            for secret in (MARK, vector, "Title", "Session", "Evening circle", "Hostile A"):
                assert secret not in part, f"{message.subject!r} quotes {secret!r}"
