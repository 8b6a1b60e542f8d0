import pytest

from tests.support.fixtures import (  # noqa: F401  (fixtures shared with the groups tests)
    facilitator_client,
    group,
    group_facilitator,
    group_member,
    listen,
    member_client,
)
# The texts live in tests/support/risk_texts.py. Importing them from here is kept for
# test_risk_model.py, test_risk_rules.py and test_risk_operating_point.py until they move too.
from tests.support.risk_texts import CALM_TEXT, CRISIS_TEXT
from tests.support.workers import (  # noqa: F401  (fixtures of test_pipeline_faults.py)
    private_redis,
    site_on_private_redis,
    start_worker,
    tasks_sent_to_the_broker,
)


@pytest.fixture
def crisis_text() -> str:
    return CRISIS_TEXT


@pytest.fixture
def calm_text() -> str:
    return CALM_TEXT
