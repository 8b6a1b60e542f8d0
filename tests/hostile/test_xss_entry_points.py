"""The XSS corpus typed into the real forms and room frames that test_xss_sitewide.py (which writes
through services) and tests/groups/test_xss_and_csrf.py (forum and group text) do not use: profile
pronouns, the safety plan form, review requests and a moderator's answer, every moderator form
(warnings, sanctions and their lifting, notes, flag decisions, hand-overs, held posts, cases,
watched phrases), a facilitator hiding a post, sessions and series, and the live room's frames.

Each test enters every text through the page, as a person would, then reads every page that shows
it (to its author, to peers, to facilitators and moderators), refused forms that give the text
back, and the e-mails sent on the way.
"""
import uuid
from datetime import timedelta

import pytest
from channels.db import database_sync_to_async
from django.core import mail
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from django.utils.html import escape

from accounts.models import SafetyPlan
from accounts.notifications import notification_digest_send
from groups import services as group_services
from groups.models import CheckIn, GroupSession
from moderation import services
from moderation.models import CareMessage, ContentKind, CrisisCase, Flag, ReviewRequest, Sanction
from tests.factories import UserFactory
from tests.groups.factories import MembershipFactory, SupportGroupFactory
from tests.groups.helpers import client_for, text_of
from tests.hostile.checks import assert_e_mails_quote_no_one, assert_pages_run_no_script, assert_pages_show
from tests.hostile.xss_corpus import VECTORS
from tests.support.risk_texts import CRISIS_TEXT
from tests.support.sockets import open_socket


def _digest_on(*users) -> None:
    for user in users:
        user.profile.email_digest = True
        user.profile.save(update_fields=["email_digest"])


def _tidied(text: str) -> str:
    """As services save one-line text: runs of whitespace (the corpus's tab) become one space."""
    return " ".join(text.split())


def _posted(client, url: str, data: dict, status: int = 302):
    response = client.post(url, data)
    assert response.status_code == status, f"{url} answered {response.status_code}"
    return response


@pytest.mark.parametrize("vector", VECTORS)
def test_a_members_profile_safety_plan_and_review_request_and_the_answer_never_run(db, django_capture_on_commit_callbacks, vector):
    member, warner, answerer = UserFactory(), UserFactory(is_moderator=True), UserFactory(is_moderator=True)
    _digest_on(member)
    as_member, as_warner, as_answerer = client_for(member), client_for(warner), client_for(answerer)
    pronouns = vector[:40].strip()
    plan = {field: f"{field} {vector}" for field in SafetyPlan.TEXT_FIELDS}
    warning, note, answer = f"Warning {vector}", f"Review {vector}", f"Answer {vector}"
    member_url = reverse("moderation:member_detail", kwargs={"user_id": member.pk})

    with django_capture_on_commit_callbacks(execute=True):
        _posted(as_member, reverse("accounts:profile_edit"), {"display_name": "Quiet river", "time_zone": "UTC", "pronouns": pronouns})
        _posted(as_member, reverse("accounts:safety_plan"), plan | {"shared_with_moderators": "on"})
        _posted(as_warner, reverse("moderation:member_action", kwargs={"user_id": member.pk, "action": "warn"}), {"reason": warning})
        message = CareMessage.objects.get(recipient=member, kind=CareMessage.Kind.WARNING)
        review_url = reverse("care:review_request", kwargs={"message_id": message.pk})
        _posted(as_member, review_url, {"note": note})
    review = ReviewRequest.objects.get(member=member)
    message_url = reverse("care:message_detail", kwargs={"message_id": message.pk})
    # Read while the request is open: the dashboard lists it with the member's note.
    pages = {
        "dashboard": as_answerer.get(reverse("moderation:dashboard")),
        "message, review asked": as_member.get(message_url),
    }
    with django_capture_on_commit_callbacks(execute=True):
        _posted(as_answerer, reverse("moderation:review_decide", kwargs={"review_id": review.pk}), {"decision": "keep", "answer": answer})
    notification_digest_send()
    too_long = "x" * 2000
    pages |= {
        "profile": as_member.get(reverse("accounts:profile")),
        "profile edit": as_member.get(reverse("accounts:profile_edit")),
        "sign-up, refused": Client().post(reverse("account_signup"), {
            "email": "new@example.org", "password1": "a calm passphrase", "password2": "another one",
            "display_name": "Still water", "pronouns": pronouns, "time_zone": "UTC", "accept_guidelines": "on",
        }),
        "profile edit, refused": as_member.post(
            reverse("accounts:profile_edit"), {"display_name": "Quiet river", "time_zone": "Nowhere", "pronouns": pronouns}
        ),
        "safety plan": as_member.get(reverse("accounts:safety_plan")),
        "safety plan, refused": as_member.post(reverse("accounts:safety_plan"), plan | {"warning_signs": vector + too_long}),
        "messages": as_member.get(reverse("care:message_list")),
        "message, answered": as_member.get(message_url),
        "review asked again, refused": as_member.post(review_url, {"note": note + too_long}),
        "notifications": as_member.get(reverse("accounts:notifications")),
        "member record": as_warner.get(member_url),
        "member record, warning refused": as_warner.post(
            reverse("moderation:member_action", kwargs={"user_id": member.pk, "action": "warn"}), {"reason": warning + too_long}
        ),
        "safety plan (moderator)": as_warner.get(reverse("moderation:member_safety_plan", kwargs={"user_id": member.pk})),
        "audit log": as_warner.get(reverse("moderation:audit_log")),
    }

    assert_pages_run_no_script(pages)
    assert_pages_show(pages, {
        "profile": [pronouns],
        "profile edit": [pronouns],
        "profile edit, refused": [pronouns],
        "sign-up, refused": [pronouns],
        "safety plan": list(plan.values()),
        "safety plan (moderator)": list(plan.values()),
        "safety plan, refused": [plan["coping_strategies"], vector],
        "dashboard": [note, warning],
        "message, review asked": [warning],
        "message, answered": [warning, answer],
        "review asked again, refused": [note],
        "notifications": [answer],
        "member record": [warning],
        "member record, warning refused": [warning],
        "audit log": [warning, answer],
    })
    assert mail.outbox, "the digest should have told the member about the answer"
    assert_e_mails_quote_no_one(vector)


@pytest.mark.parametrize("vector", VECTORS)
def test_what_moderators_and_facilitators_type_into_their_forms_never_runs(db, django_capture_on_commit_callbacks, vector):
    author, reporter, facilitator = UserFactory(), UserFactory(), UserFactory()
    moderator, colleague = UserFactory(is_moderator=True), UserFactory(is_moderator=True)
    _digest_on(author, reporter, facilitator)
    group = SupportGroupFactory(private=True, name="Thursday circle")
    for user in (author, reporter):
        MembershipFactory(group=group, user=user)
    MembershipFactory(group=group, user=facilitator, facilitator=True)
    as_moderator, as_colleague, as_facilitator = client_for(moderator), client_for(colleague), client_for(facilitator)
    as_author, as_reporter = client_for(author), client_for(reporter)
    said = {what: f"{what} {vector}" for what in (
        "Confirmed", "Handed", "Dismissed", "Hidden", "Restored", "Case note", "Check-in", "Outcome", "Sanction",
        "Rejected", "Lifted", "Moderator note", "Facilitator", "Blocked", "Report note",
    )}
    phrase = f"phrase {vector}"[:200]
    member_url = reverse("moderation:member_detail", kwargs={"user_id": author.pk})

    def flag_action(client, flag, action, reason, status=302):
        return _posted(client, reverse("moderation:flag_action", kwargs={"flag_id": flag.pk, "action": action}), {"reason": reason}, status)

    def case_action(action, data, status=302):
        return _posted(as_moderator, reverse("moderation:case_action", kwargs={"case_id": case.pk, "action": action}), data, status)

    with django_capture_on_commit_callbacks(execute=True):
        topic = group_services.topic_create(group=group, author=author, title="Glass walls", body=CRISIS_TEXT)
        replies = [group_services.reply_create(topic=topic, author=author, body=f"Reply {n}") for n in range(4)]
        for reply in (replies[0], replies[1], replies[3]):
            _posted(as_reporter, reverse("groups:post_report", kwargs={"slug": group.slug, "post_id": reply.pk}),
                    {"reason": "other", "note": said["Report note"]}, status=200)  # the thank-you page
    crisis = Flag.objects.filter(content_kind=ContentKind.POST, content_id=topic.posts.get(is_opening=True).pk).first()
    handed, hidden, still_open = (
        Flag.objects.get(content_kind=ContentKind.POST, content_id=reply.pk, source=Flag.Source.REPORT)
        for reply in (replies[0], replies[1], replies[3])
    )
    case = CrisisCase.objects.get(member=author)
    with django_capture_on_commit_callbacks(execute=True):
        flag_action(as_moderator, crisis, "confirm", said["Confirmed"])
        _posted(as_moderator, reverse("moderation:flag_claim", kwargs={"flag_id": handed.pk}), {})
        _posted(as_moderator, reverse("moderation:flag_reassign", kwargs={"flag_id": handed.pk}), {"to": colleague.pk, "reason": said["Handed"]})
        flag_action(as_colleague, handed, "dismiss", said["Dismissed"])
        flag_action(as_moderator, hidden, "hide", said["Hidden"])
        flag_action(as_moderator, hidden, "restore", said["Restored"])
        case_action("note", {"kind": "note", "note": said["Case note"]})
        case_action("check-in", {"note": said["Check-in"]})
        _posted(as_facilitator, reverse("moderation:facilitator_hide", kwargs={"post_id": replies[2].pk}), {"reason": said["Facilitator"]})
        _posted(as_moderator, reverse("moderation:member_action", kwargs={"user_id": author.pk, "action": "sanction"}),
                {"kind": "review", "group": group.pk, "reason": said["Sanction"]})
        held, held_too = (group_services.reply_create(topic=topic, author=author, body=f"Held {n}") for n in range(2))
        _posted(as_moderator, reverse("moderation:held_decide", kwargs={"post_id": held.pk, "decision": "reject"}), {"reason": said["Rejected"]})
        sanction = Sanction.objects.get(user=author, kind=Sanction.Kind.REVIEW)
        _posted(as_moderator, reverse("moderation:sanction_lift", kwargs={"sanction_id": sanction.pk}), {"reason": said["Lifted"]})
        _posted(as_moderator, reverse("moderation:member_action", kwargs={"user_id": author.pk, "action": "note"}),
                {"body": said["Moderator note"]})
        _posted(as_moderator, reverse("moderation:phrase_list"), {"phrase": phrase, "action": "flag", "is_active": "on"})
        _posted(as_moderator, reverse("moderation:phrase_list"),
                {"phrase": "never say this", "action": "block", "message": said["Blocked"], "is_active": "on"})
    notification_digest_send()

    too_long = "x" * 4000
    pages = {
        "queue": as_moderator.get(reverse("moderation:dashboard"), {"state": "all"}),
        "queue, live fragment": as_moderator.get(reverse("moderation:dashboard"), {"state": "all", "fragment": "queue"}),
        **{
            f"flag {flag.pk}": as_moderator.get(reverse("moderation:flag_detail", kwargs={"flag_id": flag.pk}))
            for flag in Flag.objects.all()
        },
        "flag, dismissal refused": flag_action(as_moderator, still_open, "dismiss", said["Dismissed"] + too_long, status=400),
        "flag, hand-over refused": as_moderator.post(
            reverse("moderation:flag_reassign", kwargs={"flag_id": still_open.pk}), {"to": "0", "reason": said["Handed"]}
        ),
        "case": as_moderator.get(reverse("moderation:case_detail", kwargs={"case_id": case.pk})),
        "case, note refused": case_action("note", {"kind": "none", "note": said["Case note"]}, status=400),
        "case, closing refused": case_action("close", {"outcome": said["Outcome"] + too_long}, status=400),
        "member record": as_moderator.get(member_url),
        "member record, sanction refused": as_moderator.post(
            reverse("moderation:member_action", kwargs={"user_id": author.pk, "action": "sanction"}),
            {"kind": "none", "reason": said["Sanction"]},
        ),
        "member record, note refused": as_moderator.post(
            reverse("moderation:member_action", kwargs={"user_id": author.pk, "action": "note"}), {"body": said["Moderator note"] + too_long}
        ),
        "held posts, rejection refused": as_moderator.post(
            reverse("moderation:held_decide", kwargs={"post_id": held_too.pk, "decision": "reject"}), {"reason": said["Rejected"] + too_long}
        ),
        "watched phrases": as_moderator.get(reverse("moderation:phrase_list")),
        "watched phrases, refused": as_moderator.post(
            reverse("moderation:phrase_list"), {"phrase": phrase, "action": "none", "message": said["Blocked"]}
        ),
        "audit log": as_moderator.get(reverse("moderation:audit_log")),
        "facilitators' queue": as_facilitator.get(reverse("moderation:facilitator_queue")),
        "facilitator hide, refused": as_facilitator.post(
            reverse("moderation:facilitator_hide", kwargs={"post_id": replies[1].pk}), {"reason": said["Facilitator"] + too_long}
        ),
        "author's messages": as_author.get(reverse("care:message_list")),
        **{
            f"author's message {message.pk}": as_author.get(reverse("care:message_detail", kwargs={"message_id": message.pk}))
            for message in author.care_messages.all()
        },
        "author's notifications": as_author.get(reverse("accounts:notifications")),
        "topic": as_author.get(topic.get_absolute_url()),
        "report, refused": as_reporter.post(
            reverse("groups:post_report", kwargs={"slug": group.slug, "post_id": replies[2].pk}), {"reason": "none", "note": said["Report note"]}
        ),
        "reply blocked by a phrase": as_reporter.post(
            reverse("groups:topic_reply", kwargs={"slug": group.slug, "topic_id": topic.pk}), {"body": "I never say this, ever."}
        ),
    }
    case_action("close", {"outcome": said["Outcome"]})
    pages["case, closed"] = as_moderator.get(reverse("moderation:case_detail", kwargs={"case_id": case.pk}))

    assert_pages_run_no_script(pages)
    assert_pages_show(pages, {
        f"flag {crisis.pk}": [said["Confirmed"]],
        f"flag {handed.pk}": [said["Dismissed"]],
        f"flag {Flag.objects.get(source=Flag.Source.FACILITATOR).pk}": [said["Facilitator"]],
        "flag, dismissal refused": [said["Dismissed"]],
        "flag, hand-over refused": [said["Handed"]],
        "case": [said["Case note"], said["Check-in"]],
        "case, note refused": [said["Case note"]],
        "case, closing refused": [said["Outcome"]],
        "case, closed": [said["Outcome"]],
        "member record": [said["Sanction"], said["Moderator note"]],
        "member record, sanction refused": [said["Sanction"]],
        "member record, note refused": [said["Moderator note"]],
        "held posts, rejection refused": [said["Rejected"]],
        "watched phrases": [_tidied(phrase), said["Blocked"]],
        "watched phrases, refused": [phrase, said["Blocked"]],
        "audit log": [said["Handed"], said["Hidden"], said["Restored"], said["Sanction"], said["Lifted"], said["Rejected"]],
        "facilitators' queue": [said["Report note"]],
        f"flag {still_open.pk}": [said["Report note"]],
        "facilitator hide, refused": [said["Facilitator"]],
        "reply blocked by a phrase": [said["Blocked"]],
        "report, refused": [said["Report note"]],
    })
    # The author was told, privately, in the moderators' own words.
    told = " ".join(text_of(response) for name, response in pages.items() if name.startswith("author's message "))
    assert [what for what in ("Hidden", "Check-in", "Sanction", "Rejected") if escape(said[what]) not in told] == []
    assert mail.outbox, "the crisis post should have alerted moderators by e-mail"
    assert_e_mails_quote_no_one(vector)


@pytest.mark.parametrize("vector", VECTORS)
def test_session_and_series_titles_and_agendas_typed_by_a_facilitator_never_run(db, django_capture_on_commit_callbacks, vector):
    facilitator, member = UserFactory(), UserFactory()
    _digest_on(facilitator, member)
    group = SupportGroupFactory(private=True, name="Evening circle")
    MembershipFactory(group=group, user=member)
    MembershipFactory(group=group, user=facilitator, facilitator=True)
    as_facilitator, as_member = client_for(facilitator), client_for(member)
    slug = group.slug
    starts = (timezone.now() + timedelta(days=2)).strftime("%Y-%m-%dT%H:%M")
    single = {
        "title": f"Session {vector}"[:140], "agenda": f"Agenda words {vector}", "starts_at": starts,
        "duration_minutes": "60", "capacity": "12", "facilitators": [facilitator.pk],
    }
    series = single | {
        "title": f"Series {vector}"[:140], "agenda": f"Series words {vector}", "time_zone": "UTC", "frequency": "weekly", "occurrences": "2",
    }
    changed_title = f"Changed {vector}"[:140]
    saved_title, saved_series_title = _tidied(changed_title), _tidied(series["title"])

    with django_capture_on_commit_callbacks(execute=True):
        _posted(as_facilitator, reverse("groups:session_new", kwargs={"slug": slug}), single)
        _posted(as_facilitator, reverse("groups:series_new", kwargs={"slug": slug}), series)
        session = GroupSession.objects.get(group=group, series__isnull=True)
        first, second = GroupSession.objects.filter(group=group, series__isnull=False).order_by("starts_at")
        for chosen in (session, first, second):
            _posted(as_member, reverse("groups:session_rsvp", kwargs={"slug": slug, "session_id": chosen.pk}), {})
        later = (session.starts_at + timedelta(hours=1)).strftime("%Y-%m-%dT%H:%M")
        _posted(as_facilitator, reverse("groups:session_edit", kwargs={"slug": slug, "session_id": session.pk}),
                single | {"title": changed_title, "starts_at": later})
        _posted(as_facilitator, reverse("groups:session_cancel", kwargs={"slug": slug, "session_id": second.pk}), {})
    notification_digest_send()

    def session_page(client, name, chosen):
        return client.get(reverse(f"groups:{name}", kwargs={"slug": slug, "session_id": chosen.pk}))

    pages = {
        "sessions": as_member.get(reverse("groups:sessions", kwargs={"slug": slug})),
        "session page": session_page(as_member, "session_detail", session),
        "series session page": session_page(as_member, "session_detail", first),
        "cancelled session page": session_page(as_member, "session_detail", second),
        "session page (facilitator)": session_page(as_facilitator, "session_detail", session),
        "room (closed yet)": session_page(as_member, "session_room", first),
        "edit session": session_page(as_facilitator, "session_edit", first),
        "cancel session": session_page(as_facilitator, "session_cancel", first),
        "session refused": as_facilitator.post(reverse("groups:session_new", kwargs={"slug": slug}), single | {"duration_minutes": "0"}),
        "series refused": as_facilitator.post(reverse("groups:series_new", kwargs={"slug": slug}), series | {"occurrences": "0"}),
        "group page": as_member.get(group.get_absolute_url()),
        "my groups": as_member.get(reverse("groups:mine")),
        "calendar": as_member.get(reverse("groups:calendar")),
        "notifications": as_member.get(reverse("accounts:notifications")),
    }

    assert_pages_run_no_script(pages)
    assert_pages_show(pages, {
        "sessions": [saved_title, saved_series_title],
        "session page": [saved_title],
        "series session page": [saved_series_title],
        "cancelled session page": [saved_series_title],
        "room (closed yet)": [saved_series_title],
        "edit session": [saved_series_title, series["agenda"]],
        "session refused": [single["title"], single["agenda"]],
        "series refused": [series["title"], series["agenda"]],
    })
    # Agendas are Markdown: sanitized, their words still there.
    assert "Agenda words" in text_of(pages["session page"]) and "Series words" in text_of(pages["series session page"])
    assert_e_mails_quote_no_one(vector)


# ----------------------------------------------------------------------------- the live room's frames


async def _frame(socket, kind: str) -> dict:
    """The next frame of type `kind`, past presence and other frames in between."""
    for _ in range(10):
        frame = await socket.receive_json_from(timeout=3)
        if frame["type"] == kind:
            return frame
    raise AssertionError(f"no {kind} frame")


async def _joined(session, user):
    socket = await open_socket(f"/ws/sessions/{session.pk}/", user=user)
    connected, _ = await socket.connect()
    assert connected
    await _frame(socket, "state")  # after welcome and history
    return socket


@pytest.mark.asyncio
@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("vector", VECTORS)
async def test_room_frames_carrying_the_corpus_never_run_on_any_page(vector):
    def build():
        group = SupportGroupFactory(name=vector[:80])
        people = {"author": UserFactory(), "reporter": UserFactory(), "facilitator": UserFactory(), "moderator": UserFactory(is_moderator=True)}
        for name in ("author", "reporter"):
            MembershipFactory(group=group, user=people[name])
        MembershipFactory(group=group, user=people["facilitator"], facilitator=True)
        services.watched_phrase_save(moderator=people["moderator"], phrase="never say this", action="block", message=f"Blocked {vector}")
        session = GroupSession.objects.create(
            group=group, title=f"Room {vector}"[:140], starts_at=timezone.now() + timedelta(minutes=5), duration_minutes=60
        )
        return session, people

    session, people = await database_sync_to_async(build)()
    facilitator = await _joined(session, people["facilitator"])
    author, reporter = await _joined(session, people["author"]), await _joined(session, people["reporter"])

    # Feeling words come from a fixed list: anything else is refused and nothing is stored.
    await author.send_json_to({"type": "check_in", "phase": "in", "feel": 3, "connected": 4, "words": [vector, "numb"]})
    refused = await _frame(author, "error")
    await author.send_json_to({"type": "check_in", "phase": "in", "feel": 3, "connected": 4, "words": ["numb"]})
    await _frame(author, "system")
    await author.send_json_to({"type": "message", "body": f"Said {vector}", "client_id": str(uuid.uuid4())})
    message_id = (await _frame(author, "ack"))["id"]
    await author.send_json_to({"type": "message", "body": "I never say this", "client_id": str(uuid.uuid4())})
    blocked = await _frame(author, "error")
    await reporter.send_json_to({"type": "report", "message_id": message_id, "reason": "other", "note": f"Room note {vector}"})
    await _frame(reporter, "system")
    for socket in (facilitator, author, reporter):
        await socket.disconnect()

    room_facilitator, room_author = "room (facilitator, with the check-in summary)", "room (author)"

    def read_pages():
        as_moderator, as_facilitator, as_author = (client_for(people[name]) for name in ("moderator", "facilitator", "author"))
        room_url = reverse("groups:session_room", kwargs={"slug": session.group.slug, "session_id": session.pk})
        return {
            room_facilitator: as_facilitator.get(room_url),
            room_author: as_author.get(room_url),
            "my check-ins": as_author.get(reverse("groups:check_in_trend")),
            "queue": as_moderator.get(reverse("moderation:dashboard")),
            **{
                f"flag {flag.pk}": as_moderator.get(reverse("moderation:flag_detail", kwargs={"flag_id": flag.pk}))
                for flag in Flag.objects.filter(group=session.group)
            },
            "member record": as_moderator.get(reverse("moderation:member_detail", kwargs={"user_id": people["author"].pk})),
            "facilitators' queue": as_facilitator.get(reverse("moderation:facilitator_queue")),
        }

    pages = await database_sync_to_async(read_pages)()
    words = await database_sync_to_async(lambda: list(CheckIn.objects.values_list("words", flat=True)))()

    assert (refused["code"], words) == ("invalid", [["numb"]])
    assert (blocked["code"], blocked["detail"]) == ("blocked", f"Blocked {vector}")
    assert_pages_run_no_script(pages, site_drawn={"my check-ins": ("svg",)}, own_scripts=(room_facilitator, room_author))
    assert_pages_show(pages, {
        room_author: [session.title],
        room_facilitator: ["numb"],
        "my check-ins": [session.title, "numb"],
        "queue": [f"Said {vector}"],
        "facilitators' queue": [f"Said {vector}", f"Room note {vector}"],
    })


@pytest.mark.parametrize("vector", VECTORS)
def test_words_typed_into_searches_and_filters_come_back_as_text(db, vector):
    member, moderator = UserFactory(), UserFactory(is_moderator=True)
    group = SupportGroupFactory(slug="search-circle")
    MembershipFactory(group=group, user=member)
    as_member, as_moderator = client_for(member), client_for(moderator)
    query = vector[:200]

    pages = {
        "library search": Client().get(reverse("resources:search"), {"q": query}),
        "library search, too long": Client().get(reverse("resources:search"), {"q": query + "x" * 1000}),
        "coping card, unknown entry": Client().get(reverse("resources:coping_card"), {"only": vector}),
        "group search": as_member.get(reverse("groups:search", kwargs={"slug": group.slug}), {"q": query}),
        "queue, unknown filter": as_moderator.get(reverse("moderation:dashboard"), {"level": vector, "state": vector}),
        "audit log, unknown filter": as_moderator.get(reverse("moderation:audit_log"), {"action": vector, "member": vector}),
    }

    assert_pages_run_no_script(pages, own_scripts=("coping card, unknown entry",))
    assert_pages_show(pages, {"library search": [query], "library search, too long": [query], "group search": [query]})
