"""Sanctions on a member: warn, mute, posts under review, suspend, lift. Each with one audit entry.

The member is always told privately, kindly, with the crisis lines and how to ask for a review
(the care message templates carry both). Enforcement lives where the member acts: the forum and
rooms ask `posting_restriction_get`, login asks `suspension_in_force` (accounts/adapters.py),
reports refuse a suspended reporter; a suspension also ends the member's sessions and sockets now.
"""
import logging
from datetime import datetime

from django.contrib.sessions.models import Session
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.permissions import user_is_moderator
from moderation.models import AuditEntry, CareMessage, Sanction
from moderation.services import audit
from moderation.services.care import care_message_send
from moderation.services.queue import _clean_reason, _require_moderator
from platform_site.realtime import publish_on_commit, user_group_name

logger = logging.getLogger(__name__)

# Kinds that limit the account for a time (a warning is only a message).
TIMED_KINDS = (Sanction.Kind.MUTE, Sanction.Kind.REVIEW, Sanction.Kind.SUSPENSION)
# Kinds that may be limited to one group.
GROUP_KINDS = (Sanction.Kind.MUTE, Sanction.Kind.REVIEW)


def _check_member(member, moderator) -> None:
    if member is None or not member.is_active:
        raise ValidationError(_("This account no longer exists."))
    if member.pk == moderator.pk:
        raise ValidationError(_("You can't sanction yourself."))
    if user_is_moderator(member):
        # Staff are managed by the administrators, not through the moderators' own tools.
        raise ValidationError(_("Moderators can't be sanctioned here; ask an administrator."))


def member_warn(*, member, moderator, reason: str) -> Sanction:
    """A warning: a private message with the reason. Recorded as a sanction for the member's history."""
    _require_moderator(moderator)
    _check_member(member, moderator)
    reason = _clean_reason(reason, required=True)
    with transaction.atomic():
        sanction = Sanction.objects.create(
            user=member, kind=Sanction.Kind.WARNING, reason=reason, created_by=moderator, ends_at=timezone.now()
        )
        care_message_send(recipient=member, kind=CareMessage.Kind.WARNING, sent_by=moderator, note=reason, sanction=sanction)
        audit.audit_record(
            actor=moderator, action=AuditEntry.Action.SANCTION_WARNING, subject=sanction, target_user=member, reason=reason,
        )
    return sanction


def _sessions_end_unsafe(user_id: int) -> int:
    """Delete every stored session of one user (database sessions). One pass over unexpired sessions."""
    ended = []
    for session in Session.objects.filter(expire_date__gt=timezone.now()).iterator():
        if str(session.get_decoded().get("_auth_user_id")) == str(user_id):
            ended.append(session.session_key)
    Session.objects.filter(session_key__in=ended).delete()
    return len(ended)


def _restrictions_changed(member_id: int) -> None:
    # The member's open room sockets read their standing again: a composer disables or enables at once.
    publish_on_commit(user_group_name(member_id), {"type": "account.restrictions_changed"})


def sanction_create(
    *, member, moderator, kind: str, reason: str, ends_at: datetime | None = None, group=None
) -> Sanction:
    """Mute (in one group or everywhere), put posts under review, or suspend, until `ends_at` (None:
    until lifted). A suspension ends the member's sessions and closes their open sockets at once."""
    _require_moderator(moderator)
    _check_member(member, moderator)
    if kind not in TIMED_KINDS:
        raise ValidationError({"kind": _("Choose mute, posts under review or suspension.")})
    reason = _clean_reason(reason, required=True)
    now = timezone.now()
    if ends_at is not None and ends_at <= now:
        raise ValidationError({"ends_at": _("Choose an end in the future, or leave it empty for “until lifted”.")})
    if group is not None and kind not in GROUP_KINDS:
        raise ValidationError({"group": _("A suspension covers the whole site; leave the group empty.")})
    with transaction.atomic():
        sanction = Sanction.objects.create(
            user=member, kind=kind, reason=reason, group=group, starts_at=now, ends_at=ends_at, created_by=moderator
        )
        care_message_send(recipient=member, kind=CareMessage.Kind.SANCTION, sent_by=moderator, note=reason, sanction=sanction)
        audit.audit_record(
            actor=moderator, action=AuditEntry.Action.SANCTION_CREATED, subject=sanction, target_user=member,
            group=group, reason=reason,
            details={"kind": kind, "ends_at": ends_at.isoformat() if ends_at else None},
        )
        if kind == Sanction.Kind.SUSPENSION:
            # Every open socket of the member (rooms join user-<id>) closes when this commits; their
            # sessions go after commit too, so a rolled-back suspension signs nobody out.
            publish_on_commit(user_group_name(member.pk), {"type": "account.suspended", "user_id": member.pk})
            transaction.on_commit(lambda: _sessions_end_unsafe(member.pk))
        else:
            _restrictions_changed(member.pk)
    logger.info("sanction %s (%s) on user %s", sanction.pk, kind, member.pk)
    return sanction


def sanction_lift_locked(*, sanction_id: int, moderator) -> Sanction:
    """End a sanction now and tell the member, with no audit entry of its own. Call inside the
    action's transaction."""
    from accounts.notifications import notification_create

    sanction = Sanction.objects.select_for_update().filter(pk=sanction_id).first()
    if sanction is None:
        raise ValidationError(_("This sanction no longer exists."))
    if sanction.kind == Sanction.Kind.WARNING or not sanction.in_force():
        raise ValidationError(_("This sanction is not in force."))
    sanction.lifted_at, sanction.lifted_by = timezone.now(), moderator
    sanction.save(update_fields=["lifted_at", "lifted_by"])
    _restrictions_changed(sanction.user_id)
    notification_create(
        recipient=sanction.user, verb="sanction.lifted",
        message=_("A limit on your account was lifted: %(kind)s.") % {"kind": sanction.get_kind_display()},
        email_message=_("A limit on your Thaw account was lifted."), url="",
    )
    return sanction


def sanction_lift(*, sanction_id: int, moderator, reason: str) -> Sanction:
    """End a sanction now. The member is told by a notification; the history keeps the sanction."""
    _require_moderator(moderator)
    reason = _clean_reason(reason, required=True)
    with transaction.atomic():
        sanction = sanction_lift_locked(sanction_id=sanction_id, moderator=moderator)
        audit.audit_record(
            actor=moderator, action=AuditEntry.Action.SANCTION_LIFTED, subject=sanction, target_user=sanction.user,
            group=sanction.group, reason=reason, details={"kind": sanction.kind},
        )
    return sanction
