"""Fixtures for the fault tests, shared with the risk pipeline's fault tests and the room scale test."""
from tests.groups.conftest import group, group_member  # noqa: F401
from tests.moderation.test_pipeline_faults import (  # noqa: F401
    private_redis,
    site_on_private_redis,
    start_worker,
    tasks_sent_to_the_broker,
)
