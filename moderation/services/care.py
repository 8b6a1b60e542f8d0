"""The caring path: private, kind messages from the Thaw team, worried reports, follow-ups, and a
member's conversation with the team (what they write back, the team's answers, who is waiting)."""
import logging
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.template import Context
from django.template.loader import get_template
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.notifications import notification_create
from moderation.models import CareMessage, CaseEvent, Conversation, CrisisAlert, CrisisCase, FollowUp, Report
from moderation.services.cases import case_acknowledge, case_changed_publish, crisis_alerts_create, crisis_case_open_or_join

logger = logging.getLogger(__name__)

# Several worried members about one person send that person one check-in, not one each.
CHECK_IN_QUIET_PERIOD = timedelta(hours=24)
# While a member waits for an answer, the moderators are alerted about their conversation at most
# this often: another "talk to a moderator" or message meanwhile joins the alert already sent (the
# member is told so), so one account cannot flood the moderators' phones.
WAITING_ALERT_INTERVAL = timedelta(minutes=15)
MESSAGE_MAX_CHARS = 2000

# The timeline entry each kind of message from the team leaves on its case.
_SENT_EVENT_KINDS = {
    CareMessage.Kind.FOLLOW_UP: CaseEvent.Kind.FOLLOW_UP_SENT,
    CareMessage.Kind.ANSWER: CaseEvent.Kind.ANSWERED,
}


def _conversation_open(*, member, case: CrisisCase | None = None) -> Conversation:
    """The member's open conversation, locked; started if none is open, and linked to `case`
    when one is given. Call inside a transaction."""
    conversation = Conversation.objects.select_for_update().filter(member=member, status=Conversation.Status.OPEN).first()
    if conversation is None:
        try:
            with transaction.atomic():
                conversation = Conversation.objects.create(member=member, case=case)
        except IntegrityError:  # started by a concurrent request a moment ago
            conversation = Conversation.objects.select_for_update().get(member=member, status=Conversation.Status.OPEN)
    if case is not None and conversation.case_id != case.pk:
        conversation.case = case
        conversation.save(update_fields=["case"])
    return conversation


def _member_told_of_message(message: CareMessage) -> None:
    # The notification (and any e-mail digest) says only that there is a message.
    notification_create(
        recipient=message.recipient, verb="care.message", message=_("The Thaw team sent you a private message."),
        email_message=_("The Thaw team sent you a private message."),
        url=reverse("care:message_detail", kwargs={"message_id": message.pk}),
    )


def care_message_send(
    *, recipient, kind: str, case: CrisisCase | None = None, sent_by=None, note: str = "", sanction=None,
    content_kind: str = "", content_id: int | None = None,
) -> CareMessage:
    """Send a private message from the team. Its text always carries the crisis lines, and never
    says who was worried. `note` is an optional personal line from the moderator (for a decision,
    the reason; for an answer, the whole message). `sanction` or `content_*` name what a decision
    was about, for a review request. Check-ins, follow-ups and answers join the member's
    conversation, where they can answer; one written by a moderator ends the member's wait."""
    note = (note or "").strip()[:MESSAGE_MAX_CHARS]
    # Plain text, stored as written: escaped once, where a page shows it (not twice: "I&#x27;m").
    template = get_template(f"moderation/care/{kind}.txt").template
    body = template.render(Context({"note": note, "sanction": sanction}, autoescape=False)).strip()
    with transaction.atomic():
        conversation = None
        if kind in CareMessage.CONVERSATION_KINDS:
            conversation = _conversation_open(member=recipient, case=case)
        message = CareMessage.objects.create(
            recipient=recipient, conversation=conversation, case=case, kind=kind, body=body, sent_by=sent_by,
            sanction=sanction, content_kind=content_kind, content_id=content_id,
        )
        _member_told_of_message(message)
        if conversation is not None and sent_by is not None and conversation.waiting_since is not None:
            conversation.waiting_since = None
            conversation.save(update_fields=["waiting_since"])
        if case is not None:
            # An answer's words are on the timeline through the message (they go with the
            # member's account); a check-in's personal line is also kept as the entry's note.
            CaseEvent.objects.create(
                case=case, kind=_SENT_EVENT_KINDS.get(kind, CaseEvent.Kind.CHECK_IN_SENT), actor=sent_by,
                note="" if kind == CareMessage.Kind.ANSWER else note, message=message,
            )
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


# ----------------------------------------------------------------------------- the member writes


@dataclass(frozen=True)
class MemberWrote:
    """What became of a member's words or "talk to a moderator now"."""

    conversation: Conversation
    case: CrisisCase
    message: CareMessage | None
    # The moderators were alerted by this request; otherwise it joined the alert sent at `alerted_at`.
    alerted_now: bool
    alerted_at: datetime | None


def _message_text(body: str, *, required: bool) -> str:
    body = (body or "").strip()
    if required and not body:
        raise ValidationError({"body": _("Write what you'd like to say; a few words are enough.")})
    if len(body) > MESSAGE_MAX_CHARS:
        raise ValidationError(
            {"body": _("A message is at most %(max)d characters (this one has %(count)d). Nothing was sent: "
                       "shorten it or send it in two parts.") % {"max": MESSAGE_MAX_CHARS, "count": len(body)}}
        )
    return body


def member_writes_to_team(*, member, body: str = "", asked_to_talk: bool = False) -> MemberWrote:
    """A member writes to the team, or asks to talk to a moderator now (words optional then).

    It goes into their open conversation (started, with a crisis case, when none is open), which
    then waits for an answer, and the moderators on duty (everyone, when nobody is) are alerted at
    once: on their dashboard, in-app and by an e-mail that only links. While the member already
    waits, within WAITING_ALERT_INTERVAL of the last alert, it joins that alert instead (the
    dashboard push still goes). The words stay in the conversation and on the case's timeline;
    events, alerts and logs carry ids only.
    """
    body = _message_text(body, required=not asked_to_talk)
    if not member.is_active:
        raise ValidationError(_("This account is not active."))
    with transaction.atomic():
        # Locks in the order answering and closing a case take them: the case, then the conversation.
        case = CrisisCase.objects.select_for_update().filter(member=member, status=CrisisCase.Status.OPEN).first()
        conversation = _conversation_open(member=member, case=case)
        case_opened_now = case is None
        if case_opened_now:
            case = crisis_case_open_or_join(member=member, origin=CrisisCase.Origin.MEMBER_ASKED)
            conversation.case = case
        elif asked_to_talk:
            CaseEvent.objects.create(case=case, kind=CaseEvent.Kind.MEMBER_ASKED, actor=member)
        message = None
        if body:
            message = CareMessage.objects.create(
                recipient=member, sender=CareMessage.Sender.MEMBER, kind=CareMessage.Kind.FROM_MEMBER,
                conversation=conversation, case=case, body=body, sent_by=member,
            )
            CaseEvent.objects.create(case=case, kind=CaseEvent.Kind.MEMBER_WROTE, actor=member, message=message)
        now = timezone.now()
        # A new wait (nobody was waiting, or the team has answered since) is always told; a wait
        # already told is told again only after WAITING_ALERT_INTERVAL.
        last = conversation.last_alerted_at
        already_told = conversation.waiting_since is not None and last is not None and now - last < WAITING_ALERT_INTERVAL
        alerted_now = case_opened_now or not already_told
        conversation.waiting_since = conversation.waiting_since or now
        if alerted_now:
            if not case_opened_now:  # a new case has alerted them already
                crisis_alerts_create(case=case, reason=CrisisAlert.Reason.MEMBER_WAITING)
            conversation.last_alerted_at = now
        conversation.save(update_fields=["case", "waiting_since", "last_alerted_at"])
        case_changed_publish(case=case, change="member_waiting")
    logger.info("member wrote to the team: conversation=%s case=%s alerted=%s", conversation.pk, case.pk, alerted_now)
    return MemberWrote(
        conversation=conversation, case=case, message=message, alerted_now=alerted_now,
        alerted_at=conversation.last_alerted_at,
    )


def member_asks_to_talk(*, member, body: str = "") -> CrisisCase:
    """"Talk to a moderator now", from the crisis panel: the conversation and its case."""
    return member_writes_to_team(member=member, body=body, asked_to_talk=True).case


# ----------------------------------------------------------------------------- the team writes


def case_check_in_send(*, case: CrisisCase, moderator, note: str = "") -> CareMessage:
    """A moderator sends the person a check-in now, with an optional personal line."""
    with transaction.atomic():
        return care_message_send(recipient=case.member, kind=CareMessage.Kind.CHECK_IN, case=case, sent_by=moderator, note=note)


def case_answer_send(*, case: CrisisCase, moderator, body: str) -> CareMessage:
    """A moderator answers the member from the case page, in their conversation (started now if
    the member has not written). The member's wait ends; the member is told there is a message."""
    body = _message_text(body, required=True)
    with transaction.atomic():
        # The case first, then (in care_message_send) the conversation: the order every path takes.
        case = CrisisCase.objects.select_for_update().get(pk=case.pk)
        if case.status != CrisisCase.Status.OPEN:
            raise ValidationError(_("This case is closed: the conversation on it has ended."))
        if case.member is None or not case.member.is_active:
            raise ValidationError(_("The member's account no longer exists."))
        if case.acknowledged_at is None:
            case = case_acknowledge(case=case, moderator=moderator)
        message = care_message_send(recipient=case.member, kind=CareMessage.Kind.ANSWER, case=case, sent_by=moderator, note=body)
        case_changed_publish(case=case, change="answered")
    return message


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


# ----------------------------------------------------------------------------- read receipts


def care_message_mark_read(*, message: CareMessage) -> CareMessage:
    if message.read_at is None:
        message.read_at = timezone.now()
        message.save(update_fields=["read_at"])
    return message


def conversation_read_by_member(*, conversation: Conversation) -> int:
    """The member opened their conversation: the team's messages in it are read (moderators see when)."""
    return conversation.messages.filter(sender=CareMessage.Sender.TEAM, read_at__isnull=True).update(read_at=timezone.now())


def case_messages_read_by_team(*, case: CrisisCase) -> int:
    """A moderator opened the case: what the member wrote on it is read (the member sees "Read by the team")."""
    return CareMessage.objects.filter(case=case, sender=CareMessage.Sender.MEMBER, read_at__isnull=True).update(
        read_at=timezone.now()
    )
