"""The resource library: entries written for Thaw from the two source articles.

Entries are authored as Markdown files in resources/content/ and loaded by `manage.py
load_resources`; the database holds what the site shows and searches. Nothing here is edited in
the admin: the files are the source of truth.
"""
from django.contrib.postgres.search import SearchVectorField
from django.db import models
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from resources.sources import SOURCES, Source


class Entry(models.Model):
    class Topic(models.TextChoices):
        # In the order the library home shows them.
        WHAT_IT_IS = "what-it-is", _("What numbness is")
        SYMPTOMS = "symptoms", _("Signs and symptoms")
        CAUSES = "causes", _("Causes")
        COPING_NOW = "coping-now", _("Coping now")
        COPING_OVER_TIME = "coping-over-time", _("Coping over time")
        GETTING_HELP = "getting-help", _("Getting help")
        QUESTIONS = "questions", _("Questions people ask")

    slug = models.SlugField(max_length=80, unique=True)
    title = models.CharField(max_length=140)
    summary = models.CharField(max_length=400)
    topic = models.CharField(max_length=20, choices=Topic.choices)
    # Order within its topic on the library home.
    position = models.PositiveSmallIntegerField(default=100)
    tags = models.JSONField(default=list, blank=True)
    # Words people search with that the text may not use ("zombie", "can't cry"): searched, not shown.
    search_terms = models.JSONField(default=list, blank=True)
    # Tags and search terms as one text, for the search document.
    keywords = models.TextField(default="", blank=True)
    body = models.TextField()
    body_html = models.TextField(default="")
    # Keys of resources.sources.SOURCES: one or both of the two articles.
    sources = models.JSONField(default=list)
    reviewed_on = models.DateField()
    reading_minutes = models.PositiveSmallIntegerField()
    # Short lines for the printable coping card (coping entries only).
    coping_card = models.JSONField(default=list, blank=True)
    # SupportGroup.Focus values whose groups suit "talk about this in a group" (kept as plain
    # strings: the library does not depend on the groups app).
    group_focuses = models.JSONField(default=list, blank=True)
    related = models.ManyToManyField("self", symmetrical=False, blank=True, related_name="+")
    # sha256 of the file's bytes: an unchanged file is not written again.
    content_hash = models.CharField(max_length=64)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField()
    # PostgreSQL only: title (A), summary and search words (B), body (C); filled by the loader.
    search_document = SearchVectorField(null=True, editable=False)

    class Meta:
        ordering = ["position", "title"]
        verbose_name_plural = "entries"

    def __str__(self) -> str:
        return self.title

    def get_absolute_url(self) -> str:
        return reverse("resources:entry", kwargs={"slug": self.slug})

    @property
    def source_list(self) -> list[Source]:
        return [SOURCES[key] for key in self.sources if key in SOURCES]

    @property
    def is_coping(self) -> bool:
        return bool(self.coping_card)
