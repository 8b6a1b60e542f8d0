"""Loading the library from its Markdown files (resources/content/*.md).

`library_load` is what `manage.py load_resources` runs: it reads every file, checks all of them
before writing anything, then adds new entries, rewrites changed ones, removes entries whose file
is gone and leaves the rest alone, so a second run changes nothing. It reports what it did.
"""
import hashlib
import math
import re
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

import frontmatter
import yaml
from django.core.exceptions import ValidationError
from django.db import connection, transaction
from django.utils import timezone

from platform_site.text import markdown_to_safe_html
from resources.models import Entry
from resources.phone_numbers import unexpected_phone_numbers
from resources.sources import SOURCES, source_for

CONTENT_DIR = Path(__file__).resolve().parent / "content"
WORDS_PER_MINUTE = 200
# A stated reading time may differ from the computed one by this much before the loader objects.
READING_TIME_TOLERANCE = 1
CARD_LINE_MAX_LENGTH = 160

REQUIRED_KEYS = {"title", "slug", "summary", "topic", "tags", "source", "reviewed", "reading_time"}
OPTIONAL_KEYS = {"order", "search_terms", "related", "coping_card", "group_focus"}
# Addresses the library's own pages take under /library/.
RESERVED_SLUGS = {"search", "coping-card"}


class LibraryContentError(Exception):
    """One or more content files are wrong; nothing was written. `problems` lists each, by file."""

    def __init__(self, problems: list[str]):
        self.problems = problems
        super().__init__("\n".join(problems))


@dataclass(frozen=True)
class ParsedEntry:
    path: Path
    content_hash: str
    slug: str
    title: str
    summary: str
    topic: str
    position: int
    tags: list[str]
    search_terms: list[str]
    body: str
    sources: list[str]
    reviewed_on: date
    reading_minutes: int
    coping_card: list[str]
    group_focuses: list[str]
    related: list[str]


@dataclass
class LoadReport:
    added: list[str] = field(default_factory=list)
    updated: list[str] = field(default_factory=list)
    removed: list[str] = field(default_factory=list)
    unchanged: list[str] = field(default_factory=list)
    # Rows elsewhere that went with removed entries (e.g. a group's link to one), by model label.
    also_removed: dict[str, int] = field(default_factory=dict)
    dry_run: bool = False

    @property
    def changed(self) -> bool:
        return bool(self.added or self.updated or self.removed)

    def summary(self) -> str:
        verb = "would be" if self.dry_run else ""
        counts = (
            f"{len(self.added)} added, {len(self.updated)} updated, {len(self.removed)} removed, "
            f"{len(self.unchanged)} unchanged"
        )
        return f"Library: {counts}{' (dry run: nothing ' + verb + ' written)' if self.dry_run else ''}."


def reading_minutes_for(body: str) -> int:
    return max(1, math.ceil(len(re.findall(r"\w+", body)) / WORDS_PER_MINUTE))


def entry_body_to_html(body: str) -> str:
    """Markdown to safe HTML through the same pipeline as members' posts (markdown-it-py, nh3).

    That pipeline demotes `##` to <h4> so posts cannot compete with a page's headings; an entry's
    page has its title as <h1> and `##` sections belong at <h2>, so they are promoted back.
    """
    html = markdown_to_safe_html(body)
    return html.replace("<h4>", "<h2>").replace("</h4>", "</h2>")


def _string_list(value, *, key: str, problems: list[str], max_length: int = 80) -> list[str]:
    if value is None:
        return []
    if not isinstance(value, list) or not all(isinstance(item, str) and item.strip() for item in value):
        problems.append(f"`{key}` must be a list of words or phrases (put numbers in quotes: \"988\")")
        return []
    too_long = [item for item in value if len(item) > max_length]
    if too_long:
        problems.append(f"`{key}` items are at most {max_length} characters: {too_long[0][:40]}…")
    return [" ".join(item.split()) for item in value]


def _sources(value, problems: list[str]) -> list[str]:
    items = value if isinstance(value, list) else [value]
    keys = []
    for item in items:
        if not isinstance(item, dict) or not {"title", "publisher"} <= set(item):
            problems.append("`source` must give each article's `title` and `publisher`")
            continue
        source = source_for(title=item["title"], publisher=item["publisher"])
        if source is None:
            known = "; ".join(f"“{s.title}” ({s.publisher})" for s in SOURCES.values())
            problems.append(f"`source` “{item['title']}” ({item['publisher']}) is not one of the library's articles: {known}")
        elif source.key not in keys:
            keys.append(source.key)
    if not keys and not problems:
        problems.append("`source` names no article")
    return keys


def _reading_minutes(value, body: str, problems: list[str]) -> int:
    match = re.fullmatch(r"\s*(\d+)\s*(?:min|mins|minutes?)?\s*", str(value))
    if not match or int(match.group(1)) < 1:
        problems.append("`reading_time` must be a number of minutes, like `3 min`")
        return 1
    stated, computed = int(match.group(1)), reading_minutes_for(body)
    if abs(stated - computed) > READING_TIME_TOLERANCE:
        problems.append(f"`reading_time` says {stated} min but the text reads in about {computed} min ({WORDS_PER_MINUTE} words a minute)")
    return stated


def entry_file_parse(path: Path) -> ParsedEntry:
    """Read and check one entry file; raises LibraryContentError listing every problem in it."""
    raw = path.read_bytes()
    problems: list[str] = []
    try:
        post = frontmatter.loads(raw.decode("utf-8"))
    except (UnicodeDecodeError, yaml.YAMLError, ValueError) as error:
        raise LibraryContentError([f"{path.name}: the front matter is not valid YAML ({error})"]) from error
    meta, body = post.metadata, post.content.strip()

    missing = sorted(REQUIRED_KEYS - set(meta))
    if missing:
        problems.append(f"missing front matter: {', '.join(missing)}")
    unknown = sorted(set(meta) - REQUIRED_KEYS - OPTIONAL_KEYS)
    if unknown:
        problems.append(f"unknown front matter (a typo?): {', '.join(unknown)}")
    if missing:
        raise LibraryContentError([f"{path.name}: {problem}" for problem in problems])

    slug = str(meta["slug"])
    if slug != path.stem:
        problems.append(f"`slug` “{slug}” must match the file name “{path.stem}”")
    if slug in RESERVED_SLUGS:
        problems.append(f"`slug` “{slug}” is taken by a library page; choose another")
    if not re.fullmatch(r"[a-z0-9]+(?:-[a-z0-9]+)*", slug) or len(slug) > 80:
        problems.append("`slug` must be lowercase words joined by hyphens, at most 80 characters")
    title, summary = " ".join(str(meta["title"]).split()), " ".join(str(meta["summary"]).split())
    if not title or len(title) > 140:
        problems.append("`title` must be 1 to 140 characters")
    if not summary or len(summary) > 400:
        problems.append("`summary` must be 1 to 400 characters")
    if meta["topic"] not in Entry.Topic.values:
        problems.append(f"`topic` “{meta['topic']}” is not one of: {', '.join(Entry.Topic.values)}")
    if not isinstance(meta["reviewed"], date):
        problems.append("`reviewed` must be a date, like 2026-05-10")
    order = meta.get("order", 100)
    if not isinstance(order, int) or order < 0:
        problems.append("`order` must be a whole number")
        order = 100
    if not body:
        problems.append("the entry has no text")
    if re.search(r"^(?:#|#{4,})\s", body, flags=re.MULTILINE):
        problems.append("use `##` for sections and `###` below them (the entry's title is the page's only top heading)")
    numbers = unexpected_phone_numbers("\n".join([title, summary, body, *map(str, meta.get("coping_card") or [])]))
    if numbers:
        problems.append(f"phone numbers other than 988 and 911: {', '.join(sorted(numbers))} (the articles give no others)")
    tags = _string_list(meta["tags"], key="tags", problems=problems, max_length=40)
    if not tags:
        problems.append("`tags` needs at least one tag")
    coping_card = _string_list(meta.get("coping_card"), key="coping_card", problems=problems, max_length=CARD_LINE_MAX_LENGTH)
    parsed = ParsedEntry(
        path=path,
        content_hash=hashlib.sha256(raw).hexdigest(),
        slug=slug,
        title=title,
        summary=summary,
        topic=str(meta["topic"]),
        position=order,
        tags=tags,
        search_terms=_string_list(meta.get("search_terms"), key="search_terms", problems=problems),
        body=body,
        sources=_sources(meta["source"], problems),
        reviewed_on=meta["reviewed"] if isinstance(meta["reviewed"], date) else date.min,
        reading_minutes=_reading_minutes(meta["reading_time"], body, problems),
        coping_card=coping_card,
        group_focuses=_string_list(meta.get("group_focus"), key="group_focus", problems=problems),
        related=_string_list(meta.get("related"), key="related", problems=problems),
    )
    if problems:
        raise LibraryContentError([f"{path.name}: {problem}" for problem in problems])
    return parsed


def entry_files_parse(*, content_dir: Path = CONTENT_DIR) -> list[ParsedEntry]:
    """Every entry in `content_dir`, checked together (related entries must exist)."""
    if not content_dir.is_dir():
        raise LibraryContentError([f"{content_dir}: no such folder"])
    paths = [
        path for path in sorted(content_dir.glob("*.md"))
        if not path.name.startswith(("_", ".")) and path.name.lower() != "readme.md"
    ]
    parsed, problems = [], []
    for path in paths:
        try:
            parsed.append(entry_file_parse(path))
        except LibraryContentError as error:
            problems.extend(error.problems)
    # File names, not parsed slugs: an entry with its own problems still exists for `related`.
    slugs = {path.stem for path in paths}
    for entry in parsed:
        for slug in entry.related:
            if slug == entry.slug:
                problems.append(f"{entry.path.name}: `related` lists the entry itself")
            elif slug not in slugs:
                problems.append(f"{entry.path.name}: `related` entry “{slug}” has no file")
    if problems:
        raise LibraryContentError(problems)
    return parsed


def _fields_of(entry: ParsedEntry) -> dict:
    return {
        "title": entry.title,
        "summary": entry.summary,
        "topic": entry.topic,
        "position": entry.position,
        "tags": entry.tags,
        "search_terms": entry.search_terms,
        "keywords": " ".join(entry.tags + entry.search_terms),
        "body": entry.body,
        "body_html": entry_body_to_html(entry.body),
        "sources": entry.sources,
        "reviewed_on": entry.reviewed_on,
        "reading_minutes": entry.reading_minutes,
        "coping_card": entry.coping_card,
        "group_focuses": entry.group_focuses,
        "content_hash": entry.content_hash,
    }


def _search_documents_update(entry_ids: list[int]) -> None:
    if connection.vendor != "postgresql" or not entry_ids:
        return
    from django.contrib.postgres.search import SearchVector

    document = (
        SearchVector("title", weight="A", config="english")
        + SearchVector("summary", weight="B", config="english")
        + SearchVector("keywords", weight="B", config="english")
        + SearchVector("body", weight="C", config="english")
    )
    Entry.objects.filter(pk__in=entry_ids).update(search_document=document)


def library_load(*, content_dir: Path = CONTENT_DIR, dry_run: bool = False) -> LoadReport:
    """Make the library match the files in `content_dir`; with `dry_run`, only say what would change.

    Raises LibraryContentError (nothing written) when any file is wrong.
    """
    parsed = entry_files_parse(content_dir=content_dir)
    report = LoadReport(dry_run=dry_run)
    with transaction.atomic():
        existing = {entry.slug: entry for entry in Entry.objects.select_for_update()}
        now = timezone.now()
        touched: dict[str, Entry] = {}
        for item in parsed:
            entry = existing.get(item.slug)
            if entry is None:
                entry = Entry(slug=item.slug, updated_at=now, **_fields_of(item))
                _full_clean(entry, item)
                entry.save()
                report.added.append(item.slug)
                touched[item.slug] = entry
            elif entry.content_hash != item.content_hash:
                for name, value in _fields_of(item).items():
                    setattr(entry, name, value)
                entry.updated_at = now
                _full_clean(entry, item)
                entry.save()
                report.updated.append(item.slug)
                touched[item.slug] = entry
            else:
                report.unchanged.append(item.slug)
        gone = sorted(set(existing) - {item.slug for item in parsed})
        if gone:
            _total, per_model = Entry.objects.filter(slug__in=gone).delete()
            report.removed = gone
            report.also_removed = {
                label: count for label, count in per_model.items()
                if label != Entry._meta.label and not label.startswith(f"{Entry._meta.label}_")
            }
        slug_to_id = dict(Entry.objects.values_list("slug", "pk"))
        for item in parsed:
            if item.slug in touched:
                touched[item.slug].related.set([slug_to_id[slug] for slug in item.related])
        _search_documents_update([entry.pk for entry in touched.values()])
        if dry_run:
            transaction.set_rollback(True)
    return report


def _full_clean(entry: Entry, item: ParsedEntry) -> None:
    try:
        entry.full_clean(exclude=["related", "search_document"])
    except ValidationError as error:
        problems = [f"{name}: {' '.join(messages)}" for name, messages in error.message_dict.items()]
        raise LibraryContentError([f"{item.path.name}: {problem}" for problem in problems]) from error
