from dataclasses import dataclass
from datetime import datetime

from django.db.models import Count, Min, Q, QuerySet
from django.shortcuts import get_object_or_404
from django.utils import timezone

from moderation.models import (
    CareMessage,
    ContentKind,
    CrisisCase,
    Flag,
    ModeratorDuty,
    Report,
    RiskAssessment,
    Sanction,
)
from platform_site.health import worker_is_responsive, worker_last_seen


@dataclass(frozen=True)
class PipelineHealth:
    worker_responsive: bool
    worker_last_seen: datetime | None


def pipeline_health_get() -> PipelineHealth:
    return PipelineHealth(worker_responsive=worker_is_responsive(), worker_last_seen=worker_last_seen())


def sanctions_in_force(*, user, now: datetime | None = None) -> QuerySet[Sanction]:
    now = now or timezone.now()
    return Sanction.objects.filter(user=user, lifted_at__isnull=True, starts_at__lte=now).filter(
        Q(ends_at__isnull=True) | Q(ends_at__gt=now)
    )


def posting_restriction_get(*, user, group=None) -> Sanction | None:
    """The suspension or mute that stops `user` from writing in `group` now, if any.

    A member under one can still read; the caller shows them the reason and until when.
    """
    restrictions = sanctions_in_force(user=user).filter(kind__in=[Sanction.Kind.SUSPENSION, Sanction.Kind.MUTE])
    if group is not None:
        restrictions = restrictions.filter(Q(group__isnull=True) | Q(group=group))
    else:
        restrictions = restrictions.filter(group__isnull=True)
    # A suspension outranks a mute; among equals, tell the one that lasts longest.
    return max(
        restrictions,
        key=lambda sanction: (
            sanction.kind == Sanction.Kind.SUSPENSION,
            sanction.ends_at is None,
            sanction.ends_at or sanction.starts_at,
        ),
        default=None,
    )


def report_list_open() -> QuerySet[Report]:
    return (
        Report.objects.filter(status=Report.Status.OPEN)
        .select_related(
            "post__topic__group", "reporter__profile", "post__author__profile",
            "room_message__session__group", "room_message__author__profile",
        )
        .order_by("created_at")
    )


# ----------------------------------------------------------------------------- the risk pipeline
@dataclass(frozen=True)
class AssessmentBacklog:
    pending: int
    oldest_pending_at: datetime | None

    @property
    def oldest_age_seconds(self) -> float | None:
        if self.oldest_pending_at is None:
            return None
        return max(0.0, (timezone.now() - self.oldest_pending_at).total_seconds())


def assessment_backlog_get() -> AssessmentBacklog:
    pending = RiskAssessment.objects.filter(status=RiskAssessment.Status.PENDING)
    summary = pending.aggregate(count=Count("pk"), oldest=Min("requested_at"))
    return AssessmentBacklog(pending=summary["count"], oldest_pending_at=summary["oldest"])


def _attach_posts(flags: list[Flag]) -> list[Flag]:
    """Give each flag its post or room message (one query each), for the link on the dashboard."""
    from groups.models import Post, RoomMessage

    def ids(kind: str) -> list[int]:
        return [flag.content_id for flag in flags if flag.content_kind == kind]

    posts = Post.objects.select_related("topic__group").in_bulk(ids(ContentKind.POST))
    room_messages = RoomMessage.objects.select_related("session__group").in_bulk(ids(ContentKind.ROOM_MESSAGE))
    for flag in flags:
        flag.post = posts.get(flag.content_id) if flag.content_kind == ContentKind.POST else None
        flag.room_message = room_messages.get(flag.content_id) if flag.content_kind == ContentKind.ROOM_MESSAGE else None
    return flags


def flag_list_open() -> list[Flag]:
    """Open flags in queue order: crisis, then concern, oldest first within each level."""
    flags = Flag.objects.filter(status=Flag.Status.OPEN).select_related("author__profile", "group", "assessment")
    return _attach_posts(list(flags.order_by("priority", "raised_at")[:200]))


def case_list_open() -> QuerySet[CrisisCase]:
    return (
        CrisisCase.objects.filter(status=CrisisCase.Status.OPEN)
        .select_related("member__profile", "acknowledged_by__profile")
        .order_by("opened_at")
    )


def case_get(*, case_id: int) -> CrisisCase:
    """One case with its timeline, follow-ups and messages. Moderators only (the caller checks)."""
    case = get_object_or_404(
        CrisisCase.objects.select_related("member__profile", "flag", "report__post__topic", "report__room_message__session"),
        pk=case_id,
    )
    case.timeline = list(case.events.select_related("actor__profile"))
    case.follow_up_list = list(case.follow_ups.all())
    if case.flag is not None:
        _attach_posts([case.flag])
    return case


def case_open_count() -> int:
    return CrisisCase.objects.filter(status=CrisisCase.Status.OPEN).count()


def moderator_on_duty(*, moderator) -> bool:
    return ModeratorDuty.objects.filter(moderator=moderator, on_duty=True).exists()


def care_messages_for_member(*, member) -> QuerySet[CareMessage]:
    return CareMessage.objects.filter(recipient=member)


def care_message_get_for_member(*, member, message_id: int) -> CareMessage:
    # Another member's message answers 404, like one that does not exist.
    return get_object_or_404(CareMessage, pk=message_id, recipient=member)
