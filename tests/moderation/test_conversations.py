"""A member's conversation with the team, through the site's pages and the moderators' socket:
replying to a check-in, "talk to a moderator now" reaching whoever is on duty (even with a case
already open), repeats merging into one alert, the limit on messages, a moderator's answer from
the case page, the case timeline, read receipts both ways, and who may read what."""
import re
from datetime import timedelta

import pytest
from channels.db import database_sync_to_async
from django.core import mail
from django.db import transaction
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from accounts.models import Notification
from moderation import services
from moderation.models import CareMessage, CaseEvent, Conversation, CrisisAlert, CrisisCase
from tests.factories import UserFactory
from tests.groups.helpers import client_for, text_of
from tests.support.sockets import open_socket

TALK_URL = reverse("care:talk")
WORDS = "I keep staring at the wall and I cannot make myself call anyone."


def _case_url(case) -> str:
    return reverse("moderation:case_detail", kwargs={"case_id": case.pk})


def _case_action(case, action: str) -> str:
    return reverse("moderation:case_action", kwargs={"case_id": case.pk, "action": action})


def _conversation_url(conversation) -> str:
    return reverse("care:conversation_detail", kwargs={"conversation_id": conversation.pk})


def _reply_url(conversation) -> str:
    return reverse("care:conversation_reply", kwargs={"conversation_id": conversation.pk})


def _textarea(page: str, name: str = "body") -> str:
    match = re.search(rf'<textarea name="{name}"[^>]*>(.*?)</textarea>', page, re.S)
    assert match, f"no {name} box on the page"
    return match.group(1).strip()


def _case_with_a_check_in(member) -> CrisisCase:
    """Someone was worried about the member: a case, and the team's check-in in their conversation."""
    with transaction.atomic():
        case = services.crisis_case_open_or_join(member=member, origin=CrisisCase.Origin.WORRIED_REPORT)
        services.case_check_in_send(case=case, moderator=None)
    return case


@pytest.fixture
def checked_in(member, moderator, moderator_client, django_capture_on_commit_callbacks):
    """A case on the member (they asked once), and a moderator's check-in from the case page."""
    with django_capture_on_commit_callbacks(execute=True):
        case = services.member_asks_to_talk(member=member)
        moderator_client.post(_case_action(case, "check-in"), {"note": "Thinking of you tonight."})
    mail.outbox.clear()
    return CareMessage.objects.get(recipient=member, kind=CareMessage.Kind.CHECK_IN)


# ----------------------------------------------------------------------------- the member answers


@pytest.mark.django_db
def test_a_member_replies_to_a_check_in_from_its_page_and_it_is_on_the_case_timeline(
    checked_in, member, moderator_client, django_capture_on_commit_callbacks
):
    as_member = client_for(member)
    page = text_of(as_member.get(reverse("care:message_detail", kwargs={"message_id": checked_in.pk})))
    assert "Thinking of you tonight." in page and "988" in page
    assert f'action="{_reply_url(checked_in.conversation)}"' in page  # the reply box, under the thread

    with django_capture_on_commit_callbacks(execute=True):
        response = as_member.post(_reply_url(checked_in.conversation), {"body": WORDS})

    assert response.status_code == 302 and response["Location"] == _conversation_url(checked_in.conversation)
    thread = text_of(as_member.get(response["Location"]))
    assert thread.index("Thinking of you tonight.") < thread.index(WORDS)  # oldest first
    assert "Sent. Not read yet." in thread
    case_page = text_of(moderator_client.get(_case_url(checked_in.case)))
    assert WORDS in case_page and "Thinking of you tonight." in case_page
    assert CaseEvent.objects.filter(case=checked_in.case, kind=CaseEvent.Kind.MEMBER_WROTE, message__body=WORDS).exists()


@pytest.mark.django_db
def test_an_empty_or_oversized_reply_is_refused_with_the_words_kept(checked_in, member):
    as_member = client_for(member)
    url = _reply_url(checked_in.conversation)

    empty = as_member.post(url, {"body": "   "})
    assert empty.status_code == 400 and "This field is required" in text_of(empty)

    too_long = "I wanted to say " + "so much " * 300
    refused = as_member.post(url, {"body": too_long})
    page = text_of(refused)
    assert refused.status_code == 400
    assert "A message is at most 2000 characters" in page and "Nothing was sent" in page
    assert _textarea(page) == too_long.strip()
    assert not CareMessage.objects.filter(sender=CareMessage.Sender.MEMBER).exists()


@pytest.mark.django_db
def test_the_members_words_are_shown_as_text_never_as_markup(checked_in, member, moderator_client, django_capture_on_commit_callbacks):
    hostile = '<script>alert("x")</script><img src=x onerror=alert(1)>'
    with django_capture_on_commit_callbacks(execute=True):
        client_for(member).post(_reply_url(checked_in.conversation), {"body": hostile})

    for page in (
        text_of(client_for(member).get(_conversation_url(checked_in.conversation))),
        text_of(moderator_client.get(_case_url(checked_in.case))),
    ):
        assert hostile not in page and "&lt;script&gt;" in page


# ----------------------------------------------------------------------------- talk to a moderator now


@pytest.mark.asyncio
@pytest.mark.django_db(transaction=True)
async def test_talk_to_a_moderator_with_a_case_already_open_alerts_the_moderator_on_duty_at_once():
    on_duty = await database_sync_to_async(UserFactory)(is_moderator=True)
    off_duty = await database_sync_to_async(UserFactory)(is_moderator=True)
    member = await database_sync_to_async(UserFactory)()
    await database_sync_to_async(services.moderator_duty_set)(moderator=on_duty, on_duty=True)
    case = await database_sync_to_async(_case_with_a_check_in)(member)
    mail.outbox.clear()
    socket = await open_socket("/ws/moderation/", user=on_duty)
    assert (await socket.connect())[0]
    assert (await socket.receive_json_from())["type"] == "system"

    as_member = await database_sync_to_async(client_for)(member)
    response = await database_sync_to_async(as_member.post)(TALK_URL, {"body": WORDS})
    assert response.status_code == 302

    frame = await socket.receive_json_from()
    assert frame == {"type": "case.changed", "case_id": case.pk, "change": "member_waiting", "status": "open"}
    assert WORDS not in str(frame) and "display_name" not in frame
    [alert] = mail.outbox
    assert alert.to == [on_duty.email] and "waiting to talk to a moderator" in alert.subject
    assert _case_url(case) in alert.body
    display_name = await database_sync_to_async(lambda: member.profile.display_name)()
    for words in (WORDS, "staring", display_name, member.email):
        assert words not in alert.subject and words not in alert.body
    notifications = await database_sync_to_async(list)(Notification.objects.filter(verb="case.member_waiting"))
    assert [(n.recipient_id, n.url) for n in notifications] == [(on_duty.pk, _case_url(case))]
    assert WORDS not in notifications[0].message
    assert off_duty.pk not in [n.recipient_id for n in notifications]
    await socket.disconnect()


@pytest.mark.django_db
def test_when_nobody_is_on_duty_every_moderator_is_alerted(member, django_capture_on_commit_callbacks):
    moderators = [UserFactory(is_moderator=True) for _ in range(3)]
    with django_capture_on_commit_callbacks(execute=True):
        _case_with_a_check_in(member)
    mail.outbox.clear()

    with django_capture_on_commit_callbacks(execute=True):
        client_for(member).post(TALK_URL)

    assert sorted(m.to[0] for m in mail.outbox) == sorted(m.email for m in moderators)
    assert Notification.objects.filter(verb="case.member_waiting").count() == 3


@pytest.mark.django_db
def test_talk_without_a_case_opens_one_with_a_single_alert_and_a_conversation_to_write_in(
    member, moderator, django_capture_on_commit_callbacks
):
    as_member = client_for(member)
    with django_capture_on_commit_callbacks(execute=True):
        response = as_member.post(TALK_URL, follow=True)

    case = CrisisCase.objects.get(member=member)
    conversation = Conversation.objects.get(member=member)
    assert (case.origin, conversation.case, conversation.waiting_since is not None) == ("member_asked", case, True)
    assert len(mail.outbox) == 1 and "waiting to talk to a moderator" in mail.outbox[0].subject
    page = text_of(response)
    assert response.redirect_chain[-1][0] == _conversation_url(conversation)
    assert "The moderators on duty have been told" in page and "988" in page and 'id="crisis-panel"' in page
    assert "Write to the team" in page


@pytest.mark.django_db
def test_repeated_talk_requests_merge_into_one_alert_and_the_member_is_told_kindly(
    member, moderator, django_capture_on_commit_callbacks
):
    as_member = client_for(member)
    with django_capture_on_commit_callbacks(execute=True):
        as_member.post(TALK_URL)
        second = as_member.post(TALK_URL, {"body": "Are you there?"}, follow=True)
        as_member.post(TALK_URL)

    assert len(mail.outbox) == 1
    assert Notification.objects.filter(recipient=moderator, verb__startswith="case.").count() == 1
    assert Conversation.objects.filter(member=member).count() == 1
    assert "no need to ask again" in text_of(second) and "Are you there?" in text_of(second)

    # A quarter of an hour on and still unanswered: they are told again.
    Conversation.objects.filter(member=member).update(last_alerted_at=timezone.now() - timedelta(minutes=16))
    with django_capture_on_commit_callbacks(execute=True):
        as_member.post(TALK_URL)
    assert len(mail.outbox) == 2
    assert CrisisAlert.objects.filter(moderator=moderator, channel="email").count() == 2


@pytest.mark.django_db
def test_a_member_writing_again_after_an_answer_is_a_new_wait_and_alerts_again(
    member, moderator, moderator_client, django_capture_on_commit_callbacks
):
    as_member = client_for(member)
    with django_capture_on_commit_callbacks(execute=True):
        as_member.post(TALK_URL, {"body": WORDS})
        case = CrisisCase.objects.get(member=member)
        moderator_client.post(_case_action(case, "answer"), {"body": "I am here with you."})
        as_member.post(TALK_URL, {"body": "Thank you. It is getting worse though."})

    assert len(mail.outbox) == 2  # the answer ended the first wait: the second is a wait of its own
    assert Conversation.objects.get(member=member).waiting_since is not None


@pytest.mark.django_db
def test_past_the_message_limit_the_page_says_how_long_to_wait_and_keeps_the_words(
    checked_in, member, django_capture_on_commit_callbacks
):
    as_member = client_for(member)
    url = _reply_url(checked_in.conversation)
    with django_capture_on_commit_callbacks(execute=True):
        for number in range(6):
            assert as_member.post(url, {"body": f"Message {number}"}).status_code == 302

    refused = as_member.post(url, {"body": "One more thing I needed to say."})
    page = text_of(refused)
    assert refused.status_code == 429
    assert re.search(r"You can send\s+more in about \d+ minutes?\.", page)
    assert _textarea(page) == "One more thing I needed to say." and "988" in page
    assert not CareMessage.objects.filter(body="One more thing I needed to say.").exists()

    # The same limit on words sent with "talk to a moderator"; asking alone still goes through.
    talk = as_member.post(TALK_URL, {"body": "Please, one more."})
    assert talk.status_code == 429 and _textarea(text_of(talk)) == "Please, one more."
    assert as_member.post(TALK_URL).status_code == 302


@pytest.mark.django_db
def test_the_message_limit_lets_words_through_when_the_cache_is_down(checked_in, member, monkeypatch):
    def cache_down(*args, **kwargs):
        raise ConnectionError("redis is down")

    monkeypatch.setattr("moderation.member_views.get_usage", cache_down)
    response = client_for(member).post(_reply_url(checked_in.conversation), {"body": WORDS})
    assert response.status_code == 302
    assert CareMessage.objects.filter(body=WORDS, sender=CareMessage.Sender.MEMBER).exists()


@pytest.mark.django_db
def test_an_oversized_talk_request_is_refused_with_the_words_kept(member, moderator):
    words = "x" * 2001
    response = client_for(member).post(TALK_URL, {"body": words})
    assert response.status_code == 400 and _textarea(text_of(response)) == words
    assert not CrisisCase.objects.exists() and not mail.outbox


# ----------------------------------------------------------------------------- the team answers


@pytest.mark.django_db
def test_a_moderators_answer_from_the_case_page_reaches_the_member_and_ends_the_wait(
    member, moderator, moderator_client, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        client_for(member).post(TALK_URL, {"body": WORDS})
    case = CrisisCase.objects.get(member=member)
    dashboard = text_of(moderator_client.get(reverse("moderation:dashboard")))
    waiting = dashboard[dashboard.index('id="waiting-heading"'):dashboard.index('id="cases-heading"')]
    assert member.profile.display_name in waiting and "waiting" in waiting and "1 message nobody has read" in waiting
    assert "is waiting for an answer" in text_of(moderator_client.get(_case_url(case)))

    with django_capture_on_commit_callbacks(execute=True):
        response = moderator_client.post(_case_action(case, "answer"), {"body": "I'm here. Are you somewhere safe?"})

    assert response.status_code == 302
    answer = CareMessage.objects.get(kind=CareMessage.Kind.ANSWER)
    assert (answer.recipient, answer.sent_by, answer.body) == (member, moderator, "I'm here. Are you somewhere safe?")
    note = Notification.objects.get(recipient=member, verb="care.message")
    assert "Are you somewhere safe" not in note.message
    thread = text_of(client_for(member).get(_conversation_url(answer.conversation)))
    assert thread.index(WORDS) < thread.index("I&#x27;m here. Are you somewhere safe?")
    assert moderator.profile.display_name not in thread  # the team speaks as the team
    dashboard = text_of(moderator_client.get(reverse("moderation:dashboard")))
    assert "Nobody is waiting." in dashboard
    case.refresh_from_db()
    assert case.acknowledged_by == moderator


@pytest.mark.django_db
def test_an_answer_needs_words_and_a_closed_case_takes_none(member, moderator, moderator_client):
    case = services.member_asks_to_talk(member=member)
    empty = moderator_client.post(_case_action(case, "answer"), {"body": ""})
    assert empty.status_code == 400 and "This field is required" in text_of(empty)

    services.case_close(case=case, moderator=moderator, outcome="Spoke on the phone; safe.")
    closed = moderator_client.post(_case_action(case, "answer"), {"body": "Hello again."})
    assert closed.status_code == 400 and "This case is closed" in text_of(closed)
    assert not CareMessage.objects.filter(kind=CareMessage.Kind.ANSWER).exists()


@pytest.mark.django_db
def test_the_case_timeline_holds_every_message_both_ways_with_read_receipts(
    checked_in, member, moderator, moderator_client, django_capture_on_commit_callbacks
):
    case, as_member = checked_in.case, client_for(member)
    with django_capture_on_commit_callbacks(execute=True):
        as_member.post(_reply_url(checked_in.conversation), {"body": WORDS})
        moderator_client.post(_case_action(case, "answer"), {"body": "Thank you for writing back."})

    assert "Sent. Not read yet." in text_of(as_member.get(_conversation_url(checked_in.conversation)))
    # A moderator opens the case with the member's words on it: the member sees it was read.
    first_look = text_of(moderator_client.get(_case_url(case)))
    assert first_look.count("<strong>new</strong>") == 1
    mine = text_of(as_member.get(_conversation_url(checked_in.conversation)))
    assert "Read by the team" in mine and "Sent. Not read yet." not in mine
    # The member opened their conversation: the moderator sees both team messages were read.
    page = text_of(moderator_client.get(_case_url(case)))
    timeline = page[page.index('id="timeline-heading"'):]
    for words in ("Thinking of you tonight.", WORDS, "Thank you for writing back."):
        assert words in timeline
    assert timeline.count("read by the member") == 2 and "not read by the member yet" not in timeline
    assert "read by the team" in timeline
    assert [e.kind for e in case.events.filter(message__isnull=False)] == [
        CaseEvent.Kind.CHECK_IN_SENT, CaseEvent.Kind.MEMBER_WROTE, CaseEvent.Kind.ANSWERED,
    ]


@pytest.mark.django_db
def test_after_the_case_closes_the_conversation_has_ended_and_writing_again_reaches_a_moderator(
    checked_in, member, moderator, django_capture_on_commit_callbacks
):
    services.case_close(case=checked_in.case, moderator=moderator, outcome="Feeling steadier; has a plan.")
    as_member = client_for(member)
    page = text_of(as_member.get(_conversation_url(checked_in.conversation)))
    assert "This conversation has ended" in page and f'action="{TALK_URL}"' in page

    with django_capture_on_commit_callbacks(execute=True):
        response = as_member.post(_reply_url(checked_in.conversation), {"body": "It is bad again tonight."})

    new = Conversation.objects.get(member=member, status=Conversation.Status.OPEN)
    assert new != checked_in.conversation and response["Location"] == _conversation_url(new)
    assert new.case.status == CrisisCase.Status.OPEN and new.case != checked_in.case
    assert len(mail.outbox) == 1


# ----------------------------------------------------------------------------- who may read what


@pytest.mark.django_db
def test_nobody_else_can_read_or_answer_a_members_conversation(checked_in, member, other_member, moderator):
    conversation = checked_in.conversation
    for url, method in ((_conversation_url(conversation), "get"), (_reply_url(conversation), "post")):
        anonymous = getattr(Client(), method)(url, {"body": "hello"} if method == "post" else None)
        assert anonymous.status_code == 302 and "/accounts/login/" in anonymous["Location"]
        for someone in (other_member, moderator):  # moderators read it on the case page
            assert getattr(client_for(someone), method)(url, {"body": "hello"} if method == "post" else None).status_code == 404
    assert not CareMessage.objects.filter(body="hello").exists()
    assert client_for(member).get(_case_url(checked_in.case)).status_code == 403


# ----------------------------------------------------------------------------- data rights


@pytest.mark.django_db
def test_the_conversation_is_in_the_export_and_goes_with_the_account(
    checked_in, member, moderator, moderator_client, django_capture_on_commit_callbacks
):
    from accounts.services import account_delete, user_data_export

    with django_capture_on_commit_callbacks(execute=True):
        client_for(member).post(_reply_url(checked_in.conversation), {"body": WORDS})
        moderator_client.post(_case_action(checked_in.case, "answer"), {"body": "We are here."})

    [exported] = user_data_export(user=member)["data"]["moderation"]["conversations_with_the_team"]
    assert [(m["from"], m["kind"]) for m in exported["messages"]] == [
        ("the Thaw team", "check_in"), ("me", "from_member"), ("the Thaw team", "answer"),
    ]
    assert exported["messages"][1]["body"] == WORDS
    assert user_data_export(user=moderator)["data"]["moderation"]["conversations_with_the_team"] == []

    account_delete(user=member, keep_contributions=True)

    assert not Conversation.objects.exists() and not CareMessage.objects.exists()
    page = text_of(moderator_client.get(_case_url(checked_in.case)))
    assert WORDS not in page and "We are here." not in page
    assert "the message went with the member" in page


def test_the_dashboards_waiting_block_reloads_on_its_own_for_the_live_feed(
    member, moderator_client, django_capture_on_commit_callbacks
):
    # The live feed fetches this fragment on each case.changed; only moderators get it.
    url = reverse("moderation:dashboard") + "?fragment=waiting"
    assert "Nobody is waiting." in text_of(moderator_client.get(url))
    with django_capture_on_commit_callbacks(execute=True):
        client_for(member).post(TALK_URL, {"body": WORDS})

    fragment = text_of(moderator_client.get(url))
    assert member.profile.display_name in fragment and "<html" not in fragment
    assert 'data-waiting-fragment="/moderation/?fragment=waiting"' in text_of(moderator_client.get(reverse("moderation:dashboard")))
    assert client_for(member).get(url).status_code == 403
