"""The moderators' queue: claiming items, deciding them, hiding and restoring content.

Each action runs in one transaction with exactly one audit entry (services/audit.py) and, after
commit, one `flag.changed` event to the moderators' feed, so every open dashboard updates itself.
"""
import logging
from dataclasses import dataclass

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Q
from django.db.models.functions import Coalesce
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.permissions import user_is_moderator
from moderation.models import AuditEntry, CareMessage, ContentKind, CrisisCase, Flag, Report, RiskLevel
from moderation.services import audit
from moderation.services.cases import crisis_case_open_or_join
from platform_site.realtime import MODERATORS_GROUP, publish_on_commit

logger = logging.getLogger(__name__)

REASON_MAX_LENGTH = 2000
# More than a page of the queue: a moderator dismisses what they have read, not the whole queue.
BULK_DISMISS_MAX = 50


class ClaimConflict(Exception):
    """Another moderator holds the item; `holder` is who, so the loser can be told."""

    def __init__(self, holder):
        self.holder = holder
        name = holder.display_name if holder is not None else _("another moderator")
        super().__init__(_("%(name)s is already working on this item.") % {"name": name})


def open_crisis_count() -> int:
    """The figure on the badge of every moderator page."""
    return Flag.objects.filter(status=Flag.Status.OPEN, level=RiskLevel.CRISIS).count()


def _event_for_flag_change(flag: Flag, change: str) -> dict:
    # Ids, the state and who holds it (moderators all see that); never what was written.
    return {
        "type": "flag.changed",
        "flag_id": flag.pk,
        "change": change,
        "status": flag.status,
        "claimed_by": flag.claimed_by_id,
        "open_crisis": open_crisis_count(),
    }


def flag_changed_publish(flag: Flag, change: str) -> None:
    publish_on_commit(MODERATORS_GROUP, _event_for_flag_change(flag, change))


def _clean_reason(reason: str, *, required: bool, field: str = "reason") -> str:
    reason = (reason or "").strip()
    if required and not reason:
        raise ValidationError({field: _("Say why, in a few words: the next moderator will read it.")})
    if len(reason) > REASON_MAX_LENGTH:
        raise ValidationError({field: _("At most %(max)d characters.") % {"max": REASON_MAX_LENGTH}})
    return reason


def _require_moderator(user) -> None:
    if not user_is_moderator(user):
        raise PermissionDenied(_("Moderators only."))


def _locked_flag(flag_id: int, moderator) -> Flag:
    """The flag, locked for this transaction; refuses when another moderator holds it."""
    flag = Flag.objects.select_for_update().filter(pk=flag_id).first()
    if flag is None:
        raise ValidationError(_("This item no longer exists."))
    if flag.claimed_by_id is not None and flag.claimed_by_id != moderator.pk:
        from accounts.models import User

        raise ClaimConflict(User.objects.select_related("profile").filter(pk=flag.claimed_by_id).first())
    return flag


def _first_action(flag: Flag, now) -> list[str]:
    if flag.first_action_at is None:
        flag.first_action_at = now
        return ["first_action_at"]
    return []


def _flag_recorded(flag: Flag, moderator, action: str, change: str, **fields) -> None:
    """The one audit entry of an action on a flag, and the feed's event once it commits."""
    audit.audit_record(actor=moderator, action=action, subject=flag, target_user=flag.author, group=flag.group, **fields)
    flag_changed_publish(flag, change)


# ----------------------------------------------------------------------------- claiming


def flag_claim(*, flag_id: int, moderator) -> Flag:
    """Claim an open item. Two moderators claiming at once: one wins, the other gets ClaimConflict.

    A single conditional UPDATE decides (only an unclaimed item, or one already ours, changes),
    so the database settles the race whatever the isolation level; the row count says who won.
    """
    _require_moderator(moderator)
    now = timezone.now()
    with transaction.atomic():
        won = (
            Flag.objects.filter(pk=flag_id, status=Flag.Status.OPEN)
            .filter(Q(claimed_by__isnull=True) | Q(claimed_by=moderator))
            .update(claimed_by=moderator, claimed_at=now, first_action_at=Coalesce("first_action_at", now))
        )
        flag = Flag.objects.select_related("claimed_by__profile").filter(pk=flag_id).first()
        if flag is None:
            raise ValidationError(_("This item no longer exists."))
        if not won:
            if flag.status != Flag.Status.OPEN:
                raise ValidationError(_("This item was already decided."))
            raise ClaimConflict(flag.claimed_by)
        _flag_recorded(flag, moderator, AuditEntry.Action.FLAG_CLAIMED, "claimed")
    return flag


def flag_release(*, flag_id: int, moderator) -> Flag:
    """Give back an item you hold, for someone else to pick up."""
    _require_moderator(moderator)
    with transaction.atomic():
        flag = _locked_flag(flag_id, moderator)
        if flag.claimed_by_id != moderator.pk:
            raise ValidationError(_("You are not holding this item."))
        flag.claimed_by, flag.claimed_at = None, None
        flag.save(update_fields=["claimed_by", "claimed_at"])
        _flag_recorded(flag, moderator, AuditEntry.Action.FLAG_RELEASED, "released")
    return flag


def flag_reassign(*, flag_id: int, moderator, to, reason: str = "") -> Flag:
    """Hand an item to another moderator (or take it over from one). The reason is recorded."""
    _require_moderator(moderator)
    if to is None or not user_is_moderator(to):
        raise ValidationError({"to": _("Choose a moderator.")})
    reason = _clean_reason(reason, required=False)
    now = timezone.now()
    with transaction.atomic():
        flag = Flag.objects.select_for_update().filter(pk=flag_id).first()
        if flag is None:
            raise ValidationError(_("This item no longer exists."))
        if flag.status != Flag.Status.OPEN:
            raise ValidationError(_("This item was already decided."))
        previous = flag.claimed_by_id
        flag.claimed_by, flag.claimed_at = to, now
        flag.save(update_fields=["claimed_by", "claimed_at", *_first_action(flag, now)])
        _flag_recorded(
            flag, moderator, AuditEntry.Action.FLAG_REASSIGNED, "reassigned", reason=reason,
            details={"from_user_id": previous, "to_user_id": to.pk},
        )
    return flag


# ----------------------------------------------------------------------------- decisions


def _decide(flag: Flag, moderator, status: str, note: str, now) -> None:
    flag.status = status
    flag.decided_at, flag.decided_by, flag.decision_note = now, moderator, note
    flag.claimed_by, flag.claimed_at = None, None
    flag.save(update_fields=[
        "status", "decided_at", "decided_by", "decision_note", "claimed_by", "claimed_at", *_first_action(flag, now)
    ])
    report_status = Report.Status.DISMISSED if status == Flag.Status.DISMISSED else Report.Status.RESOLVED
    Report.objects.filter(flag=flag, status=Report.Status.OPEN).update(
        status=report_status, resolved_at=now, resolved_by=moderator
    )


def _open_flag(flag_id: int, moderator) -> Flag:
    flag = _locked_flag(flag_id, moderator)
    if flag.status != Flag.Status.OPEN:
        raise ValidationError(_("This item was already decided."))
    return flag


def _dismissed(flag: Flag, moderator, reason: str, now, **audit_fields) -> None:
    """Close a locked, open item as dismissed, with its audit entry and event."""
    _decide(flag, moderator, Flag.Status.DISMISSED, reason, now)
    # A post a facilitator hid, dismissed by a moderator, comes back.
    if flag.source == Flag.Source.FACILITATOR:
        _content_set_hidden(flag.content_kind, flag.content_id, hidden=False)
    _flag_recorded(flag, moderator, AuditEntry.Action.FLAG_DISMISSED, "dismissed", reason=reason, **audit_fields)


def flag_dismiss(*, flag_id: int, moderator, reason: str) -> Flag:
    """Nothing to act on. The reason is required; a dismissed assessment teaches the model "ok"."""
    _require_moderator(moderator)
    reason = _clean_reason(reason, required=True)
    with transaction.atomic():
        flag = _open_flag(flag_id, moderator)
        _dismissed(flag, moderator, reason, timezone.now())
    return flag


@dataclass(frozen=True)
class BulkDismissal:
    dismissed: list[Flag]
    skipped: list[tuple[int, str]]  # (item id, why it was left as it is)


def _bulk_dismissable(flag: Flag) -> bool:
    return flag.source == Flag.Source.ASSESSMENT and flag.level == RiskLevel.CONCERN


def flag_dismiss_many(*, flag_ids: list[int], moderator, reason: str) -> BulkDismissal:
    """Dismiss several open concern items with one reason, each exactly as `flag_dismiss` would
    (its own audit entry and feed event), in one transaction.

    Only concern items from the risk assessment: a crisis is read and decided one at a time, and so
    is what a person raised (a report, a facilitator's hide). If any of those is among `flag_ids`,
    nothing is dismissed. Items decided meanwhile, or held by another moderator, are left as they
    are and named in `skipped`.
    """
    _require_moderator(moderator)
    reason = _clean_reason(reason, required=True)
    wanted = sorted(set(flag_ids))
    if not wanted:
        raise ValidationError({"flag_ids": _("Tick the items to dismiss in the queue first.")})
    if len(wanted) > BULK_DISMISS_MAX:
        raise ValidationError({"flag_ids": _("At most %(max)d items at once.") % {"max": BULK_DISMISS_MAX}})
    with transaction.atomic():
        flags = list(Flag.objects.select_for_update(of=("self",)).filter(pk__in=wanted).select_related("author", "group").order_by("pk"))
        refused = [flag for flag in flags if not _bulk_dismissable(flag)]
        if refused:
            crisis = any(flag.level == RiskLevel.CRISIS for flag in refused)
            numbers = ", ".join(f"#{flag.pk}" for flag in refused)
            message = (
                _("Nothing was dismissed: crisis items are decided one at a time, on their own page (%(items)s).")
                if crisis else
                _("Nothing was dismissed: what a person raised is decided one at a time, on its own page (%(items)s).")
            )
            raise ValidationError(message % {"items": numbers})
        found = {flag.pk for flag in flags}
        skipped = [(flag_id, _("it no longer exists.")) for flag_id in wanted if flag_id not in found]
        dismissed, now = [], timezone.now()
        for flag in flags:
            if flag.status != Flag.Status.OPEN:
                skipped.append((flag.pk, _("it was already decided.")))
            elif flag.claimed_by_id is not None and flag.claimed_by_id != moderator.pk:
                skipped.append((flag.pk, _("another moderator is working on it.")))
            else:
                _dismissed(flag, moderator, reason, now, details={"bulk": True})
                dismissed.append(flag)
    return BulkDismissal(dismissed=dismissed, skipped=sorted(skipped))


def flag_confirm(*, flag_id: int, moderator, note: str = "") -> Flag:
    """The flag was right. A confirmed assessment keeps its level when `train_risk_model` learns."""
    _require_moderator(moderator)
    note = _clean_reason(note, required=False)
    with transaction.atomic():
        flag = _open_flag(flag_id, moderator)
        _decide(flag, moderator, Flag.Status.CONFIRMED, note, timezone.now())
        _flag_recorded(flag, moderator, AuditEntry.Action.FLAG_CONFIRMED, "confirmed", reason=note)
    return flag


def flag_case_open(*, flag_id: int, moderator) -> CrisisCase:
    """Open a crisis case for the item's author, or join the case already open for them."""
    _require_moderator(moderator)
    with transaction.atomic():
        flag = _open_flag(flag_id, moderator)
        if flag.author is None or not flag.author.is_active:
            raise ValidationError(_("The author's account no longer exists, so there is nobody to follow up with."))
        now = timezone.now()
        origin = CrisisCase.Origin.ASSESSMENT if flag.source == Flag.Source.ASSESSMENT else CrisisCase.Origin.WORRIED_REPORT
        case = crisis_case_open_or_join(member=flag.author, flag=flag, origin=origin)
        if fields := _first_action(flag, now):
            flag.save(update_fields=fields)
        audit.audit_record(
            actor=moderator, action=AuditEntry.Action.CASE_OPENED, subject=case, target_user=flag.author,
            group=flag.group, details={"flag_id": flag.pk},
        )
        flag_changed_publish(flag, "case_opened")
    return case


# ----------------------------------------------------------------------------- content


@dataclass(frozen=True)
class Content:
    kind: str
    id: int
    author: object
    group: object
    hidden: bool


def content_get(*, kind: str, content_id: int) -> Content:
    from groups.models import Post, RoomMessage

    if kind == ContentKind.POST:
        row = Post.objects.select_related("author", "topic__group").filter(pk=content_id).first()
        group = row.topic.group if row else None
    elif kind == ContentKind.ROOM_MESSAGE:
        row = RoomMessage.objects.select_related("author", "session__group").filter(pk=content_id).first()
        group = row.session.group if row else None
    else:
        row = None
    if row is None:
        raise ValidationError(_("That post or message no longer exists."))
    return Content(kind=kind, id=row.pk, author=row.author, group=group, hidden=row.hidden_at is not None)


def _content_set_hidden(kind: str, content_id: int, *, hidden: bool) -> int:
    from groups.models import Post, RoomMessage

    model = Post if kind == ContentKind.POST else RoomMessage
    return model.objects.filter(pk=content_id).update(hidden_at=timezone.now() if hidden else None)


def _tell_author_hidden(content: Content, moderator, reason: str):
    """A private message: what was hidden and why, the crisis lines, and how to ask for a review."""
    if content.author is None or not content.author.is_active:
        return None
    from moderation.services.care import care_message_send

    return care_message_send(
        recipient=content.author, kind=CareMessage.Kind.CONTENT_HIDDEN, sent_by=moderator, note=reason,
        content_kind=content.kind, content_id=content.id,
    )


def content_hide(*, kind: str, content_id: int, moderator, reason: str, flag_id: int | None = None) -> Content:
    """Hide a post or room message from everyone but its author and moderators; tell the author why.

    With `flag_id`, the item is confirmed in the same transaction (one action, one audit entry).
    """
    _require_moderator(moderator)
    reason = _clean_reason(reason, required=True)
    with transaction.atomic():
        flag = _open_flag(flag_id, moderator) if flag_id is not None else None
        content = content_get(kind=kind, content_id=content_id)
        if flag is not None and (flag.content_kind, flag.content_id) != (kind, content_id):
            raise ValidationError(_("That item is about something else."))
        _content_set_hidden(kind, content_id, hidden=True)
        _tell_author_hidden(content, moderator, reason)
        if flag is not None:
            _decide(flag, moderator, Flag.Status.CONFIRMED, reason, timezone.now())
            flag_changed_publish(flag, "hidden")
        audit.audit_record(
            actor=moderator, action=AuditEntry.Action.CONTENT_HIDDEN, subject_kind=kind, subject_id=content_id,
            target_user=content.author, group=content.group, reason=reason,
            details={"flag_id": flag.pk} if flag is not None else {},
        )
    return content


def content_unhide_locked(*, kind: str, content_id: int) -> Content:
    """Show hidden content again, with no audit entry of its own. Call inside the action's transaction."""
    content = content_get(kind=kind, content_id=content_id)
    if not content.hidden:
        raise ValidationError(_("This is not hidden."))
    _content_set_hidden(kind, content_id, hidden=False)
    return content


def content_restore(*, kind: str, content_id: int, moderator, reason: str = "", flag_id: int | None = None) -> Content:
    """Show hidden content again. With an open item's `flag_id`, the item is closed as dismissed
    (nothing wrong); a decided item stays decided: a moderator may still undo its hide."""
    _require_moderator(moderator)
    reason = _clean_reason(reason, required=False)
    with transaction.atomic():
        decided = flag_id is not None and Flag.objects.filter(pk=flag_id).exclude(status=Flag.Status.OPEN).exists()
        flag = _open_flag(flag_id, moderator) if flag_id is not None and not decided else None
        content = content_unhide_locked(kind=kind, content_id=content_id)
        if flag is not None:
            _decide(flag, moderator, Flag.Status.DISMISSED, reason, timezone.now())
            flag_changed_publish(flag, "restored")
        audit.audit_record(
            actor=moderator, action=AuditEntry.Action.CONTENT_RESTORED, subject_kind=kind, subject_id=content_id,
            target_user=content.author, group=content.group, reason=reason,
            details={"flag_id": flag_id} if flag_id is not None else {},
        )
    return content


def report_flag_attach(*, report: Report) -> Flag:
    """Put a new report in the queue: it joins the open report item on the same thing, or starts one.

    Call inside the transaction that saved the report.
    """
    content = report.content
    kind = ContentKind.POST if report.post_id is not None else ContentKind.ROOM_MESSAGE
    flag = (
        Flag.objects.select_for_update()
        .filter(source=Flag.Source.REPORT, status=Flag.Status.OPEN, content_kind=kind, content_id=content.pk)
        .first()
    )
    created = flag is None
    if created:
        group_id = content.topic.group_id if kind == ContentKind.POST else content.session.group_id
        flag = Flag.objects.create(
            source=Flag.Source.REPORT, level=RiskLevel.NONE, priority=Flag.PRIORITY_BY_LEVEL["report"],
            content_kind=kind, content_id=content.pk, author_id=content.author_id, group_id=group_id,
        )
    report.flag = flag
    report.save(update_fields=["flag"])
    if created:
        publish_on_commit(MODERATORS_GROUP, {
            "type": "flag.raised", "flag_id": flag.pk, "level": "report", "raised_at": flag.raised_at.isoformat(),
            "open_crisis": open_crisis_count(),
        })
    else:
        flag_changed_publish(flag, "reported_again")
    return flag
