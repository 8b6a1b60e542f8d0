"""The ten kinds of visitor × every URL of groups/ and moderation/: the one matrix for both apps.

Each row of tests/groups/url_table.py is tried on group A (private) and group B (listed), and each
row of tests/moderation/url_table.py on group A's report, case and sanction, by the same ten
signed-in clients as the site matrix (test_site_access.py). What each of the ten must get is the
tables' own answer for who they are to that group (tests/support/worlds/features.py declares it): so
a facilitator of B is an outsider to A, a member of B cannot tell A exists, a removed member of A
is shut out of its forum, one who left is treated as the groups table says, a moderator without
a second factor in this session is an outsider to groups and refused by the moderation tools, and
the suspended member, signed out by the suspension, is a visitor. The world is built once for the
module; each request is rolled back (tests/support/worlds/site.py).
"""
import pytest
from django.urls import reverse

from tests.groups.url_table import CASES as GROUP_CASES
from tests.groups.url_table import LISTED, PRIVATE
from tests.moderation.url_table import CASES as MODERATION_CASES
from tests.moderation.url_table import answer_of
from tests.support.roles import GROUP_ROLES, MODERATION_ROLES, SITE_ROLES
from tests.support.worlds import world_for_module
from tests.support.worlds.features import GROUP_RELATION, MODERATION_RELATION, build_feature_world
from tests.support.worlds.site import attempt

pytestmark = pytest.mark.django_db

world = world_for_module(build_feature_world)


def _visibilities(case):
    # As in the groups table's own words: URLs outside a group are tried once, with group B's
    # rows, except invitation links, which belong to a group.
    return (PRIVATE, LISTED) if case.group_scoped or case.name == "invitation_accept" else (LISTED,)


GROUP_ROWS = [
    pytest.param(case, visibility, id=f"{case.id}-{'A' if visibility == PRIVATE else 'B'}")
    for case in GROUP_CASES for visibility in _visibilities(case)
]


@pytest.mark.parametrize(("case", "visibility"), GROUP_ROWS)
def test_group_url_answers_the_ten_roles_as_declared(world, case, visibility):
    setup = world.groups.setup(visibility)
    url = reverse(f"groups:{case.name}", kwargs=case.kwargs(world.groups, setup))
    mismatches = []
    for role in SITE_ROLES:
        response = attempt(world.client(role), case.method, url, case.data(world.groups, setup))
        expected = case.expected(GROUP_RELATION[visibility][role], visibility)
        if answer_of(response) != expected:
            mismatches.append(f"{role}: expected {expected}, got {answer_of(response)}")
    group = "A (private)" if visibility == PRIVATE else "B (listed)"
    assert not mismatches, f"{case.method.upper()} {case.name} in group {group}:\n" + "\n".join(mismatches)


MODERATION_ROWS = [pytest.param(case, role, id=f"{case.id}-{role}") for case in MODERATION_CASES for role in SITE_ROLES]


# One test per moderation row and visitor: moderator tools are where a wrong answer costs most,
# so each answer is reported on its own.
@pytest.mark.parametrize(("case", "role"), MODERATION_ROWS)
def test_moderation_url_answers_each_of_the_ten_as_declared(world, case, role):
    url = reverse(f"moderation:{case.name}", kwargs=case.kwargs(world.moderation))
    response = attempt(world.client(role), case.method, url, case.data(world.moderation))
    expected = case.expected(MODERATION_RELATION[role])
    assert answer_of(response) == expected, f"{case.method.upper()} {url} as {role}: expected {expected}"


def test_each_of_the_ten_is_placed_in_both_tables():
    # Every kind of visitor the two tables speak of is among the ten (their own tests are gone).
    assert set(GROUP_ROLES) <= set(GROUP_RELATION[PRIVATE].values()) | set(GROUP_RELATION[LISTED].values())
    assert set(MODERATION_ROLES) <= set(MODERATION_RELATION.values())
    # An eleventh kind of visitor added to the world must say who it is to each group and to moderation.
    assert set(GROUP_RELATION[PRIVATE]) == set(GROUP_RELATION[LISTED]) == set(MODERATION_RELATION) == set(SITE_ROLES)
