"""The XSS corpus typed into the real forms and room frames that test_xss_sitewide.py (which writes
through services) and tests/groups/test_xss_and_csrf.py (forum and group text) do not use: profile
pronouns, the safety plan form, review requests and a moderator's answer, every moderator form
(warnings, sanctions and their lifting, notes, flag decisions, hand-overs, held posts, cases,
watched phrases), a facilitator hiding a post, sessions and series, and the live room's frames.

Each test enters every text through the page, as a person would, then reads every page that shows
it (to its author, to peers, to facilitators and moderators), refused forms that give the text
back, and the e-mails sent on the way.
"""
import pytest
from django.core import mail
from django.urls import reverse

from accounts.models import SafetyPlan
from accounts.notifications import notification_digest_send
from moderation.models import CareMessage, ReviewRequest
from tests.factories import UserFactory
from tests.groups.helpers import client_for
from tests.hostile.checks import assert_e_mails_quote_no_one, assert_pages_run_no_script, assert_pages_show
from tests.hostile.xss_corpus import VECTORS


def _digest_on(*users) -> None:
    for user in users:
        user.profile.email_digest = True
        user.profile.save(update_fields=["email_digest"])


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
