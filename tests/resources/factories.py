import factory
from django.utils import timezone

from resources.models import Entry
from resources.services import entry_body_to_html


class EntryFactory(factory.django.DjangoModelFactory):
    """An entry made directly (tests that need the real library load it with the `library` fixture)."""

    class Meta:
        model = Entry
        django_get_or_create = ("slug",)

    slug = factory.Sequence(lambda n: f"test-entry-{n}")
    title = factory.Sequence(lambda n: f"Test entry {n}")
    summary = "A short summary of a test entry."
    topic = Entry.Topic.COPING_NOW
    tags = factory.LazyFunction(lambda: ["test"])
    body = "## A section\n\nSome words about coping."
    body_html = factory.LazyAttribute(lambda entry: entry_body_to_html(entry.body))
    sources = factory.LazyFunction(lambda: ["blunting"])
    reviewed_on = factory.LazyFunction(lambda: timezone.now().date())
    reading_minutes = 1
    content_hash = "0" * 64
    updated_at = factory.LazyFunction(timezone.now)
