"""The Celery app: reliability settings, on-commit queuing, and a real worker over Redis."""
import os

import pytest
from django.db import transaction
from django.urls import reverse

from platform_site.celery import app
from platform_site.health import worker_is_responsive, worker_last_seen
from platform_site.tasks import worker_heartbeat


def test_tasks_survive_a_killed_worker_and_never_run_stale():
    conf = app.conf
    assert conf.task_acks_late is True
    assert conf.task_reject_on_worker_lost is True
    assert conf.worker_prefetch_multiplier == 1
    assert conf.accept_content == ["json"] and conf.task_serializer == "json"
    assert 0 < conf.task_soft_time_limit < conf.task_time_limit
    # Redis would redeliver a task still waiting on its countdown after the visibility timeout.
    from django.conf import settings

    assert conf.broker_transport_options["visibility_timeout"] > settings.CELERY_MAX_COUNTDOWN.total_seconds()
    assert "worker-heartbeat" in conf.beat_schedule


@pytest.mark.django_db(transaction=True)
def test_a_task_queued_on_commit_does_not_run_when_the_transaction_rolls_back():
    with pytest.raises(RuntimeError):
        with transaction.atomic():
            worker_heartbeat.delay_on_commit()
            raise RuntimeError("rolled back")
    assert worker_last_seen() is None

    with transaction.atomic():
        worker_heartbeat.delay_on_commit()
        assert worker_last_seen() is None
    assert worker_last_seen() is not None


@pytest.mark.django_db
def test_moderators_see_when_a_worker_last_answered(moderator_client):
    worker_heartbeat.delay()
    response = moderator_client.get(reverse("moderation:dashboard"))
    assert "Background workers are answering." in response.content.decode()
    assert "<time datetime=" in response.content.decode()


@pytest.mark.django_db
def test_moderators_are_warned_when_no_worker_answers(moderator_client, settings):
    settings.CELERY_TASK_ALWAYS_EAGER = False
    assert worker_is_responsive() is False
    response = moderator_client.get(reverse("moderation:dashboard"))
    assert "No background worker has answered recently" in response.content.decode()


@pytest.mark.redis
@pytest.mark.skipif(not os.environ.get("REDIS_URL"), reason="needs REDIS_URL (CI's second configuration)")
def test_a_real_worker_consumes_tasks_from_redis(settings):
    from celery.contrib.testing.worker import start_worker

    settings.CELERY_TASK_ALWAYS_EAGER = False
    app.conf.task_always_eager = False
    try:
        with start_worker(app, pool="solo", perform_ping_check=False, shutdown_timeout=10):
            worker_heartbeat.delay()
            # The heartbeat lands in the shared cache from the worker thread.
            import time

            deadline = time.monotonic() + 15
            while worker_last_seen() is None and time.monotonic() < deadline:
                time.sleep(0.1)
        assert worker_last_seen() is not None
        assert worker_is_responsive() is True
    finally:
        app.conf.task_always_eager = True
