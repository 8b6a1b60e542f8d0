"""The eight kinds of visitor × every URL of groups/ and moderation/.

Each row of tests/groups/url_table.py is tried on group A (private) and group B (listed), and each
row of tests/moderation/url_table.py on group A's report, case and sanction, by the same eight
signed-in clients as the site matrix (test_site_access.py). What each of the eight must get is the
tables' own answer for who they are to that group (tests/access/feature_world.py declares it): so
a facilitator of B is an outsider to A, a member of B cannot tell A exists, a removed member of A
is shut out of its forum, and the suspended member, signed out by the suspension, is a visitor.
"""
import pytest
from django.urls import reverse

from tests.access.feature_world import GROUP_RELATION, MODERATION_RELATION, build_feature_world
from tests.access.world import ROLES, attempt
from tests.groups.url_table import CASES as GROUP_CASES
from tests.groups.url_table import LISTED, PRIVATE
from tests.moderation.url_table import CASES as MODERATION_CASES
from tests.moderation.url_table import answer_of

@pytest.fixture
def world(db):
    return build_feature_world()


def _visibilities(case):
    # As in the groups table's own test: URLs outside a group are tried once, with group B's
    # rows, except invitation links, which belong to a group.
    return (PRIVATE, LISTED) if case.group_scoped or case.name == "invitation_accept" else (LISTED,)


@pytest.mark.parametrize("case", GROUP_CASES, ids=lambda case: case.id)
def test_group_url_answers_the_eight_roles_as_declared(world, case):
    mismatches = []
    for visibility in _visibilities(case):
        setup = world.groups.setup(visibility)
        url = reverse(f"groups:{case.name}", kwargs=case.kwargs(world.groups, setup))
        for role in ROLES:
            response = attempt(world.client(role), case.method, url, case.data(world.groups, setup))
            expected = case.expected(GROUP_RELATION[visibility][role], visibility)
            if answer_of(response) != expected:
                group = "A" if visibility == PRIVATE else "B"
                mismatches.append(f"group {group}, {role}: expected {expected}, got {answer_of(response)}")
    assert not mismatches, f"{case.method.upper()} {case.name}:\n" + "\n".join(mismatches)


@pytest.mark.parametrize("case", MODERATION_CASES, ids=lambda case: case.id)
def test_moderation_url_answers_the_eight_roles_as_declared(world, case):
    url = reverse(f"moderation:{case.name}", kwargs=case.kwargs(world.moderation))
    mismatches = []
    for role in ROLES:
        response = attempt(world.client(role), case.method, url, case.data(world.moderation))
        expected = case.expected(MODERATION_RELATION[role])
        if answer_of(response) != expected:
            mismatches.append(f"{role}: expected {expected}, got {answer_of(response)}")
    assert not mismatches, f"{case.method.upper()} {url}:\n" + "\n".join(mismatches)


def test_each_of_the_eight_is_placed_in_both_tables():
    # A ninth kind of visitor added to the world must say who it is to each group and to moderation.
    assert set(GROUP_RELATION[PRIVATE]) == set(GROUP_RELATION[LISTED]) == set(MODERATION_RELATION) == set(ROLES)
