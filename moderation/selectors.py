from dataclasses import dataclass
from datetime import datetime

from django.db.models import Q, QuerySet
from django.utils import timezone

from moderation.models import Report, Sanction
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
        .select_related("post__topic__group", "reporter__profile", "post__author__profile")
        .order_by("created_at")
    )
