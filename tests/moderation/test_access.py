"""Who may open which moderation page and take which action: every URL has a row, and the socket.

The URL table (tests/moderation/url_table.py) is tried role by role in the site's one access
matrix, tests/access/test_feature_access.py. Roles: anonymous, a member, a facilitator of another
group, a facilitator of this group, a moderator without two-factor authentication in this
session, a moderator.
"""
import pytest
from django.urls import URLPattern

from moderation import urls as moderation_urls
from platform_site.consumers import CLOSE_FORBIDDEN, CLOSE_NOT_AUTHENTICATED
from tests.factories import UserFactory
from tests.groups.factories import MembershipFactory, SupportGroupFactory
from tests.moderation.url_table import CASES
from tests.support.sockets import open_socket



def test_every_moderation_url_declares_its_access():
    declared = {case.name for case in CASES}
    names = {pattern.name for pattern in moderation_urls.urlpatterns if isinstance(pattern, URLPattern)}

    assert names - declared == set(), "add these URLs to tests/moderation/url_table.py with who may use them"


def test_every_moderation_url_that_accepts_post_has_a_post_row():
    post_names = {case.name for case in CASES if case.method == "post"}
    get_only = {"dashboard", "overview", "flag_detail", "held_list", "member_detail", "member_safety_plan", "audit_log"}
    get_only |= {"case_detail", "facilitator_queue"}
    names = {pattern.name for pattern in moderation_urls.urlpatterns if isinstance(pattern, URLPattern)}

    assert names - get_only - post_names == set()


# ----------------------------------------------------------------------------- the socket


@pytest.mark.asyncio
@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize(
    ("role", "expected"),
    [
        ("anonymous", ("not_authenticated", CLOSE_NOT_AUTHENTICATED)),
        ("member", ("forbidden", CLOSE_FORBIDDEN)),
        ("facilitator_of_another_group", ("forbidden", CLOSE_FORBIDDEN)),
        ("facilitator_of_this_group", ("forbidden", CLOSE_FORBIDDEN)),
        ("moderator_without_mfa", ("mfa_required", CLOSE_FORBIDDEN)),
        ("moderator", None),
    ],
)
async def test_moderation_socket_answers_each_role(role, expected):
    from channels.db import database_sync_to_async

    @database_sync_to_async
    def make_user():
        if role == "anonymous":
            return None
        if role.startswith("moderator"):
            return UserFactory(is_moderator=True, totp=role == "moderator")
        user = UserFactory()
        if role.startswith("facilitator"):
            MembershipFactory(group=SupportGroupFactory(), user=user, facilitator=True)
        return user

    socket = await open_socket("/ws/moderation/", user=await make_user(), with_mfa=role == "moderator")
    connected, _ = await socket.connect()
    assert connected
    frame = await socket.receive_json_from()
    if expected is None:
        assert frame["type"] == "system"
    else:
        assert frame["code"] == expected[0]
        assert (await socket.receive_output())["code"] == expected[1]
    await socket.disconnect()
