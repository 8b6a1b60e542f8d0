"""Members report posts to the moderators; the author is never told who reported."""
import re

import pytest
from django.urls import reverse

from groups import services
from moderation.models import Report
from moderation.selectors import report_list_open
from moderation.services import report_create
from tests.factories import UserFactory
from tests.groups.factories import MembershipFactory, SupportGroupFactory, TopicFactory
from tests.groups.helpers import client_for, text_of


@pytest.fixture
def author(group):
    return MembershipFactory(group=group).user


@pytest.fixture
def post(group, author):
    topic = services.topic_create(group=group, author=author, title="Nothing feels real", body="Some days I feel nothing.")
    return topic.posts.get()


@pytest.fixture
def reporter(group):
    return MembershipFactory(group=group).user


def _checked_reasons(html: str) -> list[str]:
    inputs = re.findall(r'<input[^>]*name="reason"[^>]*>', html)
    return [re.search(r'value="([^"]*)"', tag).group(1) for tag in inputs if re.search(r"\schecked\b", tag)]


def _report_url(post):
    return reverse("groups:post_report", kwargs={"slug": post.topic.group.slug, "post_id": post.pk})


def test_a_report_goes_to_the_moderation_queue_and_the_reporter_is_thanked(post, reporter, moderator):
    response = client_for(reporter).post(_report_url(post), {"reason": "harassment", "note": "Unkind to a newcomer."})

    assert response.status_code == 200
    page = text_of(response)
    assert "Thank you for telling us" in page
    assert "A moderator will look at it. The author will not be told who reported it." in page
    report = Report.objects.get()
    assert (report.post, report.reporter, report.reason, report.status) == (post, reporter, "harassment", Report.Status.OPEN)
    assert list(report_list_open()) == [report]
    queue = text_of(client_for(moderator).get(reverse("moderation:dashboard")))
    assert "Nothing feels real" in queue and "Unkind to a newcomer." in queue


def test_the_worried_path_starts_from_the_post_and_answers_with_care(post, group, reporter):
    client = client_for(reporter)
    topic_page = text_of(client.get(post.topic.get_absolute_url()))
    worried_link = f"{_report_url(post)}?reason=worried"
    assert f'href="{worried_link}"' in topic_page

    form_page = text_of(client.get(worried_link))
    response = client.post(_report_url(post), {"reason": "worried"})

    assert _checked_reasons(form_page) == ["worried"]
    page = text_of(response)
    assert "Caring about someone here matters." in page
    assert "They will not be told who asked." in page
    assert reverse("resources:crisis") in page
    assert Report.objects.get().reason == Report.Reason.WORRIED


def test_the_author_never_sees_who_reported_their_post(post, group, author, reporter):
    client_for(reporter).post(_report_url(post), {"reason": "worried", "note": "Their last post scared me."})

    author_client = client_for(author)
    pages = [
        author_client.get(post.topic.get_absolute_url()),
        author_client.get(group.get_absolute_url()),
        author_client.get(reverse("accounts:notifications")),
        author_client.get(reverse("groups:mine")),
    ]

    for response in pages:
        assert response.status_code == 200
        assert reporter.display_name not in text_of(response)
        assert "Their last post scared me." not in text_of(response)


def test_reporting_your_own_post_is_refused(post, author):
    response = client_for(author).post(_report_url(post), {"reason": "spam"})

    assert response.status_code == 200
    assert "You can&#x27;t report your own post. To take it down, delete it." in text_of(response)
    assert not Report.objects.exists()


def test_reporting_the_same_post_twice_keeps_one_open_report(post, reporter):
    client = client_for(reporter)

    first = report_create(reporter=reporter, post=post, reason="spam")
    second = report_create(reporter=reporter, post=post, reason="harassment", note="And again.")
    response = client.post(_report_url(post), {"reason": "other"})

    assert second.pk == first.pk
    assert "Thank you for telling us" in text_of(response)
    assert Report.objects.count() == 1


def test_a_new_report_is_possible_once_the_first_was_resolved(post, reporter):
    first = report_create(reporter=reporter, post=post, reason="spam")
    Report.objects.filter(pk=first.pk).update(status=Report.Status.RESOLVED)

    second = report_create(reporter=reporter, post=post, reason="spam")

    assert second.pk != first.pk and second.status == Report.Status.OPEN


def test_a_non_member_cannot_report_a_post_in_a_listed_group(post):
    response = client_for(UserFactory()).post(_report_url(post), {"reason": "spam"})

    assert response.status_code == 403
    assert not Report.objects.exists()


def test_a_non_member_cannot_even_find_a_post_in_a_private_group(db):
    topic = TopicFactory(group=SupportGroupFactory(private=True))
    post = topic.posts.get()

    outsider = client_for(UserFactory())
    assert outsider.get(_report_url(post)).status_code == 404
    assert outsider.post(_report_url(post), {"reason": "spam"}).status_code == 404
    assert not Report.objects.exists()
