"""The library's content: every entry cites one of the two articles, covers what the issue lists,
and the whole site gives no phone number but 988 and 911."""
import re
from pathlib import Path

import frontmatter
import pytest

from groups.models import SupportGroup
from resources.models import Entry
from resources.services import CONTENT_DIR, entry_files_parse, reading_minutes_for
from resources.sources import SOURCES

ROOT = Path(__file__).resolve().parents[2]
ENTRY_FILES = sorted(path for path in CONTENT_DIR.glob("*.md") if path.name != "README.md")
THE_TWO_ARTICLES = {
    ("Emotional numbness", "A health publisher (not named in our copy)"),
    ("Emotional Blunting: Symptoms, Causes, & How to Cope", "ChoosingTherapy.com"),
}


def test_the_library_knows_exactly_the_two_seed_articles():
    assert {(source.title, source.publisher) for source in SOURCES.values()} == THE_TWO_ARTICLES


@pytest.mark.parametrize("path", ENTRY_FILES, ids=lambda path: path.stem)
def test_every_entry_names_its_source_and_it_is_one_of_the_two_articles(path):
    meta = frontmatter.loads(path.read_text()).metadata
    sources = meta["source"] if isinstance(meta["source"], list) else [meta["source"]]

    assert sources, "an entry must name the article it draws on"
    for source in sources:
        assert (source["title"], source["publisher"]) in THE_TWO_ARTICLES


@pytest.mark.parametrize("path", ENTRY_FILES, ids=lambda path: path.stem)
def test_every_entry_has_its_front_matter(path):
    post = frontmatter.loads(path.read_text())
    meta = post.metadata

    assert {"title", "slug", "summary", "tags", "source", "reviewed", "reading_time", "topic"} <= set(meta)
    assert meta["slug"] == path.stem
    assert meta["tags"]
    stated = int(re.match(r"\d+", str(meta["reading_time"])).group(0))
    assert abs(stated - reading_minutes_for(post.content)) <= 1


def test_every_group_focus_named_by_an_entry_exists():
    focuses = {focus for entry in entry_files_parse() for focus in entry.group_focuses}
    assert focuses <= set(SupportGroup.Focus.values)


def test_links_between_entries_lead_to_entries_that_exist():
    slugs = {path.stem for path in ENTRY_FILES}
    broken = []
    for entry in entry_files_parse():
        for target in re.findall(r"\]\((/[^)]*)\)", entry.body):
            if target == "/help/":
                continue
            match = re.fullmatch(r"/library/([a-z0-9-]+)/", target)
            if not match or match.group(1) not in slugs:
                broken.append(f"{entry.slug} -> {target}")
    assert broken == []


def _entry_for(words: str) -> list[str]:
    """Slugs of entries whose title mentions every one of `words` (case-insensitive)."""
    return [e.slug for e in entry_files_parse() if all(word.lower() in e.title.lower() for word in words.split())]


@pytest.mark.parametrize(
    "topic, words",
    [
        ("causes", "depression anxiety"), ("causes", "stress hormones"), ("causes", "PTSD"),
        ("causes", "SSRIs"), ("causes", "depersonalization-derealization"), ("causes", "burnout"),
        ("causes", "substance"), ("causes", "schizophrenia"), ("causes", "borderline personality"),
        ("coping-now", "professional"), ("coping-now", "leaning people"), ("coping-now", "moving"), ("coping-now", "sleeping"),
        ("coping-now", "seven ways"), ("coping-over-time", "eating"), ("coping-over-time", "stress"),
        ("coping-over-time", "self-awareness"), ("getting-help", "when to seek help"),
        ("questions", "how long"), ("questions", "emotions back"), ("questions", "relationship"),
        ("questions", "numb emotional pain"), ("questions", "trauma"),
        ("what-it-is", "what emotional numbness is"), ("what-it-is", "describe"), ("symptoms", "signs symptoms"),
    ],
)
def test_every_topic_the_issue_lists_has_an_entry(topic, words):
    topics = [e.topic for e in entry_files_parse() if e.slug in _entry_for(words)]
    assert topic in topics, f"an entry about {words!r} under {topic}"


def test_the_seven_ways_to_cope_are_all_on_the_coping_card():
    seven = next(e for e in entry_files_parse() if e.slug == "seven-ways-to-cope")
    assert len(seven.coping_card) == 7
    for way in ("senses", "support group", "used to enjoy", "medication", "therapist", "journal", "alcohol and drugs"):
        assert any(way in line for line in seven.coping_card), way


def test_every_library_topic_has_entries():
    assert {entry.topic for entry in entry_files_parse()} == set(Entry.Topic.values)


def test_no_entry_carries_advertising_or_affiliate_content():
    advertisers = re.compile(r"betterhelp|talkspace|brightside|talkiatry|\$\d|free assessment|sponsored|advertis", re.I)
    assert [path.stem for path in ENTRY_FILES if advertisers.search(path.read_text())] == []


# ----------------------------------------------------------------------------- phone numbers

# Deliberately written apart from resources/phone_numbers.py, so one mistake can't hide in both.
_TEL = re.compile(r"tel:([^\"'\s>]*)", re.I)
_SEPARATED = re.compile(r"(?<![\w/.-])\+?\(?\d{1,4}\)?(?:[ .-]\(?\d{2,4}\)?){2,}(?![\w/-])")
_LONG = re.compile(r"(?<!\d)\d{7,}(?!\d)")
_SHORT_AFTER_CALL = re.compile(r"\b(?:call|text|dial|phone|hotline|line)\b[^0-9\n]{0,25}(\d{3,})", re.I)
_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")


def _site_texts() -> list[Path]:
    """Everything the site shows: templates, library content, scripts, the risk rules' supportive replies."""
    apps = ["platform_site", "accounts", "groups", "moderation", "resources"]
    files = []
    for app in apps:
        for pattern in ("templates/**/*.html", "templates/**/*.txt", "static/**/*.js", "content/*.md", "**/*.toml"):
            files += (ROOT / app).glob(pattern)
    # The content folder's README is for editors, not shown on the site.
    return sorted(path for path in set(files) if path.name != "README.md")


def _numbers_in(text: str) -> set[str]:
    numbers = {re.sub(r"\D", "", m) for m in _TEL.findall(text)}
    numbers |= {re.sub(r"\D", "", m.group(0)) for m in _SEPARATED.finditer(text) if not _DATE.match(m.group(0))}
    numbers |= set(_LONG.findall(text)) | set(_SHORT_AFTER_CALL.findall(text))
    return numbers - {""}


def test_the_scan_would_see_a_wrong_number():
    assert _numbers_in('call <a href="tel:1-800-273-8255">1-800-273-8255</a>') == {"18002738255"}
    assert _numbers_in("text HOME to 741741") == {"741741"}
    assert _numbers_in("dial 112 now") == {"112"}
    assert _numbers_in("reviewed 2026-11-23, 7–9 hours, up to 6 weeks, a 2021 review") == set()


def test_every_phone_number_on_the_site_is_988_or_911():
    files = _site_texts()
    assert len(files) > 50, "the scan must see the site's templates and content"
    found = {path.relative_to(ROOT).as_posix(): _numbers_in(path.read_text()) - {"988", "911"} for path in files}

    assert {path: numbers for path, numbers in found.items() if numbers} == {}


def test_the_loaded_pages_give_only_988_and_911(client, library):
    pages = ["/help/", "/library/", "/library/coping-card/"] + [f"/library/{path.stem}/" for path in ENTRY_FILES]
    found = {}
    for url in pages:
        response = client.get(url)
        assert response.status_code == 200, url
        numbers = _numbers_in(response.content.decode()) - {"988", "911"}
        if numbers:
            found[url] = numbers
    assert found == {}
