"""Every URL of groups/urls.py, how to call it, and who may use it.

tests/access/test_feature_access.py tries every row for the site's ten kinds of visitor, on a
private and a listed group; test_xss_and_csrf.py reuses its POST rows. A URL added to
groups/urls.py without a row here fails test_every_groups_url_declares_its_access.
"""
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import timedelta

from django.utils import timezone

from groups.models import CalendarFeed, GroupSession
from groups.resource_links import LibraryAttachment

from tests.groups.factories import GroupSessionFactory
from tests.resources.factories import EntryFactory
from tests.support.roles import (
    ANONYMOUS,
    FACILITATOR,
    LEFT,
    MEMBER,
    MODERATOR,
    MODERATOR_WITHOUT_MFA,
    OUTSIDER,
    REMOVED,
)
from tests.support.worlds.groups import GroupSetup, World

LISTED = "listed"
PRIVATE = "private"

OK = "ok"  # the case's own success status
LOGIN = "login"  # 302 to the sign-in page
MFA = "mfa"  # 302 to set up or give the second factor (as tests/moderation/url_table.py says it)

# Who gets what, on a group they are allowed to see.
RULES = {
    # Anyone, signed in or not.
    "public": {role: OK for role in (ANONYMOUS, OUTSIDER, MEMBER, FACILITATOR, MODERATOR, REMOVED, LEFT)},
    # Anyone signed in.
    "signed_in": {ANONYMOUS: LOGIN, OUTSIDER: OK, MEMBER: OK, FACILITATOR: OK, MODERATOR: OK, REMOVED: OK, LEFT: OK},
    # The forum: the group's active members and site moderators.
    "forum": {ANONYMOUS: LOGIN, OUTSIDER: 403, MEMBER: OK, FACILITATOR: OK, MODERATOR: OK, REMOVED: 403, LEFT: 403},
    # Forum actions on a post only its author may take (the target post is the member's).
    "author": {ANONYMOUS: LOGIN, OUTSIDER: 403, MEMBER: OK, FACILITATOR: 403, MODERATOR: 403, REMOVED: 403, LEFT: 403},
    "facilitator": {ANONYMOUS: LOGIN, OUTSIDER: 403, MEMBER: 403, FACILITATOR: OK, MODERATOR: OK, REMOVED: 403, LEFT: 403},
    "moderator": {
        ANONYMOUS: LOGIN, OUTSIDER: 403, MEMBER: 403, FACILITATOR: 403, MODERATOR: OK, REMOVED: 403, LEFT: 403,
        MODERATOR_WITHOUT_MFA: MFA,  # the site's moderator pages ask for the code; see Case.expected
    },
    # Leaving needs a membership of one's own, whatever its state.
    "own_membership": {ANONYMOUS: LOGIN, OUTSIDER: 404, MEMBER: OK, FACILITATOR: OK, MODERATOR: 404, REMOVED: OK, LEFT: OK},
}

# A private group does not exist for these people: every group URL answers 404, as for a typo.
HIDDEN_FROM_PRIVATE = {ANONYMOUS, OUTSIDER, REMOVED, LEFT, MODERATOR_WITHOUT_MFA}


def _group(world: World, setup: GroupSetup) -> dict:
    return {"slug": setup.group.slug}


def _topic(world: World, setup: GroupSetup) -> dict:
    return {"slug": setup.group.slug, "topic_id": setup.topic.pk}


def _post(attribute: str) -> Callable[[World, GroupSetup], dict]:
    return lambda world, setup: {"slug": setup.group.slug, "post_id": getattr(setup, attribute).pk}


def _membership(attribute: str) -> Callable[[World, GroupSetup], dict]:
    return lambda world, setup: {"slug": setup.group.slug, "membership_id": getattr(setup, attribute).pk}


def _group_form(world: World, setup: GroupSetup) -> dict:
    group = setup.group
    return {
        "name": group.name, "slug": group.slug, "description": "Still a quiet place.", "house_rules": "",
        "focus": group.focus, "visibility": group.visibility, "join_policy": group.join_policy, "size_cap": "",
    }


def _session(world: World, setup: GroupSetup) -> dict:
    """The group's scheduled session (made on first use), two days ahead."""
    session = GroupSession.objects.filter(group=setup.group, title="World session").first() or GroupSessionFactory(
        group=setup.group, title="World session", starts_at=timezone.now() + timedelta(days=2)
    )
    return {"slug": setup.group.slug, "session_id": session.pk}


def _session_form(world: World, setup: GroupSetup) -> dict:
    # Read in the viewer's time zone: everyone in the world keeps the default, UTC.
    starts = timezone.now() + timedelta(days=3)
    return {
        "title": "Sunday check-in", "agenda": "- How was the week?", "starts_at": starts.strftime("%Y-%m-%dT%H:%M"),
        "duration_minutes": "60", "capacity": "8",
    }


def _series_form(world: World, setup: GroupSetup) -> dict:
    return {**_session_form(world, setup), "time_zone": "Europe/Berlin", "frequency": "weekly", "occurrences": "4"}


def _library_entry(world: World, setup: GroupSetup) -> dict:
    """A library entry to attach (made on first use)."""
    return {"entry": EntryFactory(slug="world-entry", title="World entry").slug}


def _library_attachment(world: World, setup: GroupSetup) -> dict:
    """One of the group's library attachments (made on first use)."""
    entry = EntryFactory(slug="world-entry", title="World entry")
    attachment, _created = LibraryAttachment.objects.get_or_create(group=setup.group, session=None, entry=entry)
    return {"slug": setup.group.slug, "attachment_id": attachment.pk}


def _feed(world: World, setup: GroupSetup) -> dict:
    return {"token": CalendarFeed.objects.get_or_create(user=world.users[MEMBER])[0].token}


@dataclass(frozen=True)
class Case:
    name: str
    method: str
    access: str
    ok: int
    kwargs: Callable[[World, GroupSetup], dict] = _group
    data: Callable[[World, GroupSetup], dict] = field(default=lambda world, setup: {})
    # False for the URLs not under a group's slug: they are tried once, with the listed group's rows.
    group_scoped: bool = True
    # login_required runs before the group is looked up, so an anonymous visitor is sent to sign
    # in, whether or not the group exists: nothing about a private group leaks.
    login_first: bool = False
    label: str = ""
    overrides: dict = field(default_factory=dict)

    @property
    def id(self) -> str:
        return f"{self.name}-{self.method.upper()}{'-' + self.label if self.label else ''}"

    def expected(self, role: str, visibility: str):
        if role == MODERATOR_WITHOUT_MFA and (self.group_scoped or self.access != "moderator"):
            # Without the second factor a moderator's powers are withheld: in a group, and on any
            # page but the moderators' own (which ask for the code), they are someone outside.
            role = OUTSIDER
        if self.group_scoped and visibility == PRIVATE and role in HIDDEN_FROM_PRIVATE:
            return LOGIN if role == ANONYMOUS and self.login_first else 404
        if role in self.overrides:
            return self.overrides[role]
        outcome = RULES[self.access][role]
        return self.ok if outcome == OK else outcome


CASES = [
    Case("directory", "get", "public", 200, kwargs=lambda w, s: {}, group_scoped=False),
    Case("mine", "get", "signed_in", 200, kwargs=lambda w, s: {}, group_scoped=False),
    Case("new", "get", "moderator", 200, kwargs=lambda w, s: {}, group_scoped=False),
    Case(
        "new", "post", "moderator", 302, kwargs=lambda w, s: {}, group_scoped=False,
        data=lambda w, s: {
            "name": "Evening circle", "slug": "evening-circle", "description": "Gentle evenings.", "house_rules": "",
            "focus": "general", "visibility": "listed", "join_policy": "open", "size_cap": "",
        },
    ),
    Case("preferences", "get", "signed_in", 200, kwargs=lambda w, s: {}, group_scoped=False),
    Case("preferences", "post", "signed_in", 302, kwargs=lambda w, s: {}, group_scoped=False,
         data=lambda w, s: {"unfolded_warnings": ["medication"]}),
    # An invitation link opens for whoever holds it, even for a private group: that is its purpose.
    Case("invitation_accept", "get", "signed_in", 200, kwargs=lambda w, s: {"token": s.invitation.token}, group_scoped=False),
    Case("invitation_accept", "post", "signed_in", 302, kwargs=lambda w, s: {"token": s.invitation.token},
         group_scoped=False, overrides={REMOVED: 200}),  # removed: the page explains why it can't be used
    Case("detail", "get", "public", 200),
    Case("edit", "get", "facilitator", 200),
    Case("edit", "post", "facilitator", 302, data=_group_form),
    Case("join", "post", "signed_in", 302, login_first=True),
    Case("leave", "post", "own_membership", 302, login_first=True),
    Case("members", "get", "facilitator", 200),
    Case("member_remove", "post", "facilitator", 302, kwargs=_membership("target")),
    Case("member_decide", "post", "facilitator", 302, kwargs=_membership("requested"),
         data=lambda w, s: {"decision": "approve"}),
    Case("member_role", "post", "moderator", 302, kwargs=_membership("target"), data=lambda w, s: {"role": "facilitator"}),
    Case("invitations", "get", "facilitator", 200),
    Case("invitations", "post", "facilitator", 302, data=lambda w, s: {"lifetime": "7"}),
    Case("invitation_revoke", "post", "facilitator", 302,
         kwargs=lambda w, s: {"slug": s.group.slug, "invitation_id": s.invitation.pk}),
    Case("unanswered", "get", "facilitator", 200),
    Case("search", "get", "forum", 200, data=lambda w, s: {"q": "glass"}),
    Case("topic_new", "get", "forum", 200),
    Case("topic_new", "post", "forum", 302, data=lambda w, s: {"title": "A flicker today", "body": "Rain on the window."}),
    Case("topic", "get", "forum", 200, kwargs=_topic),
    Case("topic_last", "get", "forum", 302, kwargs=_topic),
    Case("topic_reply", "post", "forum", 302, kwargs=_topic, data=lambda w, s: {"body": "I hear you."}),
    Case("topic_subscribe", "post", "forum", 302, kwargs=_topic, data=lambda w, s: {"subscribed": "1"}),
    Case("topic_moderate", "post", "facilitator", 302, label="pin",
         kwargs=lambda w, s: {"slug": s.group.slug, "topic_id": s.topic.pk, "action": "pin"}),
    Case("topic_moderate", "post", "facilitator", 302, label="lock",
         kwargs=lambda w, s: {"slug": s.group.slug, "topic_id": s.topic.pk, "action": "lock"}),
    Case("post_edit", "get", "author", 200, kwargs=_post("opening")),
    Case("post_edit", "post", "author", 302, kwargs=_post("opening"),
         data=lambda w, s: {"title": "Glass, edited", "body": "Edited: quieter still."}),
    Case("post_delete", "post", "author", 302, kwargs=_post("opening")),
    Case("post_react", "post", "forum", 302, kwargs=_post("reply"), data=lambda w, s: {"kind": "hear_you"}),
    Case("post_report", "get", "forum", 200, kwargs=_post("reply")),
    Case("post_report", "post", "forum", 200, kwargs=_post("reply"), data=lambda w, s: {"reason": "spam"}),
    # Scheduled sessions: for the group's members, like the forum; planning them is for facilitators.
    Case("sessions", "get", "forum", 200),
    Case("session_new", "get", "facilitator", 200),
    Case("session_new", "post", "facilitator", 302, data=_session_form),
    Case("series_new", "get", "facilitator", 200),
    Case("series_new", "post", "facilitator", 302, data=_series_form),
    Case("session_detail", "get", "forum", 200, kwargs=_session),
    Case("session_edit", "get", "facilitator", 200, kwargs=_session),
    Case("session_edit", "post", "facilitator", 302, kwargs=_session, data=_session_form),
    Case("session_cancel", "get", "facilitator", 200, kwargs=_session),
    Case("session_cancel", "post", "facilitator", 302, kwargs=_session),
    # A moderator who is not a member is told that only members sign up, and sent back (302 too).
    Case("session_rsvp", "post", "forum", 302, kwargs=_session),
    Case("session_rsvp_cancel", "post", "forum", 302, kwargs=_session),
    Case("session_ics", "get", "forum", 200, kwargs=_session),
    Case("calendar", "get", "signed_in", 200, kwargs=lambda w, s: {}, group_scoped=False),
    Case("calendar_reset", "post", "signed_in", 302, kwargs=lambda w, s: {}, group_scoped=False),
    # The feed has no sign-in: calendar apps can't. Its secret token is the key (tested in test_sessions.py).
    Case("calendar_feed", "get", "public", 200, kwargs=_feed, group_scoped=False),
    # The live room's page: for whoever may be in the room, open or not (closed, it says when it opens).
    Case("session_room", "get", "forum", 200, kwargs=_session),
    # Library entries on the group's page and a session's: attached by facilitators (and moderators).
    Case("library_attach", "get", "facilitator", 200),
    Case("library_attach", "post", "facilitator", 302, data=_library_entry),
    Case("library_detach", "post", "facilitator", 302, kwargs=_library_attachment),
    Case("session_library_attach", "get", "facilitator", 200, kwargs=_session),
    Case("session_library_attach", "post", "facilitator", 302, kwargs=_session, data=_library_entry),
    # A member's own check-ins: no id in the address, so there is nobody else's to ask for.
    Case("check_in_trend", "get", "signed_in", 200, kwargs=lambda w, s: {}, group_scoped=False),
]

POST_CASES = [case for case in CASES if case.method == "post"]
