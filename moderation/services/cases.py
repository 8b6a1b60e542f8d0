"""Crisis cases: opening (or joining) one, alerting moderators, the case's timeline, and what
happens to an open case when its member deletes their account."""
import logging
from datetime import datetime, timedelta

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.mail import send_mail
from django.db import IntegrityError, transaction
from django.db.models import Max, Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.notifications import notification_create
from moderation.models import CaseEvent, Conversation, CrisisAlert, CrisisCase, FollowUp, ModeratorDuty
from platform_site.realtime import MODERATORS_GROUP, publish_on_commit

logger = logging.getLogger(__name__)

FOLLOW_UP_DELAYS = (timedelta(hours=24), timedelta(hours=72))


def _event_for_case(case: CrisisCase, change: str) -> dict:
    # Ids only: a case's details are read on the case page, by moderators.
    return {"type": "case.changed", "case_id": case.pk, "change": change, "status": case.status}


def case_changed_publish(*, case: CrisisCase, change: str) -> None:
    """Tell every moderator's dashboard, after commit, that the case changed (and how)."""
    publish_on_commit(MODERATORS_GROUP, _event_for_case(case, change))


def _origin_event_kind(origin: str) -> str:
    return {
        CrisisCase.Origin.ASSESSMENT: CaseEvent.Kind.FLAG_ADDED,
        CrisisCase.Origin.WORRIED_REPORT: CaseEvent.Kind.REPORT_ADDED,
        CrisisCase.Origin.MEMBER_ASKED: CaseEvent.Kind.MEMBER_ASKED,
    }[origin]


def crisis_case_open_or_join(*, member, flag=None, report=None, origin: str | None = None) -> CrisisCase:
    """Open a crisis case for `member`, or add to the one already open. Call inside a transaction.

    A new case gets its timeline's first entry, the default follow-ups and an alert to moderators
    on duty. Joining an open case adds a timeline entry and tells the dashboard, nothing more: the
    person is already being looked after, and moderators are not alerted twice about one person.
    """
    origin = origin or (CrisisCase.Origin.ASSESSMENT if flag is not None else CrisisCase.Origin.WORRIED_REPORT)
    existing = CrisisCase.objects.select_for_update().filter(member=member, status=CrisisCase.Status.OPEN).first()
    if existing is None:
        try:
            with transaction.atomic():
                case = CrisisCase.objects.create(member=member, origin=origin, flag=flag, report=report)
        except IntegrityError:  # opened by a concurrent request a moment ago
            existing = CrisisCase.objects.select_for_update().get(member=member, status=CrisisCase.Status.OPEN)
    if existing is not None:
        CaseEvent.objects.create(case=existing, kind=_origin_event_kind(origin), flag=flag)
        case_changed_publish(case=existing, change="joined")
        return existing
    CaseEvent.objects.create(case=case, kind=CaseEvent.Kind.RAISED, flag=flag, created_at=case.opened_at)
    for delay in FOLLOW_UP_DELAYS:
        follow_up_schedule(case=case, due_at=case.opened_at + delay)
    asked = origin == CrisisCase.Origin.MEMBER_ASKED
    crisis_alerts_create(case=case, reason=CrisisAlert.Reason.MEMBER_WAITING if asked else CrisisAlert.Reason.CASE_OPENED)
    case_changed_publish(case=case, change="opened")
    logger.info("crisis case %s opened", case.pk)
    return case


def moderators_to_alert():
    """Moderators on duty; every active moderator when nobody is (a case must reach someone)."""
    from accounts.models import User

    moderators = User.objects.filter(Q(is_moderator=True) | Q(is_superuser=True), is_active=True)
    on_duty = moderators.filter(duty__on_duty=True)
    return on_duty if on_duty.exists() else moderators


# What each alert says: that a case needs someone, never what was written or by whom.
def _alert_words(reason: str) -> dict:
    if reason == CrisisAlert.Reason.MEMBER_WAITING:
        return {
            "verb": "case.member_waiting",
            "in_app": _("A member is waiting to talk to a moderator now."),
            "subject": _("[Thaw] A member is waiting to talk to a moderator"),
            "email": _(
                "A member on Thaw asked to talk to a moderator and is waiting for an answer.\n\n"
                "Open their case here: %(link)s\n\n"
                "This e-mail says nothing about the person or what they wrote, on purpose."
            ),
        }
    return {
        "verb": "case.opened",
        "in_app": _("A crisis case needs attention now."),
        "subject": _("[Thaw] A crisis case needs attention"),
        "email": _(
            "A crisis case was opened on Thaw and needs a moderator now.\n\nOpen it here: %(link)s\n\n"
            "This e-mail says nothing about the person or what they wrote, on purpose."
        ),
    }


def crisis_alerts_create(*, case: CrisisCase, reason: str = CrisisAlert.Reason.CASE_OPENED) -> int:
    """Record one e-mail and one in-app alert per moderator to alert; the e-mails go after commit.

    Each call is a round of its own (the case opening is round 0), so "the member is waiting"
    reaches the moderators again while the case is open; the caller decides how often.
    """
    from moderation.tasks import crisis_alerts_send_task

    url = reverse("moderation:case_detail", kwargs={"case_id": case.pk})
    words = _alert_words(reason)
    last_round = case.alerts.aggregate(last=Max("round"))["last"]
    round_ = 0 if last_round is None else last_round + 1
    recipients = list(moderators_to_alert())
    for moderator in recipients:
        for channel in CrisisAlert.Channel.values:
            CrisisAlert.objects.get_or_create(
                case=case, moderator=moderator, channel=channel, round=round_, defaults={"reason": reason}
            )
        notification_create(
            recipient=moderator, verb=words["verb"], message=words["in_app"], email_message=words["in_app"], url=url,
        )
    CrisisAlert.objects.filter(case=case, round=round_, channel=CrisisAlert.Channel.IN_APP).update(sent_at=timezone.now())
    CaseEvent.objects.create(
        case=case, kind=CaseEvent.Kind.ALERTED,
        note=_("%(count)d moderator(s) alerted.") % {"count": len(recipients)},
    )

    def enqueue() -> None:
        try:
            crisis_alerts_send_task.delay(case.pk)
        except Exception:  # broker down: the sweep sends what is still unsent
            logger.warning("crisis alert e-mails for case %s not queued; the sweep will retry", case.pk)

    transaction.on_commit(enqueue, robust=True)
    return len(recipients)


def crisis_alert_emails_send(*, case_id: int | None = None) -> int:
    """Send every alert e-mail not yet sent (for one case, or all). Each is marked in the same
    transaction that sends it, so a crash before the mark means at most one repeat, never none."""
    pending = CrisisAlert.objects.filter(channel=CrisisAlert.Channel.EMAIL, sent_at__isnull=True)
    if case_id is not None:
        pending = pending.filter(case_id=case_id)
    sent = 0
    for alert_id in pending.values_list("pk", flat=True):
        with transaction.atomic():
            alert = (
                CrisisAlert.objects.select_for_update().select_related("moderator")
                .filter(pk=alert_id, sent_at__isnull=True).first()
            )
            if alert is None:
                continue
            link = f"{settings.ACCOUNT_DEFAULT_HTTP_PROTOCOL}://{settings.SITE_DOMAIN}" + reverse(
                "moderation:case_detail", kwargs={"case_id": alert.case_id}
            )
            words = _alert_words(alert.reason)
            send_mail(
                subject=words["subject"],
                message=words["email"] % {"link": link},
                from_email=None,
                recipient_list=[alert.moderator.email],
            )
            alert.sent_at = timezone.now()
            alert.save(update_fields=["sent_at"])
            sent += 1
    return sent


def follow_up_schedule(*, case: CrisisCase, due_at: datetime, moderator=None) -> FollowUp:
    if case.status != CrisisCase.Status.OPEN:
        raise ValidationError(_("This case is closed; reopen a new one to schedule a follow-up."))
    follow_up, created = FollowUp.objects.get_or_create(case=case, due_at=due_at, defaults={"scheduled_by": moderator})
    if created:
        CaseEvent.objects.create(
            case=case, kind=CaseEvent.Kind.FOLLOW_UP_SCHEDULED, actor=moderator,
            note=_("Check-in due %(when)s (UTC).") % {"when": due_at.strftime("%Y-%m-%d %H:%M")},
        )
    return follow_up


def case_acknowledge(*, case: CrisisCase, moderator) -> CrisisCase:
    with transaction.atomic():
        case = CrisisCase.objects.select_for_update().get(pk=case.pk)
        if case.acknowledged_at is None:
            case.acknowledged_at = timezone.now()
            case.acknowledged_by = moderator
            case.save(update_fields=["acknowledged_at", "acknowledged_by"])
            CaseEvent.objects.create(case=case, kind=CaseEvent.Kind.ACKNOWLEDGED, actor=moderator)
            case_changed_publish(case=case, change="acknowledged")
    return case


def case_note_add(*, case: CrisisCase, moderator, kind: str, note: str) -> CaseEvent:
    """Record contact made or a note on the timeline."""
    if kind not in (CaseEvent.Kind.CONTACT, CaseEvent.Kind.NOTE):
        raise ValidationError(_("Choose contact or note."))
    note = (note or "").strip()
    if not note:
        raise ValidationError({"note": _("Write what happened, so the next moderator knows.")})
    if len(note) > 4000:
        raise ValidationError({"note": _("Notes are at most 4,000 characters.")})
    with transaction.atomic():
        event = CaseEvent.objects.create(case=case, kind=kind, actor=moderator, note=note)
        if case.acknowledged_at is None:
            case_acknowledge(case=case, moderator=moderator)
    return event


def case_close(*, case: CrisisCase, moderator, outcome: str) -> CrisisCase:
    """Close with an outcome note (required). Follow-ups not yet sent are cancelled, and the
    member's conversation on the case ends (their next message starts a new one, and a new case)."""
    outcome = (outcome or "").strip()
    if not outcome:
        raise ValidationError({"outcome": _("A case closes only with a note on the outcome.")})
    if len(outcome) > 4000:
        raise ValidationError({"outcome": _("The outcome note is at most 4,000 characters.")})
    with transaction.atomic():
        case = CrisisCase.objects.select_for_update().get(pk=case.pk)
        if case.status == CrisisCase.Status.CLOSED:
            raise ValidationError(_("This case is already closed."))
        now = timezone.now()
        case.status = CrisisCase.Status.CLOSED
        case.closed_at = now
        case.closed_by = moderator
        case.outcome = outcome
        case.save(update_fields=["status", "closed_at", "closed_by", "outcome"])
        _follow_ups_cancel(case=case, now=now)
        Conversation.objects.filter(case=case, status=Conversation.Status.OPEN).update(
            status=Conversation.Status.CLOSED, closed_at=now, waiting_since=None
        )
        CaseEvent.objects.create(case=case, kind=CaseEvent.Kind.CLOSED, actor=moderator, note=outcome)
        case_changed_publish(case=case, change="closed")
    return case


def _follow_ups_cancel(*, case: CrisisCase, now: datetime) -> int:
    return FollowUp.objects.filter(case=case, sent_at__isnull=True, cancelled_at__isnull=True).update(cancelled_at=now)


def case_member_left(*, member) -> CrisisCase | None:
    """The member of an open case is deleting their account: the case says so on its timeline and
    page, and the follow-ups not yet sent are cancelled. The case stays open for the moderators to
    close with a note. Call inside the deletion's transaction, before the user row goes."""
    case = CrisisCase.objects.select_for_update().filter(member=member, status=CrisisCase.Status.OPEN).first()
    if case is None:
        return None
    now = timezone.now()
    case.member_left_at = now
    case.save(update_fields=["member_left_at"])
    _follow_ups_cancel(case=case, now=now)
    CaseEvent.objects.create(case=case, kind=CaseEvent.Kind.MEMBER_LEFT, created_at=now)
    case_changed_publish(case=case, change="member_left")
    logger.info("crisis case %s: the member deleted their account", case.pk)
    return case


def moderator_duty_set(*, moderator, on_duty: bool) -> ModeratorDuty:
    duty, _ = ModeratorDuty.objects.update_or_create(
        moderator=moderator, defaults={"on_duty": on_duty, "changed_at": timezone.now()}
    )
    return duty
