from tests.groups.conftest import (  # noqa: F401  (fixtures shared with the groups tests)
    group,
    group_facilitator,
    group_member,
    member_client,
)
