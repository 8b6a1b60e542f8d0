"""Every URL in Django's resolver refuses a POST without a CSRF token, for visitors and members alike.

Addresses are built with real ids from the access-matrix worlds (the groups, moderation and
site-wide tables say how to call each URL); the Django admin's generated pages take any object id.
URLs without parameters are built as they are. A URL that can be built none of these ways must be listed in UNBUILDABLE with a reason, or the meta-test
fails: a new page cannot slip in unchecked.
"""
from collections.abc import Iterator

import pytest
from django.conf import settings
from django.db import transaction
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver, reverse

from tests.access.url_table import CASES as SITE_CASES
from tests.factories import UserFactory, sign_in
from tests.groups.helpers import text_of
from tests.groups.url_table import CASES as GROUP_CASES
from tests.moderation.url_table import CASES as MODERATION_CASES
from tests.support.worlds.groups import build_world
from tests.support.worlds.moderation import build_moderation_world
from tests.support.worlds.site import build_site_world

pytestmark = pytest.mark.django_db

# The admin's generated pages are built per model the same way; CSRF is checked before the object
# is looked up, so any well-formed id exercises the same code.
ADMIN_PARAMETERS = {"object_id": "1", "id": "1", "content_type_id": 1, "app_label": "accounts"}

# URLs this test cannot call, each with the reason. Keep it empty if you can.
UNBUILDABLE: dict[str, str] = {}

# Views allowed to take a POST without a token, each with the reason. None today.
CSRF_EXEMPT: dict[str, str] = {}


def resolver_urls(patterns=None, namespace: str = "", parameters: tuple = ()) -> Iterator[tuple[str, tuple]]:
    """(namespaced name, the names of its URL parameters) for every named pattern."""
    for pattern in get_resolver().url_patterns if patterns is None else patterns:
        names = parameters + tuple(pattern.pattern.regex.groupindex)
        if isinstance(pattern, URLResolver):
            inner = f"{namespace}:{pattern.namespace}" if namespace and pattern.namespace else (pattern.namespace or namespace)
            yield from resolver_urls(pattern.url_patterns, inner, names)
        elif isinstance(pattern, URLPattern) and pattern.name:
            yield (f"{namespace}:{pattern.name}" if namespace else pattern.name), names


def url_builders() -> dict:
    """name -> a function of the worlds returning the URL's kwargs, from the three access tables."""
    builders = {}
    for case in GROUP_CASES:
        builders.setdefault(f"groups:{case.name}", lambda w, case=case: case.kwargs(w["groups"], w["groups"].listed))
    for case in MODERATION_CASES:
        builders.setdefault(f"moderation:{case.name}", lambda w, case=case: case.kwargs(w["moderation"]))
    for case in SITE_CASES:
        builders.setdefault(case.name, lambda w, case=case: case.kwargs(w["site"]))
    return builders


def build_urls(worlds: dict) -> tuple[dict[str, str], list[str]]:
    builders, urls, unbuilt = url_builders(), {}, []
    for name, parameters in resolver_urls():
        if name in urls or name in UNBUILDABLE:
            continue
        if name in builders:
            urls[name] = reverse(name, kwargs=builders[name](worlds))
        elif not parameters:
            urls[name] = reverse(name)
        elif name.startswith("admin:") and set(parameters) <= set(ADMIN_PARAMETERS):
            urls[name] = reverse(name, kwargs={key: ADMIN_PARAMETERS[key] for key in parameters})
        else:
            unbuilt.append(name)
    return urls, unbuilt


def is_csrf_refusal(response) -> bool:
    return response.status_code == 403 and "CSRF verification failed" in text_of(response)


def post_and_roll_back(client: Client, url: str, data: dict):
    """POST, then undo whatever it did (database and the client's cookies): the next URL starts clean."""
    saved = {key: morsel.value for key, morsel in client.cookies.items()}
    with transaction.atomic():
        response = client.post(url, data)
        transaction.set_rollback(True)
    for key, value in saved.items():
        client.cookies[key] = value
    return response


def test_every_url_refuses_a_post_without_a_csrf_token_and_accepts_the_token():
    worlds = {"groups": build_world(), "moderation": build_moderation_world(), "site": build_site_world()}
    urls, unbuilt = build_urls(worlds)
    assert unbuilt == [], f"say how to build these URLs (an access table) or list them in UNBUILDABLE: {unbuilt}"

    visitor = Client(enforce_csrf_checks=True)
    moderator = sign_in(Client(enforce_csrf_checks=True), UserFactory(is_moderator=True))
    for client in (visitor, moderator):
        client.get(reverse("account_login") if client is visitor else reverse("groups:mine"))  # sets the CSRF cookie
    token = moderator.cookies[settings.CSRF_COOKIE_NAME].value

    accepted_without_token, refused_with_token = [], []
    for name, url in sorted(urls.items()):
        for who, client in (("visitor", visitor), ("moderator", moderator)):
            if not is_csrf_refusal(post_and_roll_back(client, url, {})) and name not in CSRF_EXEMPT:
                accepted_without_token.append(f"{who}: {name} {url}")
        # With the token the same POST gets past the check (whatever the view then answers), so
        # the refusals above are the token's doing and not, say, a page that is always 403.
        if is_csrf_refusal(post_and_roll_back(moderator, url, {"csrfmiddlewaretoken": token})):
            refused_with_token.append(f"{name} {url}")

    assert accepted_without_token == []
    assert refused_with_token == []
    assert len(urls) > 150  # the whole resolver, not a handful


def test_the_meta_check_knows_every_url_it_was_not_told_how_to_build(monkeypatch):
    # A URL with a parameter no table explains is reported, not skipped.
    monkeypatch.setattr("tests.hardening.test_csrf_everywhere.url_builders", lambda: {})
    _, unbuilt = build_urls({})
    assert "groups:topic" in unbuilt and "moderation:flag_detail" in unbuilt
    assert "home" not in unbuilt  # no parameters: built as it is
