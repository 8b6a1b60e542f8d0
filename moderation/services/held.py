"""Posts held for approval: from a member whose posts are under review, or with a "hold" phrase.

A held post is saved (nothing the member typed is lost) but only its author and moderators see it
until a moderator approves it. It still goes through the risk pipeline like any post, so a held
post that sounds unsafe reaches a person twice over, never silence.
"""
from datetime import timedelta

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.notifications import notification_create
from moderation.models import AuditEntry, CareMessage, ContentKind
from moderation.selectors import posts_under_review
from moderation.services import audit
from moderation.services.phrases import content_screen
from moderation.services.queue import _clean_reason, _require_moderator
from platform_site.realtime import MODERATORS_GROUP, publish_on_commit


def post_screen(*, author, group, text: str) -> bool:
    """Before a forum post is saved: True to hold it for approval. Raises ValidationError (with the
    moderators' message) when a blocked phrase is in it, so the form comes back as typed."""
    screening = content_screen(text=text)
    if screening.blocked_message:
        raise ValidationError({"body": screening.blocked_message})
    return screening.hold or posts_under_review(user=author, group=group)


HELD_MESSAGE_QUIET_PERIOD = timedelta(hours=24)


def post_held_notify(*, post) -> None:
    """A post now waits for approval: the moderators' feed hears of it, and the author is told
    kindly (once a day at most, not for every post). Call in the saving transaction."""
    from moderation.services.care import care_message_send

    publish_on_commit(MODERATORS_GROUP, {"type": "post.held", "post_id": post.pk})
    author = post.author
    recently = CareMessage.objects.filter(
        recipient=author, kind=CareMessage.Kind.HELD, created_at__gte=timezone.now() - HELD_MESSAGE_QUIET_PERIOD
    ).exists()
    if not recently:
        care_message_send(recipient=author, kind=CareMessage.Kind.HELD, content_kind=ContentKind.POST, content_id=post.pk)


def _held_post(post_id: int):
    from groups.models import Post

    post = Post.objects.select_for_update().filter(pk=post_id).first()
    if post is None or post.held_at is None:
        raise ValidationError(_("This post is no longer waiting for approval."))
    return post


def held_post_approve(*, post_id: int, moderator):
    """Publish a held post: from now on everyone who may read the topic sees it."""
    from groups.models import Topic

    _require_moderator(moderator)
    with transaction.atomic():
        post = _held_post(post_id)
        post.held_at = None
        post.save(update_fields=["held_at"])
        if not post.is_opening:
            # The reply counts (and the topic moves up) only once others can read it.
            Topic.objects.filter(pk=post.topic_id).update(
                reply_count=F("reply_count") + 1, last_activity_at=timezone.now(), unanswered_since=None
            )
        if post.author is not None:
            notification_create(
                recipient=post.author, verb="post.approved", message=_("A moderator approved your post; it is now visible."),
                email_message=_("A moderator approved your post on Thaw."), url=post.topic.get_absolute_url() + f"#post-{post.pk}",
            )
        audit.audit_record(
            actor=moderator, action=AuditEntry.Action.CONTENT_APPROVED, subject_kind=ContentKind.POST, subject_id=post.pk,
            target_user=post.author, group=post.topic.group,
        )
        publish_on_commit(MODERATORS_GROUP, {"type": "post.held", "post_id": post.pk, "change": "approved"})
    return post


def held_post_reject(*, post_id: int, moderator, reason: str):
    """Keep a held post from being published: it becomes hidden, and the author is told why,
    privately, with the crisis lines and how to ask for a review."""
    from moderation.services.care import care_message_send

    _require_moderator(moderator)
    reason = _clean_reason(reason, required=True)
    with transaction.atomic():
        post = _held_post(post_id)
        now = timezone.now()
        post.held_at, post.hidden_at = None, now
        post.save(update_fields=["held_at", "hidden_at"])
        if post.author is not None and post.author.is_active:
            care_message_send(
                recipient=post.author, kind=CareMessage.Kind.CONTENT_HIDDEN, sent_by=moderator, note=reason,
                content_kind=ContentKind.POST, content_id=post.pk,
            )
        audit.audit_record(
            actor=moderator, action=AuditEntry.Action.CONTENT_REJECTED, subject_kind=ContentKind.POST, subject_id=post.pk,
            target_user=post.author, group=post.topic.group, reason=reason,
        )
        publish_on_commit(MODERATORS_GROUP, {"type": "post.held", "post_id": post.pk, "change": "rejected"})
    return post
