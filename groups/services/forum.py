"""The forum: topics, replies, edits, soft deletes, reactions, subscriptions, the unanswered sweep."""
from datetime import timedelta

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Exists, F, OuterRef, Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.notifications import notification_create
from groups.models import (
    BODY_MAX_LENGTH,
    TITLE_MAX_LENGTH,
    ContentWarning,
    Membership,
    Post,
    PostRevision,
    Reaction,
    ReaderPreference,
    SupportGroup,
    Topic,
    TopicSubscription,
)
from moderation.selectors import posting_restriction_get
from moderation.services import (
    crisis_panel_due,
    post_held_notify,
    post_risk_assessment_request,
    post_risk_text,
    post_screen,
    text_risk_level,
)
from platform_site.text import markdown_to_safe_html

UNANSWERED_AFTER = timedelta(hours=3)


class PostingRestricted(PermissionDenied):
    """The member is muted or suspended; `sanction` says why and until when."""

    def __init__(self, sanction):
        self.sanction = sanction
        super().__init__(_("You can read, but not post, for now."))


def posting_check(*, user, group: SupportGroup) -> None:
    # Posts under review are not refused here: they are held for approval (post_screen).
    restriction = posting_restriction_get(user=user, group=group, holds_posts=True)
    if restriction is not None:
        raise PostingRestricted(restriction)


def _clean_title(title: str) -> str:
    title = " ".join((title or "").split())
    if not title:
        raise ValidationError({"title": _("Please give your topic a title.")})
    if len(title) > TITLE_MAX_LENGTH:
        raise ValidationError({"title": _("Titles are at most %(max)d characters.") % {"max": TITLE_MAX_LENGTH}})
    return title


def _clean_body(body: str, content_warning: str) -> tuple[str, str]:
    body = (body or "").strip()
    if not body:
        raise ValidationError({"body": _("Please write something before posting.")})
    if len(body) > BODY_MAX_LENGTH:
        raise ValidationError(
            {"body": _("Posts are at most %(max)d characters; this one has %(count)d.") % {"max": BODY_MAX_LENGTH, "count": len(body)}}
        )
    if content_warning and content_warning not in ContentWarning.values:
        raise ValidationError({"content_warning": _("Choose a content warning from the list.")})
    return body, content_warning or ""


def _subscribe(topic: Topic, user) -> None:
    TopicSubscription.objects.get_or_create(topic=topic, user=user)


def topic_create(*, group: SupportGroup, author, title: str, body: str, content_warning: str = "") -> Topic:
    posting_check(user=author, group=group)
    title = _clean_title(title)
    body, content_warning = _clean_body(body, content_warning)
    held = post_screen(author=author, group=group, text=f"{title}\n\n{body}")
    # Decided here, before the transaction: the writer sees the crisis panel on the next page.
    risk_level = text_risk_level(text=post_risk_text(title=title, body=body, is_opening=True))
    now = timezone.now()
    with transaction.atomic():
        topic = Topic.objects.create(group=group, author=author, title=title, created_at=now, last_activity_at=now)
        post = Post.objects.create(
            topic=topic, author=author, is_opening=True, body=body, body_html=markdown_to_safe_html(body),
            content_warning=content_warning, created_at=now, held_at=now if held else None,
        )
        _subscribe(topic, author)
        if held:
            post_held_notify(post=post)
        post_risk_assessment_request(post=post, immediate_level=risk_level)
    topic.crisis_panel_due = crisis_panel_due(risk_level)
    return topic


def _notify_subscribers(*, topic: Topic, reply_author) -> None:
    group = topic.group
    url = reverse("groups:topic_last", kwargs={"slug": group.slug, "topic_id": topic.pk})
    message = _("New reply in “%(title)s”") % {"title": topic.title}
    # Outside the site (the e-mail digest) a private group's topic is never named.
    email_message = _("A new reply in one of your private groups") if group.is_private else message
    # Only people who may still read the topic hear about it: someone who left or was removed would
    # learn that a (maybe private) group carries on, through a link that no longer opens for them.
    active_here = Membership.objects.filter(group=group, user=OuterRef("user"), status=Membership.Status.ACTIVE)
    subscribers = (
        TopicSubscription.objects.filter(topic=topic)
        .filter(Q(Exists(active_here)) | Q(user__is_moderator=True))
        .exclude(user=reply_author)
        .select_related("user")
    )
    for subscription in subscribers:
        notification_create(
            recipient=subscription.user, verb="topic.replied", message=message, email_message=email_message, url=url
        )


def reply_create(*, topic: Topic, author, body: str, content_warning: str = "", can_moderate: bool = False) -> Post:
    """Reply in a topic. Locked topics take replies only from facilitators and moderators."""
    posting_check(user=author, group=topic.group)
    if topic.is_locked and not can_moderate:
        raise PermissionDenied(_("This topic is locked: it can be read, but no longer answered."))
    body, content_warning = _clean_body(body, content_warning)
    held = post_screen(author=author, group=topic.group, text=body)
    risk_level = text_risk_level(text=body)
    now = timezone.now()
    with transaction.atomic():
        post = Post.objects.create(
            topic=topic, author=author, body=body, body_html=markdown_to_safe_html(body),
            content_warning=content_warning, created_at=now, held_at=now if held else None,
        )
        _subscribe(topic, author)
        if held:
            # Nobody else can read it yet: no reply count, no notifications until it is approved.
            post_held_notify(post=post)
        else:
            Topic.objects.filter(pk=topic.pk).update(
                reply_count=F("reply_count") + 1, last_activity_at=now, unanswered_since=None
            )
            _notify_subscribers(topic=topic, reply_author=author)
        post_risk_assessment_request(post=post, immediate_level=risk_level)
    post.crisis_panel_due = crisis_panel_due(risk_level)
    return post


def post_edit(*, post: Post, editor, body: str, content_warning: str = "", title: str | None = None) -> Post:
    """The author edits their post. The earlier version is kept for moderators; the new one is assessed."""
    if post.author_id != editor.pk:
        raise PermissionDenied(_("Only the author can edit a post."))
    if post.is_deleted:
        raise ValidationError(_("A removed post can't be edited."))
    posting_check(user=editor, group=post.topic.group)
    body, content_warning = _clean_body(body, content_warning)
    screened = post_risk_text(title=title or post.topic.title, body=body, is_opening=post.is_opening)
    # An edit of a visible post that now needs approval goes back to waiting; a held post stays held.
    held = post_screen(author=editor, group=post.topic.group, text=screened) or post.held_at is not None
    risk_level = text_risk_level(text=screened)
    with transaction.atomic():
        PostRevision.objects.create(
            post=post, version=post.version, title=post.topic.title if post.is_opening else "", body=post.body,
            content_warning=post.content_warning, created_at=post.edited_at or post.created_at,
        )
        post.body = body
        post.body_html = markdown_to_safe_html(body)
        post.content_warning = content_warning
        post.version += 1
        post.edited_at = timezone.now()
        newly_held = held and post.held_at is None
        post.held_at = (post.held_at or post.edited_at) if held else None
        post.save(update_fields=["body", "body_html", "content_warning", "version", "edited_at", "held_at"])
        if newly_held:
            post_held_notify(post=post)
            if not post.is_opening:  # it counts again when approved
                Topic.objects.filter(pk=post.topic_id).update(reply_count=F("reply_count") - 1)
        if post.is_opening and title is not None:
            post.topic.title = _clean_title(title)
            post.topic.save(update_fields=["title"])
        post_risk_assessment_request(post=post, immediate_level=risk_level)
    post.crisis_panel_due = crisis_panel_due(risk_level)
    return post


def post_delete(*, post: Post, deleted_by) -> Post:
    """Soft delete by the author: readers see "removed by its author"; moderators still see the text."""
    if post.author_id != deleted_by.pk:
        raise PermissionDenied(_("Only the author can delete a post."))
    if not post.is_deleted:
        post.deleted_at = timezone.now()
        post.save(update_fields=["deleted_at"])
    return post


def reaction_toggle(*, post: Post, user, kind: str) -> bool:
    """Add the reaction, or take it back if it was there. Returns whether it is now on."""
    if kind not in Reaction.Kind.values:
        raise ValidationError(_("That reaction doesn't exist here."))
    if post.is_deleted:
        raise ValidationError(_("This post was removed."))
    deleted, _unused = Reaction.objects.filter(post=post, user=user, kind=kind).delete()
    if deleted:
        return False
    try:
        with transaction.atomic():
            Reaction.objects.create(post=post, user=user, kind=kind)
    except IntegrityError:  # a double click raced itself
        pass
    return True


def topic_set_pinned(*, topic: Topic, pinned: bool) -> Topic:
    topic.is_pinned = pinned
    topic.save(update_fields=["is_pinned"])
    return topic


def topic_set_locked(*, topic: Topic, locked: bool) -> Topic:
    topic.is_locked = locked
    topic.save(update_fields=["is_locked"])
    return topic


def topic_subscription_set(*, topic: Topic, user, subscribed: bool) -> None:
    if subscribed:
        _subscribe(topic, user)
    else:
        TopicSubscription.objects.filter(topic=topic, user=user).delete()


def reader_preference_update(*, user, unfolded_warnings: list[str]) -> ReaderPreference:
    unknown = set(unfolded_warnings) - set(ContentWarning.values)
    if unknown:
        raise ValidationError(_("Choose content warnings from the list."))
    preference, _created = ReaderPreference.objects.update_or_create(
        user=user, defaults={"unfolded_warnings": sorted(unfolded_warnings)}
    )
    return preference


def topics_mark_unanswered(*, now=None) -> int:
    """Mark topics nobody has answered for a few hours, so facilitators can reach out. Idempotent."""
    now = now or timezone.now()
    return Topic.objects.filter(
        reply_count=0, unanswered_since__isnull=True, deleted_at__isnull=True, created_at__lte=now - UNANSWERED_AFTER
    ).update(unanswered_since=now)
