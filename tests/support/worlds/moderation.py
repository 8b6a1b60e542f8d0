"""Moderation worlds. A small one for the role matrix and the action tests: two groups, a member's
post reported in one of them, a crisis case, a sanction, a watched phrase, a held post, a review
request. And a queue of any length (`build_queue`) for the tests that count the queue's queries."""
import itertools
from dataclasses import dataclass, field
from datetime import timedelta

from django.test import Client
from django.utils import timezone

from groups.models import Post, RoomMessage
from moderation import services
from moderation.models import CareMessage, CrisisCase, Flag, Report, RiskLevel, Sanction, WatchedPhrase
from tests.factories import UserFactory, sign_in
from tests.groups.factories import GroupSessionFactory, MembershipFactory, PostFactory, SupportGroupFactory, TopicFactory
from tests.moderation.factories import CrisisCaseFactory, FlagFactory, FollowUpFactory, SanctionFactory
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


# ----------------------------------------------------------------------------- a queue of any length

_seq = itertools.count(1)
SIGNALS = [{"kind": "rule", "description": "a rule that fired"}, {"kind": "model", "crisis": 0.8, "concern": 0.1}]


def build_queue(n: int) -> None:
    """`n` open flags of every kind the queue shows: crisis and concern flags on forum posts and room
    messages, member reports, across three groups, by authors with a history (earlier decided flags,
    sanctions, open crisis cases with follow-ups)."""
    now = timezone.now()
    open_before = Flag.objects.filter(status=Flag.Status.OPEN).count()
    groups = [SupportGroupFactory() for _ in range(3)]
    sessions = [GroupSessionFactory(group=group) for group in groups]
    authors = [UserFactory() for _ in range(max(2, n // 2))]
    reporter = UserFactory()
    for index, author in enumerate(authors):
        FlagFactory(
            assessment=None, author=author, group=groups[0], status=Flag.Status.DISMISSED, raised_at=now - timedelta(days=3),
            first_action_at=now - timedelta(days=3), decided_at=now - timedelta(days=3),
        )
        if index % 2 == 0:
            SanctionFactory(user=author)
        if index % 3 == 0:
            FollowUpFactory(case=CrisisCaseFactory(member=author))
    for index in range(n):
        author, group, session = authors[index % len(authors)], groups[index % 3], sessions[index % 3]
        raised_at = now - timedelta(minutes=index * 7)
        level = RiskLevel.CRISIS if index % 2 else RiskLevel.CONCERN
        kind = index % 3
        if kind == 0:
            topic = TopicFactory(group=group)
            PostFactory(topic=topic)
            content = PostFactory(topic=topic, author=author)
            PostFactory(topic=topic)
        elif kind == 1:
            content = RoomMessage.objects.create(session=session, seq=next(_seq), author=author, body="It is all grey.")
        else:
            post = PostFactory(topic=TopicFactory(group=group), author=author)
            services.report_create(reporter=reporter, post=post, reason=Report.Reason.HARASSMENT, note="Unkind.")
            continue
        FlagFactory(
            content=content, level=level, raised_at=raised_at, assessment__assessed_at=raised_at, assessment__signals=SIGNALS,
        )
    assert Flag.objects.filter(status=Flag.Status.OPEN).count() == open_before + n
