"""Create the demo, idempotently: the resource library, a member, a facilitator and a moderator,
then each app's demo content (groups, topics and replies, library entries attached to groups).
Each app's demo module creates only what is missing."""
from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from accounts.services import demo_accounts_ensure
from groups.demo import demo_groups_ensure, demo_library_attachments_ensure
from resources.services import LibraryContentError, library_load


class Command(BaseCommand):
    help = "Create demo accounts (member, facilitator, moderator) with known passwords. Safe to run again."

    def add_arguments(self, parser):
        parser.add_argument(
            "--allow-without-debug",
            action="store_true",
            help="Seed even though DEBUG is off (never on a real site: the passwords are public).",
        )

    def handle(self, *args, **options):
        if not settings.DEBUG and not options["allow_without_debug"]:
            raise CommandError(
                "Refusing to create demo accounts with public passwords while DEBUG is off. "
                "Use --allow-without-debug on a throw-away site."
            )
        try:
            library = library_load()
        except LibraryContentError as error:
            raise CommandError("The library's files have problems:\n  " + "\n  ".join(error.problems)) from error
        results = demo_accounts_ensure()
        people = {result.role: result.user for result in results}
        groups = demo_groups_ensure(member=people["member"], facilitator=people["facilitator"], moderator=people["moderator"])
        demo_library_attachments_ensure(facilitator=people["facilitator"])
        created = [result for result in results if result.created]
        if created:
            self.stdout.write(self.style.SUCCESS("Demo accounts created (sign in at /accounts/login/):"))
            for result in results:
                self.stdout.write(f"  {result.role:<12} {result.email:<28} password: {result.password}")
                if result.totp_secret:
                    self.stdout.write(f"  {'':<12} two-factor secret: {result.totp_secret} (codes: manage.py demo_totp_code)")
        else:
            self.stdout.write("Demo accounts already exist (passwords are listed in README.md).")
        self.stdout.write(f"Demo groups: {', '.join(group.name for group in groups)}.")
        self.stdout.write(library.summary())
