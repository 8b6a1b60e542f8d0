"""Reads for the caring path: a member's conversation with the team, who is waiting for an answer,
and what a crisis case's page shows (its timeline's messages, the words that raised it).

Beside selectors.py rather than in it while that module is being reworked for the queue; it
belongs in a selectors/ package when selectors.py is split by sub-domain.
"""
from dataclasses import dataclass

from django.db.models import Count, Prefetch, Q, QuerySet, prefetch_related_objects
from django.shortcuts import get_object_or_404

from moderation import selectors
from moderation.models import CareMessage, Conversation, CrisisCase, Flag, RiskAssessment


# ----------------------------------------------------------------------------- the member's side


def team_messages_for_member(*, member) -> QuerySet[CareMessage]:
    """Everything the team sent the member, newest first (their messages page)."""
    return CareMessage.objects.filter(recipient=member, sender=CareMessage.Sender.TEAM)


def conversation_open_for_member(*, member) -> Conversation | None:
    return Conversation.objects.filter(member=member, status=Conversation.Status.OPEN).first()


def conversation_get_for_member(*, member, conversation_id: int) -> Conversation:
    # Someone else's conversation answers 404, like one that does not exist.
    return get_object_or_404(Conversation, pk=conversation_id, member=member)


def conversation_thread(*, conversation: Conversation) -> list[CareMessage]:
    """The conversation's messages, both sides, oldest first."""
    return list(conversation.messages.order_by("created_at", "pk"))


# ----------------------------------------------------------------------------- the moderators' side


def conversations_waiting() -> list[Conversation]:
    """Open conversations whose member waits for an answer, longest wait first, each with how
    many of the member's messages no moderator has read yet."""
    unread = Count("messages", filter=Q(messages__sender=CareMessage.Sender.MEMBER, messages__read_at__isnull=True))
    return list(
        Conversation.objects.filter(status=Conversation.Status.OPEN, waiting_since__isnull=False)
        .select_related("member__profile", "case")
        .annotate(unread_count=unread)
        .order_by("waiting_since", "pk")
    )


@dataclass(frozen=True)
class FlagWords:
    """One flag on a case: the words as they were when assessed, and why the assessor spoke up."""

    flag: Flag
    # None when the words are gone (erased with the member's account).
    text: str | None
    version: int | None
    rule_descriptions: list[str]
    # The model's scores: moderators only, like everything on the case page.
    model_signal: dict | None


def _case_flags(case: CrisisCase) -> list[Flag]:
    """The flags that raised the case or joined it, oldest first, each once."""
    flags = {}
    candidates = [case.flag, case.report.flag if case.report else None, *(event.flag for event in case.timeline)]
    for flag in candidates:
        if flag is not None:
            flags.setdefault(flag.pk, flag)
    return sorted(flags.values(), key=lambda flag: (flag.raised_at, flag.pk))


def _flag_words(flags: list[Flag]) -> list[FlagWords]:
    from moderation.services.risk import CONTENT_TEXT_LOADERS

    # A flag raised by a report has no assessment of its own: its words are those of the newest
    # version of the content that was assessed.
    unassessed = [flag for flag in flags if flag.assessment is None]
    newest: dict[tuple[str, int], RiskAssessment] = {}
    if unassessed:
        same_content = Q(pk__in=[])
        for flag in unassessed:
            same_content |= Q(content_kind=flag.content_kind, content_id=flag.content_id)
        for assessment in RiskAssessment.objects.filter(same_content).order_by("content_version"):
            newest[(assessment.content_kind, assessment.content_id)] = assessment
    words = []
    for flag in flags:
        assessment = flag.assessment or newest.get((flag.content_kind, flag.content_id))
        loader = CONTENT_TEXT_LOADERS.get(flag.content_kind)
        version = assessment.content_version if assessment else None
        text = loader(flag.content_id, version) if loader and version is not None else None
        signals = assessment.signals if assessment else []
        words.append(FlagWords(
            flag=flag, text=text or None, version=version,
            rule_descriptions=[s.get("description", "") for s in signals if s.get("kind") == "rule"],
            model_signal=next((s for s in signals if s.get("kind") == "model"), None),
        ))
    return words


def case_page_get(*, case_id: int) -> CrisisCase:
    """A case as its page shows it: selectors.case_get's timeline with each entry's message, the
    words behind each flag (`flag_words`), and the member's conversation on the case, if they
    are waiting for an answer (`waiting`). Moderators only (the caller checks)."""
    case = selectors.case_get(case_id=case_id)
    prefetch_related_objects(
        case.timeline, "message", Prefetch("flag", queryset=Flag.objects.select_related("assessment"))
    )
    if case.flag is not None:
        prefetch_related_objects([case.flag], "assessment")
    if case.report is not None:
        prefetch_related_objects([case.report], Prefetch("flag", queryset=Flag.objects.select_related("assessment")))
    case.flag_words = _flag_words(_case_flags(case))
    case.waiting = (
        case.conversations.filter(status=Conversation.Status.OPEN, waiting_since__isnull=False).first()
    )
    return case
