from tests.support.fixtures import (  # noqa: F401  (fixtures shared with other apps' tests)
    facilitator_client,
    group,
    group_facilitator,
    group_member,
    listen,
    member_client,
)
