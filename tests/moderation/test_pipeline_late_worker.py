"""The worker late: a crisis post edited or deleted before its assessment ran still ends in one
crisis flag and one case. Every version is assessed from its own words (revisions are kept), so
taking words back never takes them out of the moderators' sight.

The member acts through the site's pages; the queued tasks are held (as in a broker whose worker
is busy) and delivered afterwards, in order.
"""
from unittest import mock

import pytest
from django.core import mail
from django.urls import reverse

from moderation import tasks
from moderation.models import CrisisCase, Flag, RiskAssessment
from tests.groups.helpers import client_for
from tests.support.risk_texts import CRISIS_TEXTS, ORDINARY_TEXTS

pytestmark = pytest.mark.django_db

CRISIS = CRISIS_TEXTS[4]
CALM = ORDINARY_TEXTS[1]
CALMER = "Sorry, ignore that. I'm okay, just tired. Going to bed."


class LateWorker:
    """Holds every risk task queued, as a broker would while its worker is busy, until `catch_up`."""

    def __init__(self):
        self.queued: list[int] = []

    def delay(self, assessment_id: int) -> None:
        self.queued.append(assessment_id)

    def catch_up(self, capture) -> None:
        with capture(execute=True):
            for assessment_id in self.queued:
                tasks.risk_assess_task.apply(args=[assessment_id])
        self.queued.clear()


@pytest.fixture
def late_worker(monkeypatch):
    worker = LateWorker()
    monkeypatch.setattr(tasks.risk_assess_task, "delay", worker.delay)
    return worker


@pytest.fixture
def moderator_alerted(moderator):
    return moderator


def _post_topic(client, group, body, capture) -> int:
    with capture(execute=True):
        response = client.post(reverse("groups:topic_new", kwargs={"slug": group.slug}), {"title": "Tonight", "body": body})
    assert response.status_code == 302
    return forum_post_id(group)


def forum_post_id(group) -> int:
    from groups.models import Post

    return Post.objects.filter(topic__group=group).latest("pk").pk


def _edit(client, group, post_id, body, capture) -> None:
    with capture(execute=True):
        response = client.post(
            reverse("groups:post_edit", kwargs={"slug": group.slug, "post_id": post_id}), {"title": "Tonight", "body": body}
        )
    assert response.status_code == 302


def _delete(client, group, post_id) -> None:
    response = client.post(reverse("groups:post_delete", kwargs={"slug": group.slug, "post_id": post_id}))
    assert response.status_code == 302


def _the_one_crisis(member) -> Flag:
    flags = Flag.objects.filter(author=member)
    assert [flag.level for flag in flags] == ["crisis"]
    case = CrisisCase.objects.get(member=member)
    assert case.flag == flags[0]
    return flags[0]


def test_a_crisis_deleted_before_the_worker_ran_still_reaches_a_moderator(
    django_capture_on_commit_callbacks, group, group_member, moderator_alerted, late_worker
):
    client = client_for(group_member)
    post_id = _post_topic(client, group, CRISIS, django_capture_on_commit_callbacks)
    _delete(client, group, post_id)

    late_worker.catch_up(django_capture_on_commit_callbacks)

    flag = _the_one_crisis(group_member)
    assert (flag.content_kind, flag.content_id, flag.assessment.content_version) == ("post", post_id, 1)
    assert RiskAssessment.objects.get().status == RiskAssessment.Status.ASSESSED
    assert [message.to for message in mail.outbox] == [[moderator_alerted.email]]


def test_a_crisis_edited_to_calm_before_the_worker_ran_is_a_crisis_flag_not_a_concern(
    django_capture_on_commit_callbacks, group, group_member, moderator_alerted, late_worker
):
    client = client_for(group_member)
    post_id = _post_topic(client, group, CRISIS, django_capture_on_commit_callbacks)
    _edit(client, group, post_id, CALM, django_capture_on_commit_callbacks)

    late_worker.catch_up(django_capture_on_commit_callbacks)

    flag = _the_one_crisis(group_member)
    assert flag.assessment.content_version == 1
    levels = dict(RiskAssessment.objects.values_list("content_version", "level"))
    assert levels == {1: "crisis", 2: "none"}
    assert len(mail.outbox) == 1


def test_a_crisis_edited_twice_before_the_worker_ran_is_one_crisis_flag_and_one_case(
    django_capture_on_commit_callbacks, group, group_member, moderator_alerted, late_worker
):
    client = client_for(group_member)
    post_id = _post_topic(client, group, CRISIS, django_capture_on_commit_callbacks)
    _edit(client, group, post_id, CALM, django_capture_on_commit_callbacks)
    _edit(client, group, post_id, CALMER, django_capture_on_commit_callbacks)

    late_worker.catch_up(django_capture_on_commit_callbacks)

    _the_one_crisis(group_member)
    assert RiskAssessment.objects.filter(status=RiskAssessment.Status.ASSESSED).count() == 3
    assert len(mail.outbox) == 1


def test_a_calm_post_edited_into_a_crisis_and_back_keeps_the_crisis_version(
    django_capture_on_commit_callbacks, group, group_member, moderator_alerted, late_worker
):
    client = client_for(group_member)
    post_id = _post_topic(client, group, CALM, django_capture_on_commit_callbacks)
    _edit(client, group, post_id, CRISIS, django_capture_on_commit_callbacks)
    _edit(client, group, post_id, CALMER, django_capture_on_commit_callbacks)
    _delete(client, group, post_id)

    late_worker.catch_up(django_capture_on_commit_callbacks)

    assert _the_one_crisis(group_member).assessment.content_version == 2


def test_the_sweep_assesses_each_version_after_the_broker_was_down(
    django_capture_on_commit_callbacks, group, group_member, moderator_alerted
):
    # Nothing reached a worker at all: the sweep, running in process, assesses every version.
    from datetime import timedelta

    from django.utils import timezone

    from moderation.services import risk_pending_assess_inline

    client = client_for(group_member)
    with mock.patch.object(tasks.risk_assess_task, "delay", side_effect=ConnectionError("broker down")):
        post_id = _post_topic(client, group, CRISIS, django_capture_on_commit_callbacks)
        _edit(client, group, post_id, CALM, django_capture_on_commit_callbacks)
        _delete(client, group, post_id)
    assert RiskAssessment.objects.filter(status=RiskAssessment.Status.PENDING).count() == 2

    with django_capture_on_commit_callbacks(execute=True):
        assert risk_pending_assess_inline(now=timezone.now() + timedelta(minutes=2)) == 2

    _the_one_crisis(group_member)


def test_words_erased_with_the_account_are_skipped_not_assessed(
    django_capture_on_commit_callbacks, group, group_member, late_worker
):
    # The only case where an assessment is skipped: the member deleted their account and their words.
    from accounts.services import account_delete

    client = client_for(group_member)
    _post_topic(client, group, CALM, django_capture_on_commit_callbacks)
    account_delete(user=group_member, keep_contributions=False)

    late_worker.catch_up(django_capture_on_commit_callbacks)

    assert RiskAssessment.objects.get().status == RiskAssessment.Status.SKIPPED
    assert not Flag.objects.exists()


def test_a_crisis_title_taken_back_by_an_edit_is_still_read_as_written(
    django_capture_on_commit_callbacks, group, group_member, late_worker
):
    # An opening post's title is part of what was said: the revision keeps the title it had.
    client = client_for(group_member)
    with django_capture_on_commit_callbacks(execute=True):
        client.post(
            reverse("groups:topic_new", kwargs={"slug": group.slug}),
            {"title": "I am going to kill myself tonight", "body": "That's all."},
        )
    post_id = forum_post_id(group)
    with django_capture_on_commit_callbacks(execute=True):
        client.post(
            reverse("groups:post_edit", kwargs={"slug": group.slug, "post_id": post_id}),
            {"title": "A hard night", "body": "That's all."},
        )

    late_worker.catch_up(django_capture_on_commit_callbacks)

    assert _the_one_crisis(group_member).assessment.content_version == 1
