"""Pages of the risk pipeline: the crisis panel, draft checks, the team's messages, crisis cases."""
import re
from datetime import timedelta

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from accounts.safety_plan import safety_plan_update
from groups import services as forum
from moderation import services
from moderation.models import CareMessage, CaseEvent, CrisisCase, Flag, FollowUp
from tests.factories import UserFactory
from tests.groups.helpers import client_for
from tests.support.risk_texts import CALM_TEXT, CRISIS_TEXT

pytestmark = pytest.mark.django_db

PANEL = re.compile(r'<section class="crisis-panel card" id="crisis-panel".*?</section>', re.S)


def _crisis_case(member, capture) -> CrisisCase:
    with capture(execute=True):
        services.member_asks_to_talk(member=member)
    return CrisisCase.objects.get(member=member)


# ----------------------------------------------------------------------------- who may open what


@pytest.fixture
def case(member, django_capture_on_commit_callbacks):
    return _crisis_case(member, django_capture_on_commit_callbacks)


@pytest.fixture
def message(member, case):
    return services.case_check_in_send(case=case, moderator=None)


MODERATOR_PAGES = [
    ("get", "moderation:dashboard", {}),
    ("get", "moderation:case_detail", {"case_id": "case"}),
    ("get", "moderation:member_safety_plan", {"user_id": "member"}),
    ("post", "moderation:duty_set", {}),
    ("post", "moderation:case_action", {"case_id": "case", "action": "acknowledge"}),
]


def _url(name: str, kwargs: dict, case, member) -> str:
    values = {"case": case.pk, "member": member.pk}
    return reverse(name, kwargs={key: values.get(value, value) for key, value in kwargs.items()})


@pytest.mark.parametrize(("method", "name", "kwargs"), MODERATOR_PAGES)
def test_moderator_pages_send_anonymous_visitors_to_sign_in_and_refuse_members(
    method, name, kwargs, case, member, other_member, moderator
):
    url = _url(name, kwargs, case, member)
    anonymous = getattr(Client(), method)(url)
    assert anonymous.status_code == 302 and "/accounts/login/" in anonymous["Location"]
    for someone in (member, other_member):  # the case's own member too
        assert getattr(client_for(someone), method)(url).status_code == 403
    assert getattr(client_for(moderator), method)(url).status_code in (200, 302)


def test_an_unknown_case_action_is_404(case, moderator_client):
    url = reverse("moderation:case_action", kwargs={"case_id": case.pk, "action": "delete"})
    assert moderator_client.post(url).status_code == 404


def test_a_members_messages_from_the_team_are_theirs_alone(message, member, other_member, moderator):
    url = reverse("care:message_detail", kwargs={"message_id": message.pk})
    assert Client().get(url).status_code == 302
    assert client_for(other_member).get(url).status_code == 404
    assert client_for(moderator).get(url).status_code == 404  # moderators read it on the case page

    page = client_for(member).get(url)
    assert page.status_code == 200 and "988" in page.content.decode()
    assert "no-store" in page["Cache-Control"]
    message.refresh_from_db()
    assert message.read_at is not None
    assert "Check-in" in client_for(member).get(reverse("care:message_list")).content.decode()
    assert "Check-in" not in client_for(other_member).get(reverse("care:message_list")).content.decode()


# ----------------------------------------------------------------------------- the crisis panel


def _reply(client, group, topic, body):
    return client.post(
        reverse("groups:topic_reply", kwargs={"slug": group.slug, "topic_id": topic.pk}), {"body": body}, follow=True
    )


@pytest.fixture
def topic(group, group_member):
    return forum.topic_create(group=group, author=group_member, title="Evenings", body="How are your evenings?")


def test_a_member_who_posts_a_crisis_sees_the_crisis_panel_at_once_and_only_once(
    group, group_member, topic, member_client
):
    page = _reply(member_client, group, topic, CRISIS_TEXT).content.decode()

    panel = PANEL.search(page).group(0)
    assert 'href="tel:988"' in panel and 'href="tel:911"' in panel and "CIT" in panel
    assert reverse("care:talk") in panel and reverse("accounts:safety_plan") in panel
    assert CRISIS_TEXT.split(".")[0] in page  # the post itself is shown: never hidden for sounding unsafe
    assert not PANEL.search(member_client.get(topic.get_absolute_url()).content.decode())


def test_a_calm_reply_shows_no_panel(group, topic, member_client):
    assert not PANEL.search(_reply(member_client, group, topic, CALM_TEXT).content.decode())


def test_the_draft_check_answers_json_and_refuses_what_it_cannot_check(member, auth_client):
    url = reverse("care:draft_check")

    assert auth_client.post(url, {"text": CRISIS_TEXT}).json() == {"show_panel": True}
    assert auth_client.post(url, {"text": CALM_TEXT}).json() == {"show_panel": False}
    too_long = auth_client.post(url, {"text": "a" * 20001})
    assert too_long.status_code == 413 and too_long.json()["error"]["code"] == "too_long"
    assert auth_client.get(url).status_code == 405
    assert Client().post(url, {"text": CRISIS_TEXT}).status_code == 302
    csrf_client = Client(enforce_csrf_checks=True)
    csrf_client.force_login(member)
    assert csrf_client.post(url, {"text": CRISIS_TEXT}).status_code == 403


def test_the_draft_check_slows_down_a_flood_with_a_clear_error(auth_client):
    url = reverse("care:draft_check")
    answers = [auth_client.post(url, {"text": CALM_TEXT}) for _ in range(41)]
    assert answers[-1].status_code == 429 and answers[-1].json()["error"]["code"] == "too_fast"


def test_talk_to_a_moderator_opens_a_case_and_says_what_happens_next(auth_client, member, moderator):
    page = auth_client.post(reverse("care:talk"), follow=True).content.decode()

    assert CrisisCase.objects.get(member=member).origin == CrisisCase.Origin.MEMBER_ASKED
    assert "988" in page and "The moderators on duty have been told" in page


# ----------------------------------------------------------------------------- the dashboard and cases


def test_the_dashboard_lists_crisis_flags_before_concerns_with_their_signals(
    group, group_member, moderator_client, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        forum.topic_create(group=group, author=group_member, title="Work", body="I hate myself and nothing will ever get better.")
        forum.topic_create(group=group, author=group_member, title="Tonight", body=CRISIS_TEXT)
    Flag.objects.filter(level="concern").update(raised_at=timezone.now() - timedelta(hours=1))

    page = moderator_client.get(reverse("moderation:dashboard")).content.decode()

    assert page.index("Tonight") < page.index("Work")  # crisis first, though the concern is older
    assert "rule:" in page and "model:" in page
    assert "0 items waiting for assessment" in page


def test_a_case_action_without_text_keeps_the_form_and_says_why(case, moderator_client):
    note = moderator_client.post(
        reverse("moderation:case_action", kwargs={"case_id": case.pk, "action": "note"}), {"kind": "contact", "note": ""}
    )
    assert note.status_code == 400 and "This field is required" in note.content.decode()

    close = moderator_client.post(
        reverse("moderation:case_action", kwargs={"case_id": case.pk, "action": "close"}), {"outcome": ""}
    )
    assert close.status_code == 400
    case.refresh_from_db()
    assert case.status == CrisisCase.Status.OPEN


def test_a_follow_up_in_the_past_is_refused_with_the_typed_time_kept(case, moderator_client):
    response = moderator_client.post(
        reverse("moderation:case_action", kwargs={"case_id": case.pk, "action": "follow-up"}),
        {"due_at": "2020-01-01T10:00"},
    )
    assert response.status_code == 400
    assert "Choose a time in the future." in response.content.decode() and "2020-01-01" in response.content.decode()
    assert FollowUp.objects.filter(case=case).count() == 2  # only the default ones


def test_moderators_work_a_case_from_its_page(case, member, moderator, moderator_client):
    def act(action, data=None):
        return moderator_client.post(reverse("moderation:case_action", kwargs={"case_id": case.pk, "action": action}), data or {})

    act("acknowledge")
    act("note", {"kind": "contact", "note": "Sent a message; they answered."})
    act("check-in", {"note": "Thinking of you today."})
    act("follow-up", {"due_at": (timezone.now() + timedelta(days=2)).strftime("%Y-%m-%dT%H:%M")})
    act("close", {"outcome": "They are safe and seeing their doctor on Monday."})

    case.refresh_from_db()
    assert (case.status, case.acknowledged_by, case.closed_by) == (CrisisCase.Status.CLOSED, moderator, moderator)
    kinds = set(case.events.values_list("kind", flat=True))
    assert {CaseEvent.Kind.ACKNOWLEDGED, CaseEvent.Kind.CONTACT, CaseEvent.Kind.CHECK_IN_SENT, CaseEvent.Kind.CLOSED} <= kinds
    assert "Thinking of you today." in CareMessage.objects.get(recipient=member).body
    page = moderator_client.get(reverse("moderation:case_detail", kwargs={"case_id": case.pk})).content.decode()
    assert "They are safe and seeing their doctor on Monday." in page and "Close the case" not in page


def test_a_member_is_never_told_who_was_worried_and_moderator_notes_stay_private(
    group, group_member, moderator, django_capture_on_commit_callbacks
):
    from tests.groups.factories import MembershipFactory

    with django_capture_on_commit_callbacks(execute=True):
        topic = forum.topic_create(group=group, author=group_member, title="Hi", body=CALM_TEXT)
    worried = MembershipFactory(group=group).user
    with django_capture_on_commit_callbacks(execute=True):
        services.report_create(reporter=worried, post=topic.posts.get(), reason="worried", note="They seemed so low.")
    case = CrisisCase.objects.get()
    services.case_note_add(case=case, moderator=moderator, kind=CaseEvent.Kind.NOTE, note="Private moderator note.")

    client = client_for(group_member)
    message = CareMessage.objects.get(recipient=group_member)
    page = client.get(reverse("care:message_detail", kwargs={"message_id": message.pk})).content.decode()
    assert worried.display_name not in page and "They seemed so low." not in page
    assert "Private moderator note." not in page


def test_moderators_see_a_safety_plan_only_when_the_member_shares_it(member, moderator_client):
    url = reverse("moderation:member_safety_plan", kwargs={"user_id": member.pk})
    safety_plan_update(user=member, data={"warning_signs": "I stop answering messages.", "shared_with_moderators": False})
    assert "I stop answering messages." not in moderator_client.get(url).content.decode()

    safety_plan_update(user=member, data={"shared_with_moderators": True})
    assert "I stop answering messages." in moderator_client.get(url).content.decode()


def test_going_on_duty_routes_the_next_alert_to_me(moderator, moderator_client, member, django_capture_on_commit_callbacks):
    from django.core import mail

    UserFactory(is_moderator=True)
    moderator_client.post(reverse("moderation:duty_set"), {"on_duty": "1"})

    _crisis_case(member, django_capture_on_commit_callbacks)

    assert [m.to for m in mail.outbox] == [[moderator.email]]
    assert "You are on duty" in moderator_client.get(reverse("moderation:dashboard")).content.decode()
