"""A small moderation world for the role matrix and the action tests: two groups, a member's post
reported in one of them, a crisis case, a sanction, a watched phrase, a held post, a review request."""
from dataclasses import dataclass, field

from django.test import Client

from groups.models import Post
from moderation import services
from moderation.models import CareMessage, CrisisCase, Flag, Sanction, WatchedPhrase
from tests.factories import UserFactory, sign_in
from tests.groups.factories import MembershipFactory, PostFactory, SupportGroupFactory, TopicFactory
from tests.support.roles import (
    ANONYMOUS,
    FACILITATOR_ELSEWHERE,
    FACILITATOR_HERE,
    MEMBER,
    MODERATOR,
    MODERATOR_WITHOUT_MFA,
)


@dataclass
class ModerationWorld:
    users: dict
    group: object
    other_group: object
    author: object
    post: Post
    flag: Flag
    case: CrisisCase
    sanction: Sanction
    phrase: WatchedPhrase
    held_post: Post
    review: object
    clients: dict = field(default_factory=dict)


def build_moderation_world() -> ModerationWorld:
    users = {
        ANONYMOUS: None,
        MEMBER: UserFactory(),
        FACILITATOR_ELSEWHERE: UserFactory(),
        FACILITATOR_HERE: UserFactory(),
        MODERATOR_WITHOUT_MFA: UserFactory(is_moderator=True, totp=False),
        MODERATOR: UserFactory(is_moderator=True),
    }
    group = SupportGroupFactory(private=True, name="Private circle")
    other_group = SupportGroupFactory(name="Another circle")
    author, reporter = UserFactory(), UserFactory()
    for user in (users[MEMBER], author, reporter):
        MembershipFactory(group=group, user=user)
    MembershipFactory(group=group, user=users[FACILITATOR_HERE], facilitator=True)
    MembershipFactory(group=other_group, user=users[FACILITATOR_ELSEWHERE], facilitator=True)
    topic = TopicFactory(group=group, author=users[MEMBER], title="Glass again")
    post = PostFactory(topic=topic, author=author, body="A reply someone reported.")
    report = services.report_create(reporter=reporter, post=post, reason="harassment")
    moderator = users[MODERATOR]
    case = services.member_asks_to_talk(member=author)
    sanction = services.sanction_create(member=author, moderator=moderator, kind=Sanction.Kind.MUTE, reason="A pause.")
    phrase = services.watched_phrase_save(moderator=moderator, phrase="buy cheap pills", action="block", message="No ads.")
    held_post = PostFactory(topic=topic, author=author, body="Waiting.", held_at=post.created_at)
    message = CareMessage.objects.get(sanction=sanction)
    review = services.review_request_create(member=author, care_message=message)
    world = ModerationWorld(
        users=users, group=group, other_group=other_group, author=author, post=post, flag=report.flag, case=case,
        sanction=sanction, phrase=phrase, held_post=held_post, review=review,
    )
    world.clients = {
        role: sign_in(Client(), user, with_mfa=role != MODERATOR_WITHOUT_MFA) if user else Client()
        for role, user in users.items()
    }
    return world
