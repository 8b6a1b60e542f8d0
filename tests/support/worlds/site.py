"""A small site for the access matrix: two groups and the ten kinds of visitor it tries.

Group A is private (outsiders must not learn it exists); group B is listed. Each role has a client
signed in up front (the moderator with their second factor; the other moderator has none in this
session). The suspended member was signed in, then suspended: a suspension ends their sessions, so
their client must now be treated as signed out. The member who left A is the one the groups table
calls "left"; the moderator without a second factor, the moderation table's.

Built once per test module (`world_for_module`): every request of the matrix goes through
`attempt()`, which rolls back what it changed, and each test runs in a savepoint of its own. The
visitors' names are in tests/support/roles.py.
"""
from dataclasses import dataclass, field

from django.db import transaction
from django.test import Client, TestCase

from accounts.models import Notification
from groups.models import GroupSession, Membership, Post, SupportGroup, Topic
from moderation.models import CareMessage, Sanction
from moderation.services import care_message_send
from moderation.services.sanctions import sanction_create
from resources.models import Entry
from tests.factories import UserFactory
from tests.groups.factories import GroupSessionFactory, MembershipFactory, PostFactory, SupportGroupFactory, TopicFactory
from tests.groups.helpers import client_for
from tests.resources.factories import EntryFactory
from tests.support.roles import (
    ANONYMOUS,
    FACILITATOR_A,
    FACILITATOR_B,
    LEFT_A,
    MEMBER_A,
    MEMBER_B,
    MODERATOR,
    MODERATOR_WITHOUT_MFA,
    REMOVED_A,
    SITE_ROLES,
    SUSPENDED,
)


@dataclass
class SiteWorld:
    users: dict
    group_a: SupportGroup
    group_b: SupportGroup
    topic_a: Topic
    post_a: Post
    topic_b: Topic
    post_b: Post
    session_a: GroupSession
    session_b: GroupSession
    notification_a: Notification
    care_message_a: CareMessage
    entry: Entry
    clients: dict = field(default_factory=dict)

    def client(self, role: str) -> Client:
        return self.clients[role]


def build_site_world() -> SiteWorld:
    users = {role: UserFactory() for role in SITE_ROLES if role not in (ANONYMOUS, MODERATOR, MODERATOR_WITHOUT_MFA)}
    users[ANONYMOUS] = None
    users[MODERATOR] = UserFactory(is_moderator=True)
    # No authenticator app, so no second factor in this session: moderator powers are withheld.
    users[MODERATOR_WITHOUT_MFA] = UserFactory(is_moderator=True, totp=False)
    group_a = SupportGroupFactory(slug="group-a", name="Group A", private=True)
    group_b = SupportGroupFactory(slug="group-b", name="Group B")
    MembershipFactory(group=group_a, user=users[MEMBER_A])
    MembershipFactory(group=group_a, user=users[FACILITATOR_A], facilitator=True)
    MembershipFactory(group=group_a, user=users[REMOVED_A], status=Membership.Status.REMOVED)
    MembershipFactory(group=group_a, user=users[LEFT_A], status=Membership.Status.LEFT)
    MembershipFactory(group=group_a, user=users[SUSPENDED])
    MembershipFactory(group=group_b, user=users[MEMBER_B])
    MembershipFactory(group=group_b, user=users[FACILITATOR_B], facilitator=True)
    topic_a = TopicFactory(group=group_a, author=users[MEMBER_A], title="Behind glass")
    topic_b = TopicFactory(group=group_b, author=users[MEMBER_B], title="Colours gone grey")
    post_a = PostFactory(topic=topic_a, author=users[MEMBER_A], body="A reply in group A.")
    post_b = PostFactory(topic=topic_b, author=users[MEMBER_B], body="A reply in group B.")
    session_a = GroupSessionFactory(group=group_a, title="A's evening")
    session_b = GroupSessionFactory(group=group_b, title="B's evening")
    care_message = care_message_send(recipient=users[MEMBER_A], kind=CareMessage.Kind.CHECK_IN, sent_by=users[MODERATOR])
    notification = Notification.objects.filter(recipient=users[MEMBER_A]).latest("pk")
    clients = {role: client_for(user) for role, user in users.items()}
    with TestCase.captureOnCommitCallbacks(execute=True):  # the suspension ends sessions on commit
        sanction_create(
            member=users[SUSPENDED], moderator=users[MODERATOR], kind=Sanction.Kind.SUSPENSION, reason="Test suspension."
        )
    entry = EntryFactory(slug="what-numbness-is", title="What numbness is")
    return SiteWorld(
        users=users, group_a=group_a, group_b=group_b, topic_a=topic_a, post_a=post_a, topic_b=topic_b, post_b=post_b,
        session_a=session_a, session_b=session_b, notification_a=notification, care_message_a=care_message,
        entry=entry, clients=clients,
    )


def attempt(client: Client, method: str, url: str, data: dict):
    """One request that leaves the world as it was: what it changed is rolled back, and the client's
    cookies put back (signing out would otherwise sign the client out for the next rows too)."""
    saved = {key: morsel.value for key, morsel in client.cookies.items()}
    with transaction.atomic():
        response = getattr(client, method)(url, data)
        transaction.set_rollback(True)
    for key, value in saved.items():
        client.cookies[key] = value
    return response
