"""The risk pipeline: intake in the saving request, assessment in the worker, the sweep.

1. Before the request that saves a post (or room message) opens its transaction, the full
   assessor (rules and the trained model, in this process, a few milliseconds) rates the text:
   `text_risk_level`. A crisis shows the writer the crisis panel at once, wherever they land. No
   worker, no broker, no network is involved.
2. Inside the saving transaction `content_risk_assessment_request` writes a pending
   `RiskAssessment` row for that version; after commit the task is queued with its id only. If the
   broker is down the enqueue fails quietly; the row stays pending and the sweep queues it again.
3. The task completes the row under a lock (a duplicate or late delivery finds it done), from the
   words of the version it was asked about, even if the post was edited or deleted since: a crisis
   can't slip out of the queue by being taken back.
4. Words the posting limit or a mute refused are assessed as well (`refused_post_assess`): a
   crisis is kept for the moderators only, and goes through the same steps.
"""
import logging
from collections.abc import Callable
from datetime import datetime, timedelta

from django.db import transaction
from django.db.models import F
from django.utils import timezone

from moderation.models import ContentKind, Flag, RefusedPost, RiskAssessment, RiskLevel
from moderation.risk.assessor import LEVEL_ORDER, assess_text
from moderation.services.cases import crisis_case_open_or_join
from moderation.services.risk_models import active_model
from platform_site.realtime import MODERATORS_GROUP, publish_on_commit

logger = logging.getLogger(__name__)

# Pending longer than this, an assessment is queued again by the sweep.
REQUEUE_AFTER = timedelta(seconds=60)
# The assessor reads this much of a text in the request (a post is at most 10,000 characters;
# a draft check may send more): what is beyond it is read by the rules in the worker.
REQUEST_TEXT_MAX = 20000
# The same refused words sent again and again within this window are kept once.
REFUSED_REPEAT_WINDOW = timedelta(minutes=10)

# How to load the text of one version of each kind of content, whatever happened to it since
# (edited, deleted, hidden); None only when the words no longer exist (erased with an account).
# Groups registers posts and room messages from its AppConfig.
ContentTextLoader = Callable[[int, int], str | None]
CONTENT_TEXT_LOADERS: dict[str, ContentTextLoader] = {}


def content_text_loader_register(kind: str, loader: ContentTextLoader) -> None:
    CONTENT_TEXT_LOADERS[kind] = loader


def _post_text(post_id: int, version: int) -> str | None:
    from groups.models import Post, PostRevision

    post = Post.objects.filter(pk=post_id).select_related("topic").first()
    if post is None:
        return None
    if version == post.version:
        title, body = post.topic.title, post.body
    else:
        # An earlier version: the edit kept it as a revision. Its title is the topic's at that
        # version (older revisions, from before titles were kept, have the current one).
        revision = PostRevision.objects.filter(post=post, version=version).only("title", "body").first()
        if revision is None:
            return None
        title, body = revision.title or post.topic.title, revision.body
    if not body:
        return None  # erased with the author's account
    return post_risk_text(title=title, body=body, is_opening=post.is_opening)


def _refused_post_text(refused_id: int, version: int) -> str | None:
    refused = RefusedPost.objects.filter(pk=refused_id).only("title", "body").first()
    return refused.text if refused is not None else None


content_text_loader_register(ContentKind.POST, _post_text)
content_text_loader_register(ContentKind.REFUSED_POST, _refused_post_text)


def crisis_panel_due(level: str) -> bool:
    """Whether the writer should see the crisis lines at once."""
    return level == RiskLevel.CRISIS


def text_risk_level(*, text: str) -> str:
    """The full assessor's level for `text`, in this process: rules (with moderators' watched
    phrases) and the trained model. Call it before the saving transaction opens: the watched
    phrases may be read from the cache."""
    from moderation.services.phrases import risk_extra_phrases

    if not text or not text.strip():
        return RiskLevel.NONE
    return assess_text(text[:REQUEST_TEXT_MAX], model=active_model(), extra_phrases=risk_extra_phrases()).level


def draft_risk_check(*, text: str) -> bool:
    """For a draft being written: should the crisis panel show before it is sent?"""
    return crisis_panel_due(text_risk_level(text=text))


def content_risk_assessment_request(
    *, kind: str, content_id: int, version: int, author, group, immediate_level: str
) -> RiskAssessment:
    """Record the content as pending assessment and queue it once the transaction commits.

    Call inside the transaction that saves the content, so the pending row exists exactly when the
    content does. `immediate_level` is what `text_risk_level` said in this request.
    """
    assessment, created = RiskAssessment.objects.get_or_create(
        content_kind=kind,
        content_id=content_id,
        content_version=version,
        defaults={"author": author, "group": group, "immediate_level": immediate_level},
    )
    if created:
        transaction.on_commit(lambda: risk_assessment_enqueue(assessment_id=assessment.pk), robust=True)
    return assessment


def post_risk_text(*, title: str, body: str, is_opening: bool) -> str:
    """What the assessor reads of a post: an opening post's title is part of what its author said
    ("Goodbye", "I can't do this")."""
    return f"{title}\n\n{body}" if is_opening else body


def post_risk_assessment_request(*, post, immediate_level: str) -> RiskAssessment:
    """A new or edited forum post enters the pipeline. Call inside the saving transaction."""
    return content_risk_assessment_request(
        kind=ContentKind.POST, content_id=post.pk, version=post.version, author=post.author,
        group=post.topic.group, immediate_level=immediate_level,
    )


def refused_post_assess(
    *, author, group, reason: str, where: str, body: str, title: str = "", level: str | None = None
) -> bool:
    """Words the posting limit or a mute refused: assess them here, as if they had been posted.

    A crisis is kept (a `RefusedPost` the group never sees) and goes through the pipeline, so a
    moderator is alerted exactly as for a published post. Anything else is not kept: the member
    still has their text in the form. `level`, when the caller rated the words already. Returns
    whether the writer should see the crisis panel.
    """
    if level is None:
        level = text_risk_level(text=f"{title}\n\n{body}" if title else body)
    if not crisis_panel_due(level):
        return False
    with transaction.atomic():
        # The same words sent again while refused are one item for the moderators, not many.
        repeated = RefusedPost.objects.filter(
            author=author, title=title, body=body, created_at__gte=timezone.now() - REFUSED_REPEAT_WINDOW
        ).exists()
        if not repeated:
            refused = RefusedPost.objects.create(author=author, group=group, reason=reason, where=where, title=title, body=body)
            content_risk_assessment_request(
                kind=ContentKind.REFUSED_POST, content_id=refused.pk, version=1, author=author, group=group,
                immediate_level=level,
            )
    return True


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
        if text is None:  # the words were erased (the account is gone): nothing left to assess
            assessment.status = RiskAssessment.Status.SKIPPED
            assessment.assessed_at = now
            assessment.save(update_fields=["status", "assessed_at"])
            return assessment
        from moderation.services.phrases import risk_extra_phrases

        result = assess_text(text, model=active_model(), extra_phrases=risk_extra_phrases())
        assessment.status = RiskAssessment.Status.ASSESSED
        # A crisis the writer was shown the panel for stays a crisis (the active model may have
        # changed between the request and now): a person follows up what the writer was told.
        assessment.level = max(result.level, assessment.immediate_level, key=LEVEL_ORDER.__getitem__)
        assessment.score = result.score
        assessment.signals = result.signals
        assessment.assessor_version = result.version
        assessment.assessed_at = now
        assessment.save(update_fields=["status", "level", "score", "signals", "assessor_version", "assessed_at"])
        if assessment.level in (RiskLevel.CONCERN, RiskLevel.CRISIS):
            flag = flag_raise(assessment=assessment)
            if assessment.level == RiskLevel.CRISIS and assessment.author_id is not None:
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
