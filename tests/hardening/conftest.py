import pytest

from tests.hardening.sockets import SocketLoop
from tests.support.fixtures import (  # noqa: F401  (fixtures shared with the groups tests)
    group,
    group_facilitator,
    group_member,
    member_client,
)


@pytest.fixture
def loop():
    """An event loop in a thread for sockets used from synchronous tests."""
    sockets = SocketLoop()
    yield sockets
    sockets.close()
