"""The risk pipeline under faults, with the real services: PostgreSQL, Redis and a Celery worker.

test_pipeline.py proves the pipeline's logic on the embedded services. These tests prove that its
promises hold when things break the way they do in production: Redis stops while a member posts,
a worker process is killed in the middle of a task, a task is delivered twice. The worker is a
separate process (as in production) on the test database, so every row it must see is committed
(transaction=True), and outcomes are awaited by polling the database until a deadline.
"""
import os
import re
import signal
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import timedelta

import pytest
from django.db import connection, transaction
from django.urls import reverse
from django.utils import timezone

from groups import services as forum
from groups.models import Post
from moderation.models import CrisisAlert, CrisisCase, Flag, FollowUp, RiskAssessment
from moderation.services import risk_pending_requeue
from moderation.tasks import risk_assess_task
from tests.factories import UserFactory
from tests.groups.factories import TopicFactory
from tests.support.risk_texts import CRISIS_TEXT
from tests.support.services import ON_POSTGRESQL, REDIS_URL
from tests.support.workers import active_tasks, wait_until

pytestmark = [
    pytest.mark.redis,
    pytest.mark.serial,  # real worker or server processes, timed: after the parallel part
    pytest.mark.skipif(
        not REDIS_URL, reason="needs REDIS_URL: a real broker for a real Celery worker (CI's second run)"
    ),
    pytest.mark.skipif(
        not ON_POSTGRESQL,
        reason="needs a PostgreSQL DATABASE_URL: the worker process must share the test database, and row locks "
        "must be real (CI's second run)",
    ),
]

# The worker, the private Redis and the broker switch are in tests/support/workers.py; the
# fixtures come through tests/moderation/conftest.py.


# ----------------------------------------------------------------------------- the database


@contextmanager
def row_locked(model, pk: int) -> Iterator[None]:
    """Hold a row lock (SELECT ... FOR UPDATE) from another thread, so a task that needs it blocks.

    The thread has a database connection of its own, as another request or worker would.
    """
    locked, release = threading.Event(), threading.Event()
    failure: list[BaseException] = []

    def hold() -> None:
        try:
            with transaction.atomic():
                model.objects.select_for_update().get(pk=pk)
                locked.set()
                release.wait(timeout=60)
        except BaseException as error:  # reported in the test's thread
            failure.append(error)
            locked.set()
        finally:
            connection.close()  # this thread's own connection

    thread = threading.Thread(target=hold, daemon=True)
    thread.start()
    try:
        assert locked.wait(timeout=10) and not failure, failure
        yield
    finally:
        release.set()
        thread.join(timeout=10)


def _backends_waiting_on_assessments() -> int:
    """Database sessions blocked on a lock in a query on risk assessments (a task at its first step)."""
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT count(*) FROM pg_stat_activity WHERE datname = current_database() "
            "AND wait_event_type = 'Lock' AND query LIKE %s",
            ["%moderation_riskassessment%"],
        )
        return cursor.fetchone()[0]


def _assessment_status(assessment_id: int) -> str | None:
    return RiskAssessment.objects.filter(pk=assessment_id).values_list("status", flat=True).first()


def _assert_assessed_once_as_a_crisis(*, post: Post, moderators) -> None:
    """One assessment, one flag, one case, one alert per moderator per channel, two follow-ups."""
    assessment = RiskAssessment.objects.get(content_kind="post", content_id=post.pk)
    assert (assessment.status, assessment.level) == (RiskAssessment.Status.ASSESSED, "crisis")
    assert list(Flag.objects.values_list("assessment_id", flat=True)) == [assessment.pk]
    case = CrisisCase.objects.get()
    assert case.member_id == post.author_id
    assert sorted(CrisisAlert.objects.values_list("case_id", "moderator_id", "channel")) == sorted(
        (case.pk, moderator.pk, channel) for moderator in moderators for channel in CrisisAlert.Channel.values
    )
    assert FollowUp.objects.filter(case=case).count() == 2 and FollowUp.objects.count() == 2


@pytest.fixture
def moderators(db) -> list:
    return [UserFactory(is_moderator=True), UserFactory(is_moderator=True)]


# ----------------------------------------------------------------------------- the tests


@pytest.mark.django_db(transaction=True)
def test_redis_stopped_while_a_member_posts_a_crisis_reply_they_see_help_and_the_sweep_assesses_it_later(
    site_on_private_redis, start_worker, group, group_member, moderator, client
):
    redis_server = site_on_private_redis
    topic = TopicFactory(group=group, author=group_member)  # a calm opening post, no assessment
    client.force_login(group_member)
    redis_server.stop()

    started = time.monotonic()
    response = client.post(
        reverse("groups:topic_reply", kwargs={"slug": group.slug, "topic_id": topic.pk}), {"body": CRISIS_TEXT}
    )
    elapsed = time.monotonic() - started

    # Broker, cache and channel layer all down: the member's reply is saved all the same, without
    # an error and without hanging, and the next page shows them the crisis lines.
    assert response.status_code == 302, response.content.decode()[:2000]
    assert elapsed < 10, f"the request took {elapsed:.1f} s with Redis down"
    post = Post.objects.get(topic=topic, is_opening=False)
    assert (post.author, post.body) == (group_member, CRISIS_TEXT)
    page = client.get(response.url, follow=True).content.decode()
    # The panel shown after posting, not the draft panel's <template> that every page carries.
    shown_panel = re.search(r'id="crisis-panel".*?</section>', page, re.DOTALL)
    assert shown_panel, "the crisis panel was not shown"
    assert "Talk to a moderator now" in shown_panel.group() and 'href="tel:988"' in shown_panel.group()
    assessment = RiskAssessment.objects.get(content_kind="post", content_id=post.pk)
    assert (assessment.status, assessment.enqueue_count) == (RiskAssessment.Status.PENDING, 0)

    # Redis is back, empty; a worker is up. The sweep (beat, every 30 s) finds the stale row.
    redis_server.start()
    worker = start_worker(redis_url=redis_server.url)
    in_a_minute = timezone.now() + timedelta(seconds=61)
    assert risk_pending_requeue(now=in_a_minute) == 1
    wait_until(lambda: _assessment_status(assessment.pk) == RiskAssessment.Status.ASSESSED, what="the assessment")

    wait_until(lambda: active_tasks(worker) == [], what="the worker to finish")
    _assert_assessed_once_as_a_crisis(post=post, moderators=[moderator])
    assert RiskAssessment.objects.get(pk=assessment.pk).enqueue_count == 1
    assert worker.task_failures() == []

    # A later sweep finds nothing pending: it queues nothing, and nothing changes.
    assert risk_pending_requeue(now=in_a_minute + timedelta(seconds=30)) == 0
    _assert_assessed_once_as_a_crisis(post=post, moderators=[moderator])


@pytest.mark.django_db(transaction=True)
def test_a_worker_killed_mid_task_has_the_task_delivered_again_and_everything_happens_once(
    tasks_sent_to_the_broker, start_worker, group, group_member, moderators
):
    # Queued for real on commit; no worker yet, so nothing can take it before the row is locked.
    topic = forum.topic_create(group=group, author=group_member, title="Tonight", body=CRISIS_TEXT)
    post = topic.posts.get()
    assessment = RiskAssessment.objects.get(content_kind="post", content_id=post.pk)
    assert (assessment.status, assessment.enqueue_count) == (RiskAssessment.Status.PENDING, 1)

    with row_locked(RiskAssessment, assessment.pk):
        worker = start_worker(redis_url=REDIS_URL, concurrency=1)
        # The task is inside its transaction, waiting for the row: killed now, it has written
        # nothing, and only the broker still holds it (unacknowledged: acks_late).
        wait_until(_backends_waiting_on_assessments, what="the task to wait for the locked row")

        def pid_running_the_task() -> int | None:
            for task in active_tasks(worker) or []:
                if task["name"] == risk_assess_task.name and list(task["args"]) == [assessment.pk]:
                    return task.get("worker_pid")
            return None

        pid = wait_until(pid_running_the_task, what="the task among the worker's active tasks")
        assert pid != worker.process.pid  # a pool child, not the worker itself
        os.kill(pid, signal.SIGKILL)

    # acks_late + reject_on_worker_lost: the broker hands the task to the worker's new child.
    wait_until(lambda: _assessment_status(assessment.pk) == RiskAssessment.Status.ASSESSED, what="the redelivery")
    wait_until(lambda: active_tasks(worker) == [], what="the worker to finish")
    _assert_assessed_once_as_a_crisis(post=post, moderators=moderators)
    assert RiskAssessment.objects.get(pk=assessment.pk).enqueue_count == 1  # redelivered, not re-queued
    assert worker.task_failures() == []


@pytest.mark.django_db(transaction=True)
def test_the_same_task_delivered_twice_at_once_is_assessed_once(
    tasks_sent_to_the_broker, start_worker, group, group_member, moderators
):
    topic = forum.topic_create(group=group, author=group_member, title="Tonight", body=CRISIS_TEXT)
    post = topic.posts.get()
    assessment = RiskAssessment.objects.get(content_kind="post", content_id=post.pk)
    # The first delivery was queued on commit; a second copy as the sweep or a broker's
    # redelivery would send it.
    risk_assess_task.delay(assessment.pk)

    # Two pool processes, one copy each; the lock holds both at the door so they race for real.
    with row_locked(RiskAssessment, assessment.pk):
        worker = start_worker(redis_url=REDIS_URL, concurrency=2)
        wait_until(lambda: _backends_waiting_on_assessments() == 2, what="both copies to wait for the row")

    # One takes the row and assesses it; the other gets the row after that commit, finds it done.
    wait_until(lambda: active_tasks(worker) == [], what="both copies to finish")
    _assert_assessed_once_as_a_crisis(post=post, moderators=moderators)
    # Found done, not stopped by a unique constraint (the flag's one-to-one would also stop it).
    assert worker.task_failures() == []


@pytest.mark.django_db(transaction=True)
def test_a_real_worker_late_after_the_member_edited_and_deleted_a_crisis_still_raises_one_crisis_and_one_case(
    tasks_sent_to_the_broker, start_worker, group, group_member, moderators, client
):
    # The member posts, takes it back by an edit, then deletes it, all before any worker runs:
    # each version's task waits in the broker. When the worker comes, every version is assessed
    # from its own words: the crisis is not lost to the edit or the deletion.
    client.force_login(group_member)
    client.post(reverse("groups:topic_new", kwargs={"slug": group.slug}), {"title": "Tonight", "body": CRISIS_TEXT})
    post = Post.objects.get(topic__group=group, author=group_member)
    edit_url = reverse("groups:post_edit", kwargs={"slug": group.slug, "post_id": post.pk})
    assert client.post(edit_url, {"title": "Tonight", "body": "Sorry, ignore me. I'm fine."}).status_code == 302
    assert client.post(reverse("groups:post_delete", kwargs={"slug": group.slug, "post_id": post.pk})).status_code == 302
    assert RiskAssessment.objects.filter(status=RiskAssessment.Status.PENDING).count() == 2

    worker = start_worker(redis_url=REDIS_URL, concurrency=1)

    wait_until(lambda: not RiskAssessment.objects.filter(status=RiskAssessment.Status.PENDING).exists(), what="both versions")
    wait_until(lambda: active_tasks(worker) == [], what="the worker to finish")
    levels = dict(RiskAssessment.objects.values_list("content_version", "level"))
    assert levels == {1: "crisis", 2: "none"}
    assert list(Flag.objects.values_list("level", "assessment__content_version")) == [("crisis", 1)]
    assert CrisisCase.objects.get().member == group_member
    assert CrisisAlert.objects.filter(channel=CrisisAlert.Channel.EMAIL).count() == len(moderators)
    assert worker.task_failures() == []
