"""The risk pipeline: intake in the saving request, assessment in the worker, the sweep.

1. The request that saves a post (or room message) calls `content_risk_assessment_request` inside
   its transaction: the fast rule layer decides at once whether the author sees the crisis panel,
   and a pending `RiskAssessment` row is written with the content. No Redis, no worker involved.
2. After commit the task is queued with the assessment's id only. If the broker is down the
   enqueue fails quietly; the row stays pending and the sweep queues it again.
3. The task completes the row under a lock: a duplicate or late delivery finds it done.
"""
import logging
from collections.abc import Callable
from datetime import datetime, timedelta

from django.db import transaction
from django.db.models import F
from django.utils import timezone

from moderation.models import ContentKind, Flag, RiskAssessment, RiskLevel
from moderation.risk.assessor import assess_text
from moderation.risk.rules import rules_check
from moderation.services.cases import crisis_case_open_or_join
from moderation.services.risk_models import active_model
from platform_site.realtime import MODERATORS_GROUP, publish_on_commit

logger = logging.getLogger(__name__)

# Pending longer than this, an assessment is queued again by the sweep.
REQUEUE_AFTER = timedelta(seconds=60)

# How to load the text of each kind of content for one version; None when it is gone or has been
# edited since (then the newer version has its own assessment). Rooms register theirs.
ContentTextLoader = Callable[[int, int], str | None]
CONTENT_TEXT_LOADERS: dict[str, ContentTextLoader] = {}


def content_text_loader_register(kind: str, loader: ContentTextLoader) -> None:
    CONTENT_TEXT_LOADERS[kind] = loader


def _post_text(post_id: int, version: int) -> str | None:
    from groups.models import Post

    post = Post.objects.filter(pk=post_id).select_related("topic").first()
    if post is None or post.version != version or post.deleted_at is not None:
        return None
    # An opening post's title is part of what its author said ("Goodbye", "I can't do this").
    return f"{post.topic.title}\n\n{post.body}" if post.is_opening else post.body


content_text_loader_register(ContentKind.POST, _post_text)


def crisis_panel_due(level: str) -> bool:
    """Whether the author should see the crisis lines at once, from the rule layer's level."""
    return level == RiskLevel.CRISIS


def draft_risk_check(*, text: str) -> bool:
    """For a draft being written: should the crisis panel show before it is sent? Rules only."""
    return crisis_panel_due(rules_check(text[:20000]).level)


def content_risk_assessment_request(
    *, kind: str, content_id: int, version: int, author, group, text: str
) -> RiskAssessment:
    """Record the content as pending assessment and queue it once the transaction commits.

    Call inside the transaction that saves the content, so the pending row exists exactly when the
    content does. Returns the row; its `immediate_level` is the rule layer's verdict.
    """
    from moderation.services.phrases import risk_extra_phrases

    verdict = rules_check(text, extra_phrases=risk_extra_phrases())
    assessment, created = RiskAssessment.objects.get_or_create(
        content_kind=kind,
        content_id=content_id,
        content_version=version,
        defaults={"author": author, "group": group, "immediate_level": verdict.level},
    )
    if created:
        transaction.on_commit(lambda: risk_assessment_enqueue(assessment_id=assessment.pk), robust=True)
    return assessment


def post_risk_assessment_request(*, post) -> RiskAssessment:
    """A new or edited forum post enters the pipeline. Call inside the saving transaction."""
    text = f"{post.topic.title}\n\n{post.body}" if post.is_opening else post.body
    return content_risk_assessment_request(
        kind=ContentKind.POST, content_id=post.pk, version=post.version, author=post.author,
        group=post.topic.group, text=text,
    )


def risk_assessment_enqueue(*, assessment_id: int) -> bool:
    """Queue the assessment task (ids only: no text ever goes to the broker). False if it failed.

    A failure (broker down) is logged and left to the sweep: the row is still pending.
    """
    from moderation.tasks import risk_assess_task

    try:
        risk_assess_task.delay(assessment_id)
    except Exception:  # the broker's errors vary by transport; any of them means "sweep later"
        logger.warning("risk assessment %s not queued (broker unavailable); the sweep will retry", assessment_id)
        return False
    RiskAssessment.objects.filter(pk=assessment_id).update(
        last_enqueued_at=timezone.now(), enqueue_count=F("enqueue_count") + 1
    )
    return True


def _event_for_flag(flag: Flag) -> dict:
    from moderation.services.queue import open_crisis_count

    # Ids and the level only: the dashboard loads what the moderator may see.
    return {
        "type": "flag.raised", "flag_id": flag.pk, "level": flag.level, "raised_at": flag.raised_at.isoformat(),
        "open_crisis": open_crisis_count(),
    }


def flag_raise(*, assessment: RiskAssessment) -> Flag:
    """Put an assessed concern or crisis in the moderators' queue. Call inside a transaction."""
    flag = Flag.objects.create(
        source=Flag.Source.ASSESSMENT,
        assessment=assessment,
        level=assessment.level,
        priority=Flag.PRIORITY_BY_LEVEL[assessment.level],
        content_kind=assessment.content_kind,
        content_id=assessment.content_id,
        author_id=assessment.author_id,
        group_id=assessment.group_id,
    )
    publish_on_commit(MODERATORS_GROUP, _event_for_flag(flag))
    return flag


def risk_assessment_complete(*, assessment_id: int) -> RiskAssessment | None:
    """Assess one pending row. Idempotent: a row already assessed or skipped is returned as it is."""
    with transaction.atomic():
        assessment = RiskAssessment.objects.select_for_update().filter(pk=assessment_id).first()
        if assessment is None or assessment.status != RiskAssessment.Status.PENDING:
            return assessment
        loader = CONTENT_TEXT_LOADERS.get(assessment.content_kind)
        text = loader(assessment.content_id, assessment.content_version) if loader else None
        now = timezone.now()
        if text is None:
            assessment.status = RiskAssessment.Status.SKIPPED
            assessment.assessed_at = now
            assessment.save(update_fields=["status", "assessed_at"])
            return assessment
        from moderation.services.phrases import risk_extra_phrases

        result = assess_text(text, model=active_model(), extra_phrases=risk_extra_phrases())
        assessment.status = RiskAssessment.Status.ASSESSED
        assessment.level = result.level
        assessment.score = result.score
        assessment.signals = result.signals
        assessment.assessor_version = result.version
        assessment.assessed_at = now
        assessment.save(update_fields=["status", "level", "score", "signals", "assessor_version", "assessed_at"])
        if result.level in (RiskLevel.CONCERN, RiskLevel.CRISIS):
            flag = flag_raise(assessment=assessment)
            if result.level == RiskLevel.CRISIS and assessment.author_id is not None:
                crisis_case_open_or_join(member=assessment.author, flag=flag)
    logger.info("risk assessment %s done", assessment.pk)  # ids only: a level is a risk detail
    return assessment


def risk_pending_requeue(*, now: datetime | None = None) -> int:
    """Queue again every assessment still pending after REQUEUE_AFTER. Returns how many were queued.

    Run by beat every 30 seconds and by `manage.py risk_sweep`. Queuing one twice is harmless: the
    task finds the row already done.
    """
    now = now or timezone.now()
    stale = now - REQUEUE_AFTER
    pending = RiskAssessment.objects.filter(status=RiskAssessment.Status.PENDING, requested_at__lte=stale).exclude(
        last_enqueued_at__gt=stale
    )
    queued = 0
    for assessment_id in pending.order_by("requested_at").values_list("pk", flat=True)[:1000]:
        if not risk_assessment_enqueue(assessment_id=assessment_id):
            break  # the broker is still down: the next sweep tries again
        queued += 1
    if queued:
        logger.warning("risk sweep queued %s pending assessment(s) again", queued)
    return queued


def risk_pending_assess_inline(*, now: datetime | None = None) -> int:
    """Assess every stale pending row in this process (for when the broker or workers are down)."""
    now = now or timezone.now()
    pending = RiskAssessment.objects.filter(
        status=RiskAssessment.Status.PENDING, requested_at__lte=now - REQUEUE_AFTER
    ).order_by("requested_at")
    done = 0
    for assessment_id in pending.values_list("pk", flat=True):
        risk_assessment_complete(assessment_id=assessment_id)
        done += 1
    return done
