"""Catch up on unassessed content and unsent alerts, for when beat (or the broker) is down."""
from django.core.management.base import BaseCommand

from moderation.services import (
    crisis_alert_emails_send,
    follow_ups_send_due,
    risk_pending_assess_inline,
    risk_pending_requeue,
)


class Command(BaseCommand):
    help = (
        "Queue again every assessment pending for over a minute, send crisis alert e-mails left "
        "unsent and follow-ups that are due. With --inline, assess in this process instead of "
        "queuing (use it when the broker or every worker is down)."
    )

    def add_arguments(self, parser) -> None:
        parser.add_argument("--inline", action="store_true", help="assess here, without the broker")

    def handle(self, *args, inline: bool, **options) -> None:
        if inline:
            self.stdout.write(f"Assessed {risk_pending_assess_inline()} pending item(s) in this process.")
        else:
            self.stdout.write(f"Queued {risk_pending_requeue()} pending item(s) again.")
        self.stdout.write(f"Sent {crisis_alert_emails_send()} crisis alert e-mail(s).")
        self.stdout.write(f"Sent {follow_ups_send_due()} follow-up(s).")
