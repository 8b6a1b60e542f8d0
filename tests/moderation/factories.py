"""Factories for moderation rows, built on tests/factories.py and tests/groups/factories.py.

Factories set rows up for the tests that read them (the queue, the overview, a member's history).
Tests about what moderators, members and the risk pipeline do go through the services, which also
write the audit log, tell the member and send the events; none of that happens here.

`content=` names what an assessment or a flag is about, a forum post or a room message: its kind,
id, author and group follow from it. Without it a flag points at a post id no row has.
"""
import factory
from django.utils import timezone

from groups.models import Post
from moderation.models import (
    CareMessage,
    ContentKind,
    CrisisCase,
    Flag,
    FollowUp,
    Report,
    RiskAssessment,
    RiskLevel,
    Sanction,
)
from tests.factories import UserFactory
from tests.groups.factories import PostFactory


def _kind_of(content) -> str:
    return ContentKind.POST if isinstance(content, Post) else ContentKind.ROOM_MESSAGE


def _group_of(content):
    return content.topic.group if isinstance(content, Post) else content.session.group


class _AboutContent(factory.django.DjangoModelFactory):
    """What an assessment and a flag share: the content they are about."""

    class Meta:
        abstract = True

    class Params:
        content = None

    content_kind = factory.LazyAttribute(lambda row: _kind_of(row.content) if row.content else ContentKind.POST)
    content_id = factory.LazyAttributeSequence(lambda row, n: row.content.pk if row.content else 1_000_000 + n)
    author = factory.LazyAttribute(lambda row: row.content.author if row.content else None)
    group = factory.LazyAttribute(lambda row: _group_of(row.content) if row.content else None)


class RiskAssessmentFactory(_AboutContent):
    """An assessment already made (concern, by default) of the content's first version."""

    class Meta:
        model = RiskAssessment

    status = RiskAssessment.Status.ASSESSED
    level = RiskLevel.CONCERN
    score = 0.9
    signals = factory.LazyFunction(lambda: [{"kind": "rule", "description": "a rule that fired"}])
    assessed_at = factory.LazyFunction(timezone.now)


class FlagFactory(_AboutContent):
    """An open item in the queue, raised by an assessment of the same content and level (pass
    `assessment=None` for a flag without one, `source=Flag.Source.REPORT` for a member's report)."""

    class Meta:
        model = Flag

    source = Flag.Source.ASSESSMENT
    # A report has no level of its own; it waits behind every assessment.
    level = factory.LazyAttribute(lambda flag: RiskLevel.NONE if flag.source == Flag.Source.REPORT else RiskLevel.CONCERN)
    assessment = factory.Maybe(
        factory.LazyAttribute(lambda flag: flag.source == Flag.Source.ASSESSMENT),
        yes_declaration=factory.SubFactory(
            RiskAssessmentFactory,
            content_kind=factory.SelfAttribute("..content_kind"),
            content_id=factory.SelfAttribute("..content_id"),
            author=factory.SelfAttribute("..author"),
            group=factory.SelfAttribute("..group"),
            level=factory.SelfAttribute("..level"),
        ),
        no_declaration=None,
    )
    priority = factory.LazyAttribute(
        lambda flag: Flag.PRIORITY_BY_LEVEL["report" if flag.source == Flag.Source.REPORT else flag.level]
    )
    raised_at = factory.LazyFunction(timezone.now)


class ReportFactory(factory.django.DjangoModelFactory):
    """A member's open report of a forum post (pass `post=None, room_message=...` for a room message)."""

    class Meta:
        model = Report

    reporter = factory.SubFactory(UserFactory)
    post = factory.SubFactory(PostFactory)
    room_message = None
    reason = Report.Reason.HARASSMENT


class SanctionFactory(factory.django.DjangoModelFactory):
    """A warning in force from now, everywhere (traits: `mute`, `suspension`)."""

    class Meta:
        model = Sanction

    user = factory.SubFactory(UserFactory)
    kind = Sanction.Kind.WARNING
    reason = "Please be kind."

    class Params:
        mute = factory.Trait(kind=Sanction.Kind.MUTE)
        suspension = factory.Trait(kind=Sanction.Kind.SUSPENSION)


class CrisisCaseFactory(factory.django.DjangoModelFactory):
    """An open case about a member, opened by a risk assessment."""

    class Meta:
        model = CrisisCase

    member = factory.SubFactory(UserFactory)
    origin = CrisisCase.Origin.ASSESSMENT


class FollowUpFactory(factory.django.DjangoModelFactory):
    """A check-in of an open case, due tomorrow."""

    class Meta:
        model = FollowUp

    case = factory.SubFactory(CrisisCaseFactory)
    due_at = factory.LazyFunction(lambda: timezone.now() + timezone.timedelta(days=1))


class CareMessageFactory(factory.django.DjangoModelFactory):
    """A check-in from the team to a member (no conversation or case of its own)."""

    class Meta:
        model = CareMessage

    recipient = factory.SubFactory(UserFactory)
    sender = CareMessage.Sender.TEAM
    kind = CareMessage.Kind.CHECK_IN
    body = "We noticed your post and wanted to check in. How are you doing tonight?"
