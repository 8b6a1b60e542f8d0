"""Print the demo moderator's current two-factor code, so the demo needs no authenticator app."""
import time

from allauth.mfa import app_settings
from allauth.mfa.totp.internal.auth import format_hotp_value, hotp_value
from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from accounts.services import DEMO_ACCOUNTS


class Command(BaseCommand):
    help = "Print the current two-factor code of the demo moderator (DEBUG only; its secret is public)."

    def handle(self, *args, **options):
        if not settings.DEBUG:
            raise CommandError("Refusing while DEBUG is off: the demo secret is public and for the demo only.")
        demo = next(account for account in DEMO_ACCOUNTS if account.totp_secret)
        counter = int(time.time()) // app_settings.TOTP_PERIOD
        self.stdout.write(f"{demo.email}: {format_hotp_value(hotp_value(demo.totp_secret, counter))}")
