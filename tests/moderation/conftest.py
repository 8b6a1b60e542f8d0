import pytest

from tests.groups.conftest import (  # noqa: F401  (fixtures shared with the groups tests)
    facilitator_client,
    group,
    group_facilitator,
    group_member,
    listen,
    member_client,
)

# Written for these tests: a text the rule layer must treat as a crisis, one it must not.
CRISIS_TEXT = "I have decided to kill myself tonight. I wrote the notes already."
CALM_TEXT = "Thanks for the session everyone, see you next week!"


@pytest.fixture
def crisis_text() -> str:
    return CRISIS_TEXT


@pytest.fixture
def calm_text() -> str:
    return CALM_TEXT
