"""The audit log: who did what, to whom, when and why. Append-only.

Every moderator action calls `audit_record` inside its own transaction, so the action and its
entry commit or roll back together: there is never an action without its entry, nor an entry for
an action that did not happen. Entries hold ids and kinds, never what a member wrote.
"""
from typing import Any

from django.db import transaction

from moderation.models import AuditEntry

# What replaces the words a moderator wrote about a member once that member deletes their account.
ERASED_REASON = "(removed when the member deleted their account)"


def audit_record(
    *,
    actor,
    action: str,
    target_user=None,
    group=None,
    subject=None,
    subject_kind: str = "",
    subject_id: int | None = None,
    reason: str = "",
    details: dict[str, Any] | None = None,
) -> AuditEntry:
    """Append one entry. Call inside the transaction of the action it records.

    `subject` is the model instance acted on (its kind and id are recorded); or pass
    `subject_kind` and `subject_id` for something that is not a row (a forum post by id).
    """
    if action not in AuditEntry.Action.values:
        raise ValueError(f"unknown audit action {action!r}")
    if subject is not None:
        subject_kind = subject_kind or subject._meta.model_name
        subject_id = subject.pk
    if not transaction.get_connection().in_atomic_block:
        # Outside a transaction the entry could outlive a failed action: a programming error.
        raise RuntimeError("audit_record must run inside the action's transaction")
    return AuditEntry.objects.create(
        actor=actor if getattr(actor, "is_authenticated", False) else None,
        action=action,
        target_user=target_user,
        group=group,
        subject_kind=subject_kind,
        subject_id=subject_id,
        reason=(reason or "").strip()[:4000],
        details=details or {},
    )


def audit_entries_detach_member_unsafe(user) -> int:
    """Keep the entries about a member who deletes their account, without them.

    The only change ever made to audit rows, by queryset update (their save() refuses changes):
    the link to the member and the words written about them go; who acted, what and when stay.
    Unsafe outside account deletion.
    """
    return AuditEntry.objects.filter(target_user=user).update(
        target_user=None, target_erased=True, reason=ERASED_REASON
    )
