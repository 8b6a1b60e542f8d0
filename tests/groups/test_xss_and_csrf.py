"""Member-written text never runs as script, links in posts are marked as user content, and every
state-changing groups URL needs a CSRF token."""
from datetime import timedelta

import pytest
from django.db import transaction
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from django.utils.html import escape

from groups import services
from groups.models import Membership, Topic
from tests.factories import UserFactory, sign_in
from tests.groups.factories import InvitationFactory, MembershipFactory
from tests.groups.helpers import client_for, is_login_redirect, script_risks, text_of, user_named
from tests.groups.url_table import LOGIN, POST_CASES, RULES
from tests.support.roles import FACILITATOR, MEMBER, MODERATOR
from tests.support.worlds.groups import build_world

VECTORS = [
    "<script>alert(1)</script>",
    "<img src=x onerror=alert(1)>",
    "[x](javascript:alert(1))",
    "<svg onload=alert(1)>",
    '<a href="data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==">x</a>',
    '"><script>',
    "<math><mtext><table><mglyph><style><img src=x onerror=alert(1)>",
    # Variations a filter written by hand tends to miss.
    "[x](JaVaScRiPt:alert(1))",
    "[x](&#106;avascript:alert(1))",
    "![x](javascript:alert(1))",
    '<a href="javascript:alert(1)">x</a>',
    "'><img src=x onerror=alert(1)>",
]


def _display_name(vector: str, suffix: str) -> str:
    # Display names hold at most 30 characters; keep the dangerous start of the vector.
    return f"{vector[:27]}{suffix}"


@pytest.mark.parametrize("vector", VECTORS)
def test_member_written_text_never_runs_as_script_anywhere_it_is_shown(db, vector):
    facilitator = user_named(_display_name(vector, " F"))
    author = user_named(_display_name(vector, " A"))
    replier = user_named(_display_name(vector, " R"))
    group = services.group_create(
        name=vector[:80], slug="xss-group", description=f"About us: {vector}", house_rules=f"- Rule: {vector}",
        focus="general", visibility="listed", join_policy="request", facilitator=facilitator,
    )
    MembershipFactory(group=group, user=author)
    MembershipFactory(group=group, user=replier)
    MembershipFactory(group=group, status=Membership.Status.REQUESTED, user=user_named(_display_name(vector, " Q")))
    topic = services.topic_create(group=group, author=author, title=f"Title {vector}", body=f"Body {vector}")
    reply = services.reply_create(topic=topic, author=replier, body=f"Reply {vector}")
    deleted = services.reply_create(topic=topic, author=replier, body=f"Deleted {vector}")
    services.post_delete(post=deleted, deleted_by=replier)
    waiting = services.topic_create(group=group, author=author, title=f"Waiting {vector}", body=f"Alone {vector}")
    Topic.objects.filter(pk=waiting.pk).update(created_at=timezone.now() - timedelta(hours=4))
    services.topics_mark_unanswered()  # lists `waiting`, with its author's name, on the unanswered page
    invitation = InvitationFactory(group=group)
    moderator = UserFactory(is_moderator=True)
    session = services.session_create(
        group=group, created_by=facilitator, title=f"Session {vector}"[:140], agenda=f"Agenda {vector}",
        starts_at=timezone.now() + timedelta(days=2), facilitators=[facilitator],
    )
    services.rsvp_create(session=session, user=author)

    slug = group.slug
    as_facilitator, as_author, as_moderator = client_for(facilitator), client_for(author), client_for(moderator)
    pages = {
        "directory": client_for(UserFactory()).get(reverse("groups:directory")),
        "group page (anonymous)": Client().get(group.get_absolute_url()),
        "group page": as_facilitator.get(group.get_absolute_url()),
        "topic page": as_facilitator.get(topic.get_absolute_url()),
        "topic page (moderator, shows removed text)": as_moderator.get(topic.get_absolute_url()),
        "search": as_facilitator.get(reverse("groups:search", kwargs={"slug": slug}), {"q": "Title"}),
        "members": as_facilitator.get(reverse("groups:members", kwargs={"slug": slug})),
        "unanswered": as_facilitator.get(reverse("groups:unanswered", kwargs={"slug": slug})),
        "my groups": as_author.get(reverse("groups:mine")),
        "edit opening post": as_author.get(
            reverse("groups:post_edit", kwargs={"slug": slug, "post_id": topic.posts.get(is_opening=True).pk})
        ),
        "edit group": as_facilitator.get(reverse("groups:edit", kwargs={"slug": slug})),
        "report form": as_author.get(reverse("groups:post_report", kwargs={"slug": slug, "post_id": reply.pk})),
        "reply refused (empty)": as_author.post(reverse("groups:topic_reply", kwargs={"slug": slug, "topic_id": topic.pk}), {"body": ""}),
        "invitation": client_for(UserFactory()).get(reverse("groups:invitation_accept", kwargs={"token": invitation.token})),
        "notifications": as_author.get(reverse("accounts:notifications")),
        "sessions": as_author.get(reverse("groups:sessions", kwargs={"slug": slug})),
        "session page": as_author.get(session.get_absolute_url()),
        "edit session": as_facilitator.get(reverse("groups:session_edit", kwargs={"slug": slug, "session_id": session.pk})),
        "cancel session": as_facilitator.get(reverse("groups:session_cancel", kwargs={"slug": slug, "session_id": session.pk})),
    }

    risks = {name: script_risks(text_of(response)) for name, response in pages.items()}

    assert {name: response.status_code for name, response in pages.items() if response.status_code not in (200, 400)} == {}
    assert {name: found for name, found in risks.items() if found} == {}
    # The words reached the pages, and are there for people to read, shown as text.
    assert f"<h1>{escape('Title ' + vector)}</h1>" in text_of(pages["topic page"])
    assert escape(f"Waiting {vector}") in text_of(pages["unanswered"])
    assert escape(_display_name(vector, " Q")) in text_of(pages["members"])
    assert escape(_display_name(vector, " A")) in text_of(pages["group page"])
    assert f"<h1>{escape(session.title)}</h1>" in text_of(pages["session page"])
    assert escape(_display_name(vector, " F")) in text_of(pages["session page"])


@pytest.mark.parametrize(
    "where", ["post", "description"],
)
def test_links_written_by_members_are_marked_nofollow_ugc_noopener(group, group_member, member_client, where):
    markdown = "See [this guide](https://example.org/help) and <https://example.org/more>."
    if where == "post":
        topic = services.topic_create(group=group, author=group_member, title="Links", body=markdown)
        page = text_of(member_client.get(topic.get_absolute_url()))
    else:
        services.group_update(group=group, description=markdown)
        page = text_of(member_client.get(group.get_absolute_url()))

    assert '<a href="https://example.org/help" rel="nofollow ugc noopener">this guide</a>' in page
    assert '<a href="https://example.org/more" rel="nofollow ugc noopener">https://example.org/more</a>' in page


# ----------------------------------------------------------------------------- CSRF


def _actor(case) -> str:
    """Someone the case lets through, so that only the missing token can explain a 403."""
    rule = RULES[case.access]
    for role in (MEMBER, FACILITATOR, MODERATOR):
        if rule[role] != LOGIN and rule[role] not in (403, 404):
            return role
    raise AssertionError(f"nobody may use {case.id}")


@pytest.mark.parametrize("case", POST_CASES, ids=lambda case: case.id)
def test_every_groups_post_needs_a_csrf_token(db, case):
    world = build_world()
    setup = world.listed
    url = reverse(f"groups:{case.name}", kwargs=case.kwargs(world, setup))
    client = Client(enforce_csrf_checks=True)
    sign_in(client, world.users[_actor(case)])
    client.get(reverse("groups:mine"))  # the page sets the CSRF cookie, as a browser visit would

    with transaction.atomic():
        without_token = client.post(url, case.data(world, setup))
        transaction.set_rollback(True)
    with_token = client.post(url, {**case.data(world, setup), "csrfmiddlewaretoken": client.cookies["csrftoken"].value})

    assert without_token.status_code == 403
    assert "CSRF verification failed" in text_of(without_token)
    # The same request with the token goes through: the 403 above was the token's doing.
    assert with_token.status_code == case.ok and not is_login_redirect(with_token)
