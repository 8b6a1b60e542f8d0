"""Moderators' private notes on a member, review requests, facilitators hiding a post, and the
crisis-case actions as the moderators' pages take them (each with its audit entry)."""
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from moderation.models import AuditEntry, CareMessage, ContentKind, Flag, ModeratorNote, ReviewRequest, RiskLevel
from moderation.services import audit
from moderation.services.queue import (
    _clean_reason,
    _content_set_hidden,
    _require_moderator,
    content_get,
    content_unhide_locked,
    flag_changed_publish,
)
from moderation.services.sanctions import sanction_lift_locked
from platform_site.realtime import MODERATORS_GROUP, publish_on_commit

NOTE_MAX_LENGTH = 4000


def moderator_note_add(*, member, moderator, body: str) -> ModeratorNote:
    """A note only moderators read: context for the next moderator, never shown to the member."""
    _require_moderator(moderator)
    body = (body or "").strip()
    if not body:
        raise ValidationError({"body": _("Write the note first.")})
    if len(body) > NOTE_MAX_LENGTH:
        raise ValidationError({"body": _("Notes are at most %(max)d characters.") % {"max": NOTE_MAX_LENGTH}})
    with transaction.atomic():
        note = ModeratorNote.objects.create(member=member, author=moderator, body=body)
        # The note's words stay in the note; the log records that one was written.
        audit.audit_record(actor=moderator, action=AuditEntry.Action.NOTE_ADDED, subject=note, target_user=member)
    return note


VIEWED_ACTIONS = {
    "member": AuditEntry.Action.VIEWED_MEMBER,
    "safety_plan": AuditEntry.Action.VIEWED_SAFETY_PLAN,
    "case": AuditEntry.Action.VIEWED_CASE,
}


def member_record_viewed(*, member, moderator, what: str, subject=None) -> None:
    """Record that a moderator looked at a member's private data: "member" (their record),
    "safety_plan", or "case" (a crisis case page, `subject`; its member may have left: None)."""
    with transaction.atomic():
        audit.audit_record(actor=moderator, action=VIEWED_ACTIONS[what], target_user=member, subject=subject)


# ----------------------------------------------------------------------------- review requests


def review_request_create(*, member, care_message: CareMessage, note: str = "") -> ReviewRequest:
    """The member asks the moderators to look again at a decision they were told about."""
    if care_message.recipient_id != member.pk or not care_message.is_reviewable:
        raise PermissionDenied(_("There is no decision to review here."))
    note = (note or "").strip()
    if len(note) > 2000:
        raise ValidationError({"note": _("At most 2,000 characters.")})
    try:
        with transaction.atomic():
            request = ReviewRequest.objects.create(member=member, care_message=care_message, note=note)
            publish_on_commit(MODERATORS_GROUP, {"type": "review.requested", "review_id": request.pk})
    except IntegrityError:  # asked twice: the first request is still open
        return ReviewRequest.objects.get(care_message=care_message, status=ReviewRequest.Status.OPEN)
    return request


def review_request_decide(*, review_id: int, moderator, reverse: bool, answer: str) -> ReviewRequest:
    """Keep or reverse the decision. Reversing restores the hidden post or lifts the sanction; the
    member is told either way. One audit entry for the answer (a reversal's restore or lift is
    part of it, not a second action)."""
    from accounts.notifications import notification_create

    _require_moderator(moderator)
    answer = _clean_reason(answer, required=True, field="answer")
    with transaction.atomic():
        request = ReviewRequest.objects.select_for_update().select_related("care_message").filter(pk=review_id).first()
        if request is None or request.status != ReviewRequest.Status.OPEN:
            raise ValidationError(_("This request was already answered."))
        message = request.care_message
        if message.sent_by_id is not None and message.sent_by_id == moderator.pk:
            # The member was promised a second pair of eyes.
            raise ValidationError(_("Another moderator answers a review of your own decision."))
        if reverse:
            # The restore or lift is part of this one answer: one audit entry, written below.
            if message.content_kind and message.content_id:
                content_unhide_locked(kind=message.content_kind, content_id=message.content_id)
            elif message.sanction_id:
                sanction_lift_locked(sanction_id=message.sanction_id, moderator=moderator)
        request.status = ReviewRequest.Status.REVERSED if reverse else ReviewRequest.Status.UPHELD
        request.decided_at, request.decided_by, request.answer = timezone.now(), moderator, answer
        request.save(update_fields=["status", "decided_at", "decided_by", "answer"])
        notification_create(
            recipient=request.member, verb="review.decided",
            message=(_("A moderator reviewed the decision and reversed it: %(answer)s") if reverse
                     else _("A moderator reviewed the decision and kept it: %(answer)s")) % {"answer": answer},
            email_message=_("A moderator answered your review request on Thaw."), url="",
        )
        audit.audit_record(
            actor=moderator, action=AuditEntry.Action.REVIEW_DECIDED, subject=request, target_user=request.member,
            reason=answer, details={"reversed": reverse, "care_message_id": message.pk},
        )
    return request


# ----------------------------------------------------------------------------- facilitators


def facilitator_post_hide(*, post, facilitator, reason: str) -> Flag:
    """A facilitator hides a post in their own group until a moderator confirms or restores it."""
    from groups.models import Membership

    is_facilitator = Membership.objects.filter(
        group_id=post.topic.group_id, user=facilitator, role=Membership.Role.FACILITATOR, status=Membership.Status.ACTIVE
    ).exists()
    if not is_facilitator:
        raise PermissionDenied(_("Only this group's facilitators can hide its posts."))
    reason = _clean_reason(reason, required=True)
    with transaction.atomic():
        if content_get(kind=ContentKind.POST, content_id=post.pk).hidden:
            raise ValidationError(_("This post is already hidden."))
        _content_set_hidden(ContentKind.POST, post.pk, hidden=True)
        flag = Flag.objects.create(
            source=Flag.Source.FACILITATOR, level=RiskLevel.NONE, priority=Flag.PRIORITY_BY_LEVEL["report"],
            content_kind=ContentKind.POST, content_id=post.pk, author_id=post.author_id, group_id=post.topic.group_id,
            raised_note=reason,
        )
        audit.audit_record(
            actor=facilitator, action=AuditEntry.Action.CONTENT_HIDDEN_BY_FACILITATOR, subject_kind=ContentKind.POST,
            subject_id=post.pk, target_user=post.author, group=post.topic.group, reason=reason,
            details={"flag_id": flag.pk},
        )
        flag_changed_publish(flag, "facilitator_hid")
    return flag
