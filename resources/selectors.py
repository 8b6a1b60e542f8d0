"""Reads for the library: by topic, one entry with its related ones, search, the coping card."""
import re
from dataclasses import dataclass

from django.db import connection
from django.db.models import F, QuerySet
from django.http import Http404

from resources.models import Entry

RELATED_SHOWN = 4
SEARCH_MAX_LENGTH = 200
SEARCH_RESULTS = 30


@dataclass(frozen=True)
class TopicSection:
    topic: str
    label: str
    entries: list[Entry]


def _listing() -> QuerySet[Entry]:
    # The fields a list or card shows; never the body.
    return Entry.objects.only(
        "slug", "title", "summary", "topic", "position", "tags", "sources", "reading_minutes", "coping_card"
    )


def entry_sections_by_topic() -> list[TopicSection]:
    """Every topic that has entries, in the library's order, each with its entries in order."""
    entries = list(_listing().order_by("position", "title"))
    return [
        TopicSection(topic=value, label=label, entries=[entry for entry in entries if entry.topic == value])
        for value, label in Entry.Topic.choices
        if any(entry.topic == value for entry in entries)
    ]


def entry_get(*, slug: str) -> Entry:
    entry = Entry.objects.filter(slug=slug).first()
    if entry is None:
        raise Http404("No such entry.")
    return entry


def entry_list_related(*, entry: Entry, limit: int = RELATED_SHOWN) -> list[Entry]:
    """The entry's own related entries in the order its file lists them, then others of its topic."""
    chosen = list(_listing().filter(pk__in=entry.related.values("pk")))
    # The links are written in the file's order (services.library_load), so their ids keep it.
    links = Entry.related.through.objects.filter(from_entry=entry).order_by("pk").values_list("to_entry", flat=True)
    order = {pk: index for index, pk in enumerate(links)}
    chosen.sort(key=lambda related: order.get(related.pk, 0))
    if len(chosen) < limit:
        same_topic = _listing().filter(topic=entry.topic).exclude(pk=entry.pk).exclude(pk__in=[e.pk for e in chosen])
        chosen += list(same_topic.order_by("position", "title")[: limit - len(chosen)])
    return chosen[:limit]


def entry_list_by_slugs(*, slugs: list[str]) -> dict[str, Entry]:
    """Entries for these slugs (unknown ones are skipped), keyed by slug: one query for a whole page."""
    if not slugs:
        return {}
    return {entry.slug: entry for entry in _listing().filter(slug__in=set(slugs))}


def entry_list_coping() -> list[Entry]:
    """Entries that give lines to the coping card, coping now first."""
    topics = [Entry.Topic.COPING_NOW, Entry.Topic.COPING_OVER_TIME, Entry.Topic.GETTING_HELP]
    entries = [entry for entry in _listing().filter(topic__in=topics) if entry.coping_card]
    return sorted(entries, key=lambda entry: (topics.index(entry.topic), entry.position, entry.title))


def entry_list_for_choice() -> QuerySet[Entry]:
    """Every entry, for a picker (attach to a group or session)."""
    return Entry.objects.only("slug", "title", "topic").order_by("topic", "position", "title")


# ----------------------------------------------------------------------------- search

# Words that say nothing about what someone is looking for. Negations stay ("nothing", "no"): in
# "I feel nothing" they are the point.
_STOP_WORDS = frozenset(
    """a an and are as at be been but by can cant could did do does dont for from had has have how i im
    if in into is it its just me my of on or our so t that the their them there these they this to too
    very was we were what when where which who why will with would you your ive id s all any about really""".split()
)
# Weights of the portable search, echoing PostgreSQL's A/B/C: title, then summary and search words, then body.
_FIELD_WEIGHTS = (("title", 8), ("keywords", 4), ("summary", 4), ("body", 1))


def _normalise(text: str) -> str:
    text = text.casefold().replace("’", "'").replace("‘", "'")
    return re.sub(r"'", "", text)


def _stem(word: str) -> str:
    for suffix, replacement in (("ies", "y"), ("ing", ""), ("ed", ""), ("es", ""), ("s", "")):
        if word.endswith(suffix) and len(word) - len(suffix) >= 3:
            return word[: -len(suffix)] + replacement
    return word


def _words(text: str) -> list[str]:
    return [word for word in re.findall(r"[a-z0-9]+", _normalise(text)) if word not in _STOP_WORDS]


def _stems(text: str) -> set[str]:
    return {_stem(word) for word in _words(text)}


def _matches(query_stem: str, stems: set[str]) -> bool:
    if query_stem in stems:
        return True
    # "feel" finds "feelings", "cry" finds "crying"; very short words must match whole.
    return len(query_stem) >= 3 and any(stem.startswith(query_stem) for stem in stems)


def _search_words(query: str) -> list[Entry]:
    """Portable search (SQLite, or PostgreSQL when full-text search finds nothing): every entry is
    scored by where the query's words appear, weighted like the PostgreSQL document; entries with
    all the words come first, then those with the most."""
    query_stems = list(dict.fromkeys(_stem(word) for word in _words(query)))
    if not query_stems:
        return []
    phrase = " ".join(_words(query))
    scored = []
    for entry in Entry.objects.only("slug", "title", "summary", "topic", "position", "tags", "sources", "reading_minutes", "keywords", "body", "coping_card"):
        fields = {name: getattr(entry, name) for name, _weight in _FIELD_WEIGHTS}
        field_stems = {name: _stems(text) for name, text in fields.items()}
        matched, score = 0, 0
        for query_stem in query_stems:
            weights = [weight for name, weight in _FIELD_WEIGHTS if _matches(query_stem, field_stems[name])]
            if weights:
                matched += 1
                score += max(weights) + sum(weights) / 10
        if matched and len(query_stems) > 1:
            # The words together, as typed ("feel nothing"), count for more than apart.
            score += sum(weight * 2 for name, weight in _FIELD_WEIGHTS if phrase in " ".join(_words(fields[name])))
        if matched:
            scored.append((matched, score, entry))
    if not scored:
        return []
    best = max(matched for matched, _score, _entry in scored)
    if best == len(query_stems):
        scored = [row for row in scored if row[0] == best]
    scored.sort(key=lambda row: (-row[0], -row[1], row[2].position, row[2].title))
    return [entry for _matched, _score, entry in scored[:SEARCH_RESULTS]]


def _search_postgresql(query: str) -> list[Entry]:
    from django.contrib.postgres.search import SearchQuery, SearchRank, SearchVector

    search_query = SearchQuery(query, search_type="websearch", config="english")
    words = _words(query)
    if words:
        # PostgreSQL's stemmer leaves "SSRIs" as `ssris`, so "SSRI" would miss the title that says
        # "SSRIs": longer words also match as prefixes. Words are [a-z0-9]+, safe in a raw query.
        prefixes = " & ".join(f"{word}:*" if len(word) >= 4 else word for word in words)
        search_query |= SearchQuery(prefixes, search_type="raw", config="english")
    # ts_rank saturates on a short query ("SSRI" scores the same wherever it is common), so equal
    # ranks are ordered by how well the title alone matches: computed for the matching rows only.
    title_rank = SearchRank(SearchVector("title", config="english"), search_query)
    return list(
        _listing()
        .filter(search_document=search_query)
        .annotate(rank=SearchRank(F("search_document"), search_query), title_rank=title_rank)
        .order_by("-rank", "-title_rank", "position", "title")[:SEARCH_RESULTS]
    )


def entry_search(*, query: str) -> list[Entry]:
    """Entries matching `query`, best first.

    PostgreSQL: full-text search over a stored, GIN-indexed document weighted title (A), summary and
    search words (B), body (C), ranked. Where that finds nothing (a query of only stop words, a
    spelling PostgreSQL does not stem the same way) and on SQLite: the portable word search.
    """
    query = " ".join(query.split())[:SEARCH_MAX_LENGTH]
    if not query:
        return []
    if connection.vendor == "postgresql":
        results = _search_postgresql(query)
        if results:
            return results
    return _search_words(query)
