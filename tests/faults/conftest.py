"""Fixtures for the fault tests: a group with a member, the Celery worker and the private Redis."""
from tests.support.fixtures import group, group_member  # noqa: F401
from tests.support.workers import (  # noqa: F401
    private_redis,
    site_on_private_redis,
    start_worker,
    tasks_sent_to_the_broker,
)
