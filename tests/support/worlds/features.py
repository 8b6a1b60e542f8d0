"""The ten kinds of visitor of the site world (site.py), seen through the groups and moderation tables.

tests/groups/url_table.py and tests/moderation/url_table.py describe every URL of those two apps
and who may use it, in their own terms (a member, an outsider, a facilitator of this group...).
Here the site world gains what their rows need (a reply to react to, a member to remove, someone
asking to join, an invitation, a reported post, a case, a sanction, a phrase, a held post, a review
request), and each of the ten is placed in those terms, group by group, in one declared table.
"""
from dataclasses import dataclass

from moderation import services as moderation_services
from moderation.models import CareMessage, Sanction
from tests.factories import UserFactory
from tests.groups.factories import MembershipFactory, PostFactory
from tests.groups.url_table import LISTED, PRIVATE
from tests.support.roles import (
    ANONYMOUS,
    FACILITATOR,
    FACILITATOR_A,
    FACILITATOR_B,
    FACILITATOR_ELSEWHERE,
    FACILITATOR_HERE,
    LEFT,
    LEFT_A,
    MEMBER,
    MEMBER_A,
    MEMBER_B,
    MODERATOR,
    MODERATOR_WITHOUT_MFA,
    OUTSIDER,
    REMOVED,
    REMOVED_A,
    SUSPENDED,
)
from tests.support.worlds import groups, site
from tests.support.worlds.moderation import ModerationWorld

# Who each of the ten is to group A (private) and to group B (listed), in the groups table's
# words. The suspended member's sessions ended with the suspension: to the site they are a visitor.
GROUP_RELATION = {
    PRIVATE: {
        ANONYMOUS: ANONYMOUS,
        SUSPENDED: ANONYMOUS,
        MEMBER_A: MEMBER,
        REMOVED_A: REMOVED,
        LEFT_A: LEFT,
        FACILITATOR_A: FACILITATOR,
        MEMBER_B: OUTSIDER,
        FACILITATOR_B: OUTSIDER,
        MODERATOR: MODERATOR,
        # Moderator powers need the second factor in this session: until then, someone outside.
        MODERATOR_WITHOUT_MFA: MODERATOR_WITHOUT_MFA,
    },
    LISTED: {
        ANONYMOUS: ANONYMOUS,
        SUSPENDED: ANONYMOUS,
        MEMBER_A: OUTSIDER,
        REMOVED_A: OUTSIDER,
        LEFT_A: OUTSIDER,
        FACILITATOR_A: OUTSIDER,
        MEMBER_B: MEMBER,
        FACILITATOR_B: FACILITATOR,
        MODERATOR: MODERATOR,
        MODERATOR_WITHOUT_MFA: MODERATOR_WITHOUT_MFA,
    },
}

# And in the moderation table's words: the reported post, the case and the sanction are in group A.
MODERATION_RELATION = {
    ANONYMOUS: ANONYMOUS,
    SUSPENDED: ANONYMOUS,
    MEMBER_A: MEMBER,
    MEMBER_B: MEMBER,
    REMOVED_A: MEMBER,
    LEFT_A: MEMBER,
    FACILITATOR_A: FACILITATOR_HERE,
    FACILITATOR_B: FACILITATOR_ELSEWHERE,
    MODERATOR: MODERATOR,
    MODERATOR_WITHOUT_MFA: MODERATOR_WITHOUT_MFA,
}


@dataclass
class FeatureWorld:
    site: site.SiteWorld
    groups: groups.World  # group A as its private setup, group B as its listed one
    moderation: ModerationWorld

    def client(self, role: str):
        return self.site.client(role)


def _moderation_world(world: site.SiteWorld, setup: groups.GroupSetup) -> ModerationWorld:
    """A report, a case, a mute, a phrase, a held post and a review request, all about group A."""
    moderator, author, post = world.users[MODERATOR], setup.reply.author, setup.reply
    reporter = MembershipFactory(group=world.group_a, user=UserFactory()).user
    report = moderation_services.report_create(reporter=reporter, post=post, reason="harassment")
    case = moderation_services.member_asks_to_talk(member=author)
    sanction = moderation_services.sanction_create(
        member=author, moderator=moderator, kind=Sanction.Kind.MUTE, reason="A pause."
    )
    phrase = moderation_services.watched_phrase_save(
        moderator=moderator, phrase="buy cheap pills", action="block", message="No ads."
    )
    held_post = PostFactory(topic=setup.topic, author=author, body="Waiting.", held_at=post.created_at)
    review = moderation_services.review_request_create(
        member=author, care_message=CareMessage.objects.get(sanction=sanction)
    )
    return ModerationWorld(
        users={MODERATOR: moderator}, group=world.group_a, other_group=world.group_b, author=author,
        post=post, flag=report.flag, case=case, sanction=sanction, phrase=phrase, held_post=held_post, review=review,
    )


def build_feature_world() -> FeatureWorld:
    world = site.build_site_world()
    private, listed = (
        groups.setup_around(topic, target=UserFactory(), requester=UserFactory(), facilitator=world.users[facilitator])
        for topic, facilitator in ((world.topic_a, FACILITATOR_A), (world.topic_b, FACILITATOR_B))
    )
    # The groups rows name "the member" for things of their own (the calendar feed): member A.
    groups_world = groups.World(users={MEMBER: world.users[MEMBER_A]}, listed=listed, private=private)
    return FeatureWorld(site=world, groups=groups_world, moderation=_moderation_world(world, private))
