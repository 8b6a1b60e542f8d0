"""`manage.py load_resources`: make the library match resources/content/*.md, and say what changed."""
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from resources.services import CONTENT_DIR, LibraryContentError, library_load


class Command(BaseCommand):
    help = "Load the resource library from its Markdown files: adds, updates and removes entries. Safe to run again."

    def add_arguments(self, parser):
        parser.add_argument("--path", type=Path, default=CONTENT_DIR, help="Folder of entry files (default: resources/content/).")
        parser.add_argument("--dry-run", action="store_true", help="Check the files and say what would change, writing nothing.")

    def handle(self, *args, **options):
        try:
            report = library_load(content_dir=options["path"], dry_run=options["dry_run"])
        except LibraryContentError as error:
            raise CommandError(
                "The library was not changed: fix these and run it again.\n  " + "\n  ".join(error.problems)
            ) from error
        for label, slugs in (("added", report.added), ("updated", report.updated), ("removed", report.removed)):
            for slug in slugs:
                self.stdout.write(f"  {label:<8} {slug}")
        for model, count in sorted(report.also_removed.items()):
            self.stdout.write(f"  with the removed entries went {count} × {model}")
        style = self.style.SUCCESS if report.changed else (lambda text: text)
        self.stdout.write(style(report.summary()))
