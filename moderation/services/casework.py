"""Crisis-case actions as moderators take them from the case page: the case services
(services/cases.py, services/care.py) plus one audit entry each, in one transaction."""
from datetime import datetime

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from moderation.models import AuditEntry, CaseEvent, CrisisCase
from moderation.services import audit
from moderation.services.care import case_answer_send, case_check_in_send
from moderation.services.cases import case_acknowledge, case_close, case_note_add, follow_up_schedule
from moderation.services.queue import _require_moderator


def _record(case: CrisisCase, moderator, action: str, **fields) -> None:
    audit.audit_record(actor=moderator, action=action, subject=case, target_user=case.member, **fields)


def case_action_acknowledge(*, case: CrisisCase, moderator) -> CrisisCase:
    _require_moderator(moderator)
    with transaction.atomic():
        case = case_acknowledge(case=case, moderator=moderator)
        _record(case, moderator, AuditEntry.Action.CASE_ACKNOWLEDGED)
    return case


def case_action_note(*, case: CrisisCase, moderator, kind: str, note: str) -> CaseEvent:
    _require_moderator(moderator)
    with transaction.atomic():
        event = case_note_add(case=case, moderator=moderator, kind=kind, note=note)
        # The note's words stay on the case's timeline; the log says what kind was recorded.
        _record(case, moderator, AuditEntry.Action.CASE_NOTE, details={"kind": kind})
    return event


def case_action_follow_up(*, case: CrisisCase, moderator, due_at: datetime):
    _require_moderator(moderator)
    if due_at <= timezone.now():
        raise ValidationError({"due_at": _("Choose a time in the future.")})
    with transaction.atomic():
        follow_up = follow_up_schedule(case=case, due_at=due_at, moderator=moderator)
        _record(case, moderator, AuditEntry.Action.CASE_FOLLOW_UP, details={"due_at": due_at.isoformat()})
    return follow_up


def case_action_check_in(*, case: CrisisCase, moderator, note: str = ""):
    _require_moderator(moderator)
    if case.member is None or not case.member.is_active:
        raise ValidationError(_("The member's account no longer exists."))
    with transaction.atomic():
        message = case_check_in_send(case=case, moderator=moderator, note=note)
        _record(case, moderator, AuditEntry.Action.CASE_CHECK_IN)
    return message


def case_action_answer(*, case: CrisisCase, moderator, body: str):
    _require_moderator(moderator)
    with transaction.atomic():
        message = case_answer_send(case=case, moderator=moderator, body=body)
        # Audited like a check-in: the words stay in the member's conversation, not in the log.
        _record(case, moderator, AuditEntry.Action.CASE_ANSWERED)
    return message


def case_action_close(*, case: CrisisCase, moderator, outcome: str) -> CrisisCase:
    _require_moderator(moderator)
    with transaction.atomic():
        case = case_close(case=case, moderator=moderator, outcome=outcome)
        _record(case, moderator, AuditEntry.Action.CASE_CLOSED, reason=outcome)
    return case
