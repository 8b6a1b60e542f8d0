"""Who may open which group page and take which action.

The whole URL table (tests/groups/url_table.py) is tried role by role in the site's one access
matrix, tests/access/test_feature_access.py. Here: every URL has a row, and the cases a table
cannot say well: a private group looks exactly like a group that does not exist to anyone outside
it (404), ids from another group, facilitators of another group.
"""
import pytest
from django.urls import URLPattern, reverse

from groups import urls as group_urls
from groups.models import Invitation, Membership, Post, Topic
from tests.factories import UserFactory
from tests.groups.factories import InvitationFactory, MembershipFactory, PostFactory, SupportGroupFactory, TopicFactory
from tests.groups.helpers import client_for, is_login_redirect
from tests.groups.url_table import CASES


def test_every_groups_url_declares_its_access():
    declared = {case.name for case in CASES}
    names = {pattern.name for pattern in group_urls.urlpatterns if isinstance(pattern, URLPattern)}

    assert names - declared == set(), "add these URLs to tests/groups/url_table.py with who may use them"


def test_every_url_that_accepts_post_has_a_post_row():
    # A view that changes something must have its POST checked, not only its page.
    post_names = {case.name for case in CASES if case.method == "post"}
    get_only = {"directory", "mine", "detail", "members", "unanswered", "search", "topic", "topic_last"}
    get_only |= {"sessions", "session_detail", "session_ics", "calendar", "calendar_feed"}
    get_only |= {"session_room", "check_in_trend"}
    names = {pattern.name for pattern in group_urls.urlpatterns if isinstance(pattern, URLPattern)}

    assert names - get_only - post_names == set()


@pytest.mark.parametrize("url_name", ["join", "leave"])
def test_private_group_sends_anonymous_visitor_to_sign_in_exactly_like_a_group_that_does_not_exist(db, client, url_name):
    private = SupportGroupFactory(private=True)

    hidden = client.post(reverse(f"groups:{url_name}", kwargs={"slug": private.slug}))
    missing = client.post(reverse(f"groups:{url_name}", kwargs={"slug": "no-such-group"}))

    assert is_login_redirect(hidden) and is_login_redirect(missing)


def test_private_group_answers_outsiders_like_a_group_that_does_not_exist(db):
    private = SupportGroupFactory(private=True, name="Thursday circle")
    outsider = client_for(UserFactory())

    hidden = outsider.get(reverse("groups:detail", kwargs={"slug": private.slug}))
    missing = outsider.get(reverse("groups:detail", kwargs={"slug": "no-such-group"}))

    assert hidden.status_code == missing.status_code == 404
    assert "Thursday circle" not in hidden.content.decode()


# ----------------------------------------------------------------------------- IDOR


@pytest.fixture
def two_groups(db):
    """Groups A and B, each with a topic, a reply, a member asking to join and an invitation."""

    def populate(group):
        author, replier, requester = UserFactory(), UserFactory(), UserFactory()
        MembershipFactory(group=group, user=author)
        replier_membership = MembershipFactory(group=group, user=replier)
        topic = TopicFactory(group=group, author=author, title=f"Topic of {group.slug}")
        return {
            "topic": topic,
            "post": PostFactory(topic=topic, author=replier),
            "membership": replier_membership,
            "requested": MembershipFactory(group=group, user=requester, status=Membership.Status.REQUESTED),
            "invitation": InvitationFactory(group=group),
        }

    group_a, group_b = SupportGroupFactory(slug="group-a"), SupportGroupFactory(slug="group-b")
    return group_a, populate(group_a), group_b, populate(group_b)


def _idor_attempts(rows):
    topic, post = rows["topic"].pk, rows["post"].pk
    return [
        ("get", "topic", {"topic_id": topic}, {}),
        ("get", "topic_last", {"topic_id": topic}, {}),
        ("post", "topic_reply", {"topic_id": topic}, {"body": "Crossing groups."}),
        ("post", "topic_subscribe", {"topic_id": topic}, {"subscribed": "1"}),
        ("post", "topic_moderate", {"topic_id": topic, "action": "lock"}, {}),
        ("post", "topic_moderate", {"topic_id": topic, "action": "pin"}, {}),
        ("get", "post_edit", {"post_id": post}, {}),
        ("post", "post_edit", {"post_id": post}, {"body": "Overwritten."}),
        ("post", "post_delete", {"post_id": post}, {}),
        ("post", "post_react", {"post_id": post}, {"kind": "me_too"}),
        ("get", "post_report", {"post_id": post}, {}),
        ("post", "post_report", {"post_id": post}, {"reason": "spam"}),
        ("post", "member_remove", {"membership_id": rows["membership"].pk}, {}),
        ("post", "member_role", {"membership_id": rows["membership"].pk}, {"role": "facilitator"}),
        ("post", "member_decide", {"membership_id": rows["requested"].pk}, {"decision": "approve"}),
        ("post", "invitation_revoke", {"invitation_id": rows["invitation"].pk}, {}),
    ]


def test_ids_from_another_group_answer_404_under_this_groups_address(two_groups):
    group_a, _rows_a, group_b, rows_b = two_groups
    # The post's author, a facilitator of both groups and a moderator: the only thing wrong is the
    # address, so anything but 404 means an id was looked up without its group.
    acting = UserFactory(is_moderator=True)
    MembershipFactory(group=group_a, user=acting, facilitator=True)
    MembershipFactory(group=group_b, user=acting, facilitator=True)
    Post.objects.filter(pk=rows_b["post"].pk).update(author=acting)
    client = client_for(acting)

    answers = {}
    for method, name, kwargs, data in _idor_attempts(rows_b):
        url = reverse(f"groups:{name}", kwargs={"slug": group_a.slug, **kwargs})
        answers[f"{method.upper()} {name} {kwargs}"] = getattr(client, method)(url, data).status_code

    assert {attempt: status for attempt, status in answers.items() if status != 404} == {}
    topic_b = Topic.objects.get(pk=rows_b["topic"].pk)
    assert (topic_b.reply_count, topic_b.is_locked, topic_b.is_pinned) == (0, False, False)
    post_b = Post.objects.get(pk=rows_b["post"].pk)
    assert post_b.deleted_at is None and post_b.version == 1 and not post_b.reactions.exists()
    assert not post_b.reports.exists()
    assert Membership.objects.get(pk=rows_b["membership"].pk).status == Membership.Status.ACTIVE
    assert Membership.objects.get(pk=rows_b["requested"].pk).status == Membership.Status.REQUESTED
    assert Invitation.objects.get(pk=rows_b["invitation"].pk).revoked_at is None


FACILITATOR_ACTIONS = [
    ("get", "members", lambda rows: {}, {}),
    ("get", "invitations", lambda rows: {}, {}),
    ("get", "unanswered", lambda rows: {}, {}),
    ("get", "edit", lambda rows: {}, {}),
    ("post", "member_remove", lambda rows: {"membership_id": rows["membership"].pk}, {}),
    ("post", "member_decide", lambda rows: {"membership_id": rows["requested"].pk}, {"decision": "approve"}),
    ("post", "invitation_revoke", lambda rows: {"invitation_id": rows["invitation"].pk}, {}),
    ("post", "topic_moderate", lambda rows: {"topic_id": rows["topic"].pk, "action": "lock"}, {}),
]


@pytest.mark.parametrize("also_member_of_a", [True, False], ids=["member-of-A", "outsider-of-A"])
def test_facilitator_of_one_group_cannot_facilitate_another(two_groups, also_member_of_a):
    group_a, rows_a, group_b, _rows_b = two_groups
    facilitator_b = UserFactory()
    MembershipFactory(group=group_b, user=facilitator_b, facilitator=True)
    if also_member_of_a:
        MembershipFactory(group=group_a, user=facilitator_b)
    client = client_for(facilitator_b)

    for method, name, kwargs, data in FACILITATOR_ACTIONS:
        url = reverse(f"groups:{name}", kwargs={"slug": group_a.slug, **kwargs(rows_a)})
        assert getattr(client, method)(url, data).status_code == 403, f"{method.upper()} {name}"

    assert Membership.objects.get(pk=rows_a["membership"].pk).status == Membership.Status.ACTIVE
    assert Membership.objects.get(pk=rows_a["requested"].pk).status == Membership.Status.REQUESTED
    assert not Topic.objects.get(pk=rows_a["topic"].pk).is_locked


def test_facilitator_of_another_group_does_not_even_see_a_private_group(two_groups):
    _group_a, _rows_a, group_b, _rows_b = two_groups
    private = SupportGroupFactory(private=True)
    facilitator_b = UserFactory()
    MembershipFactory(group=group_b, user=facilitator_b, facilitator=True)

    response = client_for(facilitator_b).get(reverse("groups:members", kwargs={"slug": private.slug}))

    assert response.status_code == 404
