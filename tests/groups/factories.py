"""Factories for groups and the forum, built on tests/factories.py's UserFactory.

Rendered HTML is made the way the services make it (Markdown, then nh3), so a factory-made
group or post looks on the page exactly like one a member wrote. Factories set rows up; tests
that are about behaviour go through the services.
"""
import factory
from django.utils import timezone

from groups.models import GroupSession, Invitation, Membership, Post, Reaction, Rsvp, SupportGroup, Topic
from platform_site.text import markdown_to_safe_html
from tests.factories import UserFactory


class SupportGroupFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = SupportGroup

    name = factory.Sequence(lambda n: f"Quiet harbour {n}")
    slug = factory.Sequence(lambda n: f"quiet-harbour-{n}")
    description = "A small group for people who feel far away from their own feelings."
    description_html = factory.LazyAttribute(lambda group: markdown_to_safe_html(group.description))
    house_rules = "- Speak from your own experience."
    house_rules_html = factory.LazyAttribute(lambda group: markdown_to_safe_html(group.house_rules))
    focus = SupportGroup.Focus.GENERAL
    visibility = SupportGroup.Visibility.LISTED
    join_policy = SupportGroup.JoinPolicy.OPEN
    size_cap = None

    class Params:
        private = factory.Trait(
            visibility=SupportGroup.Visibility.PRIVATE, join_policy=SupportGroup.JoinPolicy.INVITATION
        )


class MembershipFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Membership

    group = factory.SubFactory(SupportGroupFactory)
    user = factory.SubFactory(UserFactory)
    role = Membership.Role.MEMBER
    status = Membership.Status.ACTIVE

    class Params:
        facilitator = factory.Trait(role=Membership.Role.FACILITATOR)


class InvitationFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Invitation

    group = factory.SubFactory(SupportGroupFactory)
    created_by = None
    expires_at = factory.LazyFunction(lambda: timezone.now() + timezone.timedelta(days=7))


class TopicFactory(factory.django.DjangoModelFactory):
    """A topic with its opening post (pass `opening=False` for a bare topic, `opening__body=` to word it)."""

    class Meta:
        model = Topic
        skip_postgeneration_save = True

    group = factory.SubFactory(SupportGroupFactory)
    author = factory.SubFactory(UserFactory)
    title = factory.Sequence(lambda n: f"Watching life through glass, part {n}")

    @factory.post_generation
    def opening(topic, create, extracted, **kwargs):
        if create and extracted is not False:
            kwargs.setdefault("body", "Since my dose went up, everything is quieter, the good days too.")
            PostFactory(topic=topic, author=topic.author, is_opening=True, created_at=topic.created_at, **kwargs)


class PostFactory(factory.django.DjangoModelFactory):
    """A post row. A reply made this way does not bump `reply_count`: use reply_create for that."""

    class Meta:
        model = Post

    topic = factory.SubFactory(TopicFactory)
    author = factory.SubFactory(UserFactory)
    is_opening = False
    body = factory.Sequence(lambda n: f"Reply number {n}: I know that flatness too.")
    body_html = factory.LazyAttribute(lambda post: markdown_to_safe_html(post.body))


class ReactionFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Reaction

    post = factory.SubFactory(PostFactory)
    user = factory.SubFactory(UserFactory)
    kind = Reaction.Kind.HEAR_YOU


class GroupSessionFactory(factory.django.DjangoModelFactory):
    """A scheduled session a week from now (pass `starts_at=` for another time)."""

    class Meta:
        model = GroupSession

    group = factory.SubFactory(SupportGroupFactory)
    title = factory.Sequence(lambda n: f"Evening check-in {n}")
    agenda = "- A round of how we are\n- One small thing we noticed this week"
    starts_at = factory.LazyFunction(lambda: timezone.now().replace(microsecond=0) + timezone.timedelta(days=7))
    duration_minutes = 60
    capacity = 12


class RsvpFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Rsvp

    session = factory.SubFactory(GroupSessionFactory)
    user = factory.SubFactory(UserFactory)
    status = Rsvp.Status.GOING
