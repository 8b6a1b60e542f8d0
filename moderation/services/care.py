"""The caring path: private, kind messages from the Thaw team, worried reports, follow-ups."""
import logging
from datetime import datetime, timedelta

from django.db import transaction
from django.template import Context
from django.template.loader import get_template
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.notifications import notification_create
from moderation.models import CareMessage, CaseEvent, CrisisCase, FollowUp, Report
from moderation.services.cases import crisis_case_open_or_join

logger = logging.getLogger(__name__)

# Several worried members about one person send that person one check-in, not one each.
CHECK_IN_QUIET_PERIOD = timedelta(hours=24)


def care_message_send(
    *, recipient, kind: str, case: CrisisCase | None = None, sent_by=None, note: str = "", sanction=None,
    content_kind: str = "", content_id: int | None = None,
) -> CareMessage:
    """Send a private message from the team. Its text always carries the crisis lines, and never
    says who was worried. `note` is an optional personal line from the moderator (for a decision,
    the reason). `sanction` or `content_*` name what a decision was about, for a review request."""
    note = (note or "").strip()[:2000]
    # Plain text, stored as written: escaped once, where a page shows it (not twice: "I&#x27;m").
    template = get_template(f"moderation/care/{kind}.txt").template
    body = template.render(Context({"note": note, "sanction": sanction}, autoescape=False)).strip()
    message = CareMessage.objects.create(
        recipient=recipient, case=case, kind=kind, body=body, sent_by=sent_by, sanction=sanction,
        content_kind=content_kind, content_id=content_id,
    )
    url = reverse("care:message_detail", kwargs={"message_id": message.pk})
    # The notification (and any e-mail digest) says only that there is a message.
    notification_create(
        recipient=recipient, verb="care.message", message=_("The Thaw team sent you a private message."),
        email_message=_("The Thaw team sent you a private message."), url=url,
    )
    if case is not None:
        event_kind = CaseEvent.Kind.FOLLOW_UP_SENT if kind == CareMessage.Kind.FOLLOW_UP else CaseEvent.Kind.CHECK_IN_SENT
        CaseEvent.objects.create(case=case, kind=event_kind, actor=sent_by, note=note)
    return message


def _checked_in_recently(member, now: datetime) -> bool:
    return CareMessage.objects.filter(
        recipient=member, kind=CareMessage.Kind.CHECK_IN, created_at__gte=now - CHECK_IN_QUIET_PERIOD
    ).exists()


def worried_report_care_open(*, report: Report) -> CrisisCase | None:
    """"I'm worried about this person": a moderator case and a kind check-in for the person.

    Call inside the transaction that saved the report. The check-in never names the reporter.
    """
    member = report.content_author
    if member is None or not member.is_active:
        return None
    case = crisis_case_open_or_join(member=member, report=report, origin=CrisisCase.Origin.WORRIED_REPORT)
    if not _checked_in_recently(member, timezone.now()):
        care_message_send(recipient=member, kind=CareMessage.Kind.CHECK_IN, case=case)
    return case


def member_asks_to_talk(*, member) -> CrisisCase:
    """"Talk to a moderator now", from the crisis panel: a case, and the moderators alerted."""
    with transaction.atomic():
        return crisis_case_open_or_join(member=member, origin=CrisisCase.Origin.MEMBER_ASKED)


def case_check_in_send(*, case: CrisisCase, moderator, note: str = "") -> CareMessage:
    """A moderator sends the person a check-in now, with an optional personal line."""
    with transaction.atomic():
        return care_message_send(recipient=case.member, kind=CareMessage.Kind.CHECK_IN, case=case, sent_by=moderator, note=note)


def follow_ups_send_due(*, now: datetime | None = None) -> int:
    """Send every follow-up that is due (run by beat each minute). Each is sent once: the row is
    locked and marked in the transaction that writes the message."""
    now = now or timezone.now()
    due = FollowUp.objects.filter(sent_at__isnull=True, cancelled_at__isnull=True, due_at__lte=now)
    sent = 0
    for follow_up_id in due.values_list("pk", flat=True):
        with transaction.atomic():
            # Lock the follow-up and its case, not the member: PostgreSQL refuses FOR UPDATE on the
            # nullable side of an outer join (the member is SET_NULL), and the case is what matters.
            follow_up = (
                FollowUp.objects.select_for_update(of=("self", "case")).select_related("case__member")
                .filter(pk=follow_up_id, sent_at__isnull=True, cancelled_at__isnull=True).first()
            )
            if follow_up is None:
                continue
            case = follow_up.case
            if case.status != CrisisCase.Status.OPEN or case.member is None or not case.member.is_active:
                follow_up.cancelled_at = now
                follow_up.save(update_fields=["cancelled_at"])
                continue
            care_message_send(recipient=case.member, kind=CareMessage.Kind.FOLLOW_UP, case=case)
            follow_up.sent_at = now
            follow_up.save(update_fields=["sent_at"])
            sent += 1
    if sent:
        logger.info("%s follow-up check-in(s) sent", sent)
    return sent


def care_message_mark_read(*, message: CareMessage) -> CareMessage:
    if message.read_at is None:
        message.read_at = timezone.now()
        message.save(update_fields=["read_at"])
    return message
