"""The site-wide access matrix: ten kinds of visitor × every URL and socket path.

The rows of groups/ and moderation/ are declared in their own tables (tests/groups/url_table.py,
tests/moderation/url_table.py) and tried by the same ten visitors in test_feature_access.py; this
file tries the rest and both sockets, and fails when any URL in Django's resolver is declared in
none of the three tables. The world is built once for the module (see tests/support/worlds/site.py).
"""
import pytest
from django.urls import URLPattern, URLResolver, get_resolver, reverse

from tests.access.url_table import ADMIN_LOGIN, ADMIN_PREFIX, CASES, ELSEWHERE, LOGIN, OK
from tests.groups.url_table import CASES as GROUP_CASES
from tests.moderation.url_table import CASES as MODERATION_CASES
from tests.support.roles import SITE_ROLES
from tests.support.worlds import world_for_module
from tests.support.worlds.site import attempt, build_site_world

LOGIN_URL = reverse("account_login")
ADMIN_LOGIN_URL = reverse("admin:login")


def _answer(response):
    if response.status_code == 302:
        location = response["Location"]
        if location.startswith(LOGIN_URL):
            return LOGIN
        if location.startswith(ADMIN_LOGIN_URL):
            return ADMIN_LOGIN
        return ELSEWHERE
    return response.status_code


world = world_for_module(build_site_world)


@pytest.mark.django_db
@pytest.mark.parametrize("case", CASES, ids=lambda case: case.id)
def test_url_answers_each_role_as_declared(world, case):
    url = reverse(case.name, kwargs=case.kwargs(world))
    mismatches = []
    for role in SITE_ROLES:
        response = attempt(world.client(role), case.method, url, case.data(world))
        expected, answer = case.expected(role), _answer(response)
        if expected == OK:
            if answer not in case.ok:
                mismatches.append(f"{role}: expected one of {sorted(map(str, case.ok))}, got {answer}")
        elif answer != expected:
            mismatches.append(f"{role}: expected {expected}, got {answer}")
    assert not mismatches, f"{case.method.upper()} {url}:\n" + "\n".join(mismatches)


def _resolver_names(patterns, namespace: str = "") -> set[str]:
    names = set()
    for pattern in patterns:
        if isinstance(pattern, URLResolver):
            inner = f"{namespace}:{pattern.namespace}" if namespace and pattern.namespace else (pattern.namespace or namespace)
            names |= _resolver_names(pattern.url_patterns, inner)
        elif isinstance(pattern, URLPattern) and pattern.name:
            names.add(f"{namespace}:{pattern.name}" if namespace else pattern.name)
    return names


def test_every_url_in_the_resolver_declares_who_may_use_it():
    declared = {case.name for case in CASES}
    declared |= {f"groups:{case.name}" for case in GROUP_CASES}
    declared |= {f"moderation:{case.name}" for case in MODERATION_CASES}
    missing = {
        name for name in _resolver_names(get_resolver().url_patterns)
        if name not in declared and not name.startswith(ADMIN_PREFIX)
    }
    assert missing == set(), (
        "declare who may use these URLs (tests/access/url_table.py, or the groups/moderation tables): "
        + ", ".join(sorted(missing))
    )
