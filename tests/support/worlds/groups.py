"""The groups table's world (tests/groups/url_table.py): a listed and a private group, each with a
member's topic, another member's reply, a request to join and an invitation, and a client signed in
as each of the visitors the table names (tests/support/roles.py)."""
from dataclasses import dataclass, field

from django.test import Client

from groups.models import Invitation, Membership, Post, SupportGroup, Topic
from tests.factories import UserFactory
from tests.groups.factories import InvitationFactory, MembershipFactory, PostFactory, SupportGroupFactory, TopicFactory
from tests.groups.helpers import client_for
from tests.support.roles import ANONYMOUS, FACILITATOR, LEFT, MEMBER, MODERATOR, OUTSIDER, REMOVED


@dataclass
class GroupSetup:
    """One group with a member's topic, another member's reply, a request and an invitation."""

    group: SupportGroup
    topic: Topic
    opening: Post  # written by the "member" role
    reply: Post  # written by `target`, so anyone but target may react to or report it
    target: Membership  # an ordinary active member, for remove / role changes
    requested: Membership  # someone asking to join, for approve / decline
    invitation: Invitation


@dataclass
class World:
    users: dict
    listed: GroupSetup
    private: GroupSetup
    clients: dict = field(default_factory=dict)

    def setup(self, visibility: str) -> GroupSetup:
        return self.listed if visibility == "listed" else self.private

    def client(self, role: str) -> Client:
        return self.clients[role]


def _group_setup(group: SupportGroup, users: dict, target, requester) -> GroupSetup:
    MembershipFactory(group=group, user=users[MEMBER])
    MembershipFactory(group=group, user=users[FACILITATOR], facilitator=True)
    MembershipFactory(group=group, user=users[REMOVED], status=Membership.Status.REMOVED)
    MembershipFactory(group=group, user=users[LEFT], status=Membership.Status.LEFT)
    topic = TopicFactory(group=group, author=users[MEMBER], title=f"Glass between me and the world ({group.slug})")
    return setup_around(topic, target=target, requester=requester, facilitator=users[FACILITATOR])


def setup_around(topic: Topic, *, target, requester, facilitator) -> GroupSetup:
    """What the table's rows act on, around a topic: a reply by `target`, who is a plain member, a
    request to join from `requester` and an invitation from `facilitator`."""
    group = topic.group
    target_membership = MembershipFactory(group=group, user=target)
    requested = MembershipFactory(group=group, user=requester, status=Membership.Status.REQUESTED)
    reply = PostFactory(topic=topic, author=target, body="Me too: music stopped reaching me.")
    Topic.objects.filter(pk=topic.pk).update(reply_count=topic.posts.filter(is_opening=False).count())
    return GroupSetup(
        group=group,
        topic=topic,
        opening=topic.posts.get(is_opening=True),
        reply=reply,
        target=target_membership,
        requested=requested,
        invitation=InvitationFactory(group=group, created_by=facilitator),
    )


def build_world() -> World:
    users = {
        ANONYMOUS: None,
        OUTSIDER: UserFactory(),
        MEMBER: UserFactory(),
        FACILITATOR: UserFactory(),
        MODERATOR: UserFactory(is_moderator=True),
        REMOVED: UserFactory(),
        LEFT: UserFactory(),
    }
    target, requester = UserFactory(), UserFactory()
    listed = SupportGroupFactory(slug="listed-circle", name="Listed circle")
    private = SupportGroupFactory(slug="private-circle", name="Private circle", private=True)
    return World(
        users=users,
        listed=_group_setup(listed, users, target, requester),
        private=_group_setup(private, users, target, requester),
        # Signed in up front: a session made inside a rolled-back savepoint would vanish with it.
        clients={role: client_for(user) for role, user in users.items()},
    )
