"""In-app notifications and the optional e-mail digest."""
import logging
from datetime import timedelta

from django.conf import settings
from django.core.mail import send_mail
from django.db import transaction
from django.db.models import QuerySet
from django.template.loader import render_to_string
from django.utils import timezone

from accounts.models import Notification, Profile

logger = logging.getLogger(__name__)


def notification_create(*, recipient, verb: str, message: str, email_message: str, url: str) -> Notification:
    return Notification.objects.create(
        recipient=recipient, verb=verb, message=message[:300], email_message=email_message[:300], url=url[:300]
    )


def notifications_mark_read(*, user, notification_ids: list[int] | None = None) -> int:
    """Mark the given notifications (or all of them) read; returns how many changed."""
    unread = Notification.objects.filter(recipient=user, read_at__isnull=True)
    if notification_ids is not None:
        unread = unread.filter(pk__in=notification_ids)
    return unread.update(read_at=timezone.now())


def notification_list_for_user(*, user) -> QuerySet[Notification]:
    return Notification.objects.filter(recipient=user)


def notification_unread_count(*, user) -> int:
    return Notification.objects.filter(recipient=user, read_at__isnull=True).count()


def notification_digest_send(*, now=None) -> int:
    """E-mail each member who asked for it one digest of what is new and unread. Returns mails sent.

    Safe to run twice: a notification is e-mailed once (emailed_at), in the same transaction that
    sends the mail, so a failed send leaves it for the next run.
    """
    now = now or timezone.now()
    sent = 0
    recipients = Profile.objects.filter(email_digest=True, user__is_active=True).values_list("user_id", flat=True)
    for user_id in recipients.iterator():
        with transaction.atomic():
            pending = list(
                Notification.objects.select_for_update()
                .filter(recipient_id=user_id, read_at__isnull=True, emailed_at__isnull=True)
                .filter(created_at__gte=now - timedelta(days=7))
                .select_related("recipient")
            )
            if not pending:
                continue
            recipient = pending[0].recipient
            context = {"notifications": pending, "site_domain": settings.SITE_DOMAIN, "protocol": settings.ACCOUNT_DEFAULT_HTTP_PROTOCOL}
            send_mail(
                subject=f"[Thaw] {len(pending)} new {'reply' if len(pending) == 1 else 'replies'} waiting for you",
                message=render_to_string("accounts/email/digest.txt", context),
                from_email=None,
                recipient_list=[recipient.email],
            )
            Notification.objects.filter(pk__in=[n.pk for n in pending]).update(emailed_at=now)
            sent += 1
    logger.info("notification digest: %s e-mails sent", sent)
    return sent
