"""The ten kinds of visitor of tests/access/world.py, seen through the groups and moderation tables.

tests/groups/url_table.py and tests/moderation/url_table.py describe every URL of those two apps
and who may use it, in their own terms (a member, an outsider, a facilitator of this group...).
Here the site world gains what their rows need (a reply to react to, a member to remove, someone
asking to join, an invitation, a reported post, a case, a sanction, a phrase, a held post, a review
request), and each of the eight is placed in those terms, group by group, in one declared table.
"""
from dataclasses import dataclass

from moderation import services as moderation_services
from moderation.models import CareMessage, Sanction
from tests.access import world as site
from tests.factories import UserFactory
from tests.groups import helpers as groups
from tests.groups.factories import MembershipFactory, PostFactory
from tests.groups.url_table import LISTED, PRIVATE
from tests.moderation import world as moderation
from tests.moderation.world import ModerationWorld

# Who each of the eight is to group A (private) and to group B (listed), in the groups table's
# words. The suspended member's sessions ended with the suspension: to the site they are a visitor.
GROUP_RELATION = {
    PRIVATE: {
        site.ANONYMOUS: groups.ANONYMOUS,
        site.SUSPENDED: groups.ANONYMOUS,
        site.MEMBER_A: groups.MEMBER,
        site.REMOVED_A: groups.REMOVED,
        site.LEFT_A: groups.LEFT,
        site.FACILITATOR_A: groups.FACILITATOR,
        site.MEMBER_B: groups.OUTSIDER,
        site.FACILITATOR_B: groups.OUTSIDER,
        site.MODERATOR: groups.MODERATOR,
        # Moderator powers need the second factor in this session: until then, someone outside.
        site.MODERATOR_WITHOUT_MFA: groups.MODERATOR_WITHOUT_MFA,
    },
    LISTED: {
        site.ANONYMOUS: groups.ANONYMOUS,
        site.SUSPENDED: groups.ANONYMOUS,
        site.MEMBER_A: groups.OUTSIDER,
        site.REMOVED_A: groups.OUTSIDER,
        site.LEFT_A: groups.OUTSIDER,
        site.FACILITATOR_A: groups.OUTSIDER,
        site.MEMBER_B: groups.MEMBER,
        site.FACILITATOR_B: groups.FACILITATOR,
        site.MODERATOR: groups.MODERATOR,
        site.MODERATOR_WITHOUT_MFA: groups.MODERATOR_WITHOUT_MFA,
    },
}

# And in the moderation table's words: the reported post, the case and the sanction are in group A.
MODERATION_RELATION = {
    site.ANONYMOUS: moderation.ANONYMOUS,
    site.SUSPENDED: moderation.ANONYMOUS,
    site.MEMBER_A: moderation.MEMBER,
    site.MEMBER_B: moderation.MEMBER,
    site.REMOVED_A: moderation.MEMBER,
    site.LEFT_A: moderation.MEMBER,
    site.FACILITATOR_A: moderation.FACILITATOR_HERE,
    site.FACILITATOR_B: moderation.FACILITATOR_ELSEWHERE,
    site.MODERATOR: moderation.MODERATOR,
    site.MODERATOR_WITHOUT_MFA: moderation.MODERATOR_WITHOUT_MFA,
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
    moderator, author, post = world.users[site.MODERATOR], setup.reply.author, setup.reply
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
        users={moderation.MODERATOR: moderator}, group=world.group_a, other_group=world.group_b, author=author,
        post=post, flag=report.flag, case=case, sanction=sanction, phrase=phrase, held_post=held_post, review=review,
    )


def build_feature_world() -> FeatureWorld:
    world = site.build_site_world()
    private, listed = (
        groups.setup_around(topic, target=UserFactory(), requester=UserFactory(), facilitator=world.users[facilitator])
        for topic, facilitator in ((world.topic_a, site.FACILITATOR_A), (world.topic_b, site.FACILITATOR_B))
    )
    # The groups rows name "the member" for things of their own (the calendar feed): member A.
    groups_world = groups.World(users={groups.MEMBER: world.users[site.MEMBER_A]}, listed=listed, private=private)
    return FeatureWorld(site=world, groups=groups_world, moderation=_moderation_world(world, private))
