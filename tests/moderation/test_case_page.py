"""A crisis case's page shows the words that raised it (as they were assessed) and the rules that
heard them; and a case whose member deletes their account says so, cancels what was still to be
sent, and "I'm worried about this person" is no longer offered on their former posts."""
import re

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from groups import services as forum
from moderation import services
from moderation.models import CaseEvent, CrisisCase, FollowUp, Report
from tests.factories import DEFAULT_PASSWORD
from tests.groups.factories import MembershipFactory
from tests.groups.helpers import client_for, text_of
from tests.support.risk_texts import CRISIS_TEXT

pytestmark = pytest.mark.django_db

LATER_WORDS = "Sorry, I was low last night. I feel a little steadier this morning."


def _case_page(client, case) -> str:
    return text_of(client.get(reverse("moderation:case_detail", kwargs={"case_id": case.pk})))


def _words_section(page: str) -> str:
    return page[page.index('id="words-heading"'):page.index('id="timeline-heading"')]


@pytest.fixture
def crisis_topic(group, group_member, moderator, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        return forum.topic_create(group=group, author=group_member, title="Tonight", body=CRISIS_TEXT)


def test_the_case_page_shows_the_words_that_raised_it_and_the_rules_that_heard_them(
    crisis_topic, group_member, moderator_client
):
    case = CrisisCase.objects.get(member=group_member)
    words = _words_section(_case_page(moderator_client, case))

    assert "I have decided to kill myself tonight." in words
    assert re.search(r"<li>rule: \S", words)  # each rule signal's description
    assert "model: crisis" in words  # moderators only: the page is theirs


def test_the_words_stay_as_they_were_assessed_after_the_post_is_edited(
    crisis_topic, group_member, moderator_client, django_capture_on_commit_callbacks
):
    case = CrisisCase.objects.get(member=group_member)
    with django_capture_on_commit_callbacks(execute=True):
        forum.post_edit(post=crisis_topic.posts.get(), editor=group_member, body=LATER_WORDS)

    words = _words_section(_case_page(moderator_client, case))
    assert "I have decided to kill myself tonight." in words and "version 1" in words


def test_a_member_never_sees_the_case_page_or_its_words(crisis_topic, group_member):
    case = CrisisCase.objects.get(member=group_member)
    url = reverse("moderation:case_detail", kwargs={"case_id": case.pk})
    assert client_for(group_member).get(url).status_code == 403
    assert Client().get(url).status_code == 302


# ----------------------------------------------------------------------------- accounts that end


def _delete_account(user, contributions: str = "keep") -> None:
    client = client_for(user)
    response = client.post(reverse("accounts:account_delete"), {"password": DEFAULT_PASSWORD, "contributions": contributions})
    assert response.status_code == 200 and not type(user).objects.filter(pk=user.pk).exists()


def test_a_member_with_an_open_case_deletes_their_account_and_the_case_says_so(
    crisis_topic, group, group_member, moderator_client, django_capture_on_commit_callbacks
):
    case = CrisisCase.objects.get(member=group_member)
    assert FollowUp.objects.filter(case=case, cancelled_at__isnull=True).count() == 2

    with django_capture_on_commit_callbacks(execute=True):
        _delete_account(group_member)

    case.refresh_from_db()
    assert case.status == CrisisCase.Status.OPEN and case.member is None and case.member_left_at is not None
    assert case.events.filter(kind=CaseEvent.Kind.MEMBER_LEFT).count() == 1
    assert not FollowUp.objects.filter(case=case, cancelled_at__isnull=True).exists()
    assert services.follow_ups_send_due(now=timezone.now() + timezone.timedelta(days=4)) == 0
    page = _case_page(moderator_client, case)
    assert "The member deleted their account on" in page and "The member deleted their account</strong>" in page
    assert "Answer the member" not in page and "Send a check-in now" not in page
    assert "Close the case" in page  # the team still closes it with a note
    # The words were kept ("a former member"), so the case still shows what raised it.
    assert "I have decided to kill myself tonight." in _words_section(page)


def test_when_the_words_went_with_the_account_the_case_page_says_so(
    crisis_topic, group_member, moderator_client, django_capture_on_commit_callbacks
):
    case = CrisisCase.objects.get(member=group_member)
    with django_capture_on_commit_callbacks(execute=True):
        _delete_account(group_member, contributions="remove")

    words = _words_section(_case_page(moderator_client, case))
    assert "I have decided to kill myself" not in words and "erased with the member" in words


def test_worried_about_this_person_is_not_offered_on_a_former_members_posts_and_is_refused(
    crisis_topic, group, group_member, django_capture_on_commit_callbacks
):
    reader = MembershipFactory(group=group).user
    as_reader = client_for(reader)
    post = crisis_topic.posts.get()
    worried_link = f"/posts/{post.pk}/report/?reason=worried"
    assert worried_link in text_of(as_reader.get(crisis_topic.get_absolute_url()))

    with django_capture_on_commit_callbacks(execute=True):
        _delete_account(group_member)

    page = text_of(as_reader.get(crisis_topic.get_absolute_url()))
    assert worried_link not in page and f"/posts/{post.pk}/report/" in page  # an ordinary report still can be made
    report_url = reverse("groups:post_report", kwargs={"slug": group.slug, "post_id": post.pk})
    refused = as_reader.post(report_url, {"reason": "worried", "note": "I hope they are all right."})
    assert refused.status_code == 200 and "has left Thaw, so there is no one we can check in with" in text_of(refused)
    assert "I hope they are all right." in text_of(refused)
    assert not Report.objects.filter(reason="worried").exists()
    assert as_reader.post(report_url, {"reason": "other", "note": "Please look."}).status_code == 200
    assert Report.objects.filter(reason="other", post=post).exists()
