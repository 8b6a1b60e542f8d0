"""`manage.py load_resources`: idempotent, updates changed entries, removes deleted ones, reports,
and refuses a wrong file without writing anything."""
from io import StringIO

import pytest
from django.core.management import CommandError, call_command

from groups.resource_links import LibraryAttachment
from resources.models import Entry
from resources.services import CONTENT_DIR, LibraryContentError, library_load
from tests.groups.factories import SupportGroupFactory

ENTRY_COUNT = len([path for path in CONTENT_DIR.glob("*.md") if path.name != "README.md"])


def _load(folder, *args) -> str:
    out = StringIO()
    call_command("load_resources", "--path", str(folder), *args, stdout=out)
    return out.getvalue()


def _snapshot() -> dict:
    return {entry.slug: (entry.pk, entry.updated_at, entry.content_hash) for entry in Entry.objects.all()}


def _edit(path, old: str, new: str) -> None:
    text = path.read_text()
    assert old in text
    path.write_text(text.replace(old, new, 1))


def test_first_load_adds_every_entry_and_says_so(db, content_copy):
    output = _load(content_copy)

    assert Entry.objects.count() == ENTRY_COUNT
    assert f"Library: {ENTRY_COUNT} added, 0 updated, 0 removed, 0 unchanged." in output
    assert "added    medication-and-ssris" in output


def test_loading_twice_changes_nothing_the_second_time(db, content_copy):
    _load(content_copy)
    before = _snapshot()
    related_before = sorted(Entry.related.through.objects.values_list("pk", "from_entry", "to_entry"))

    output = _load(content_copy)

    assert f"Library: 0 added, 0 updated, 0 removed, {ENTRY_COUNT} unchanged." in output
    assert _snapshot() == before
    assert sorted(Entry.related.through.objects.values_list("pk", "from_entry", "to_entry")) == related_before


def test_a_changed_file_updates_its_entry_only(db, content_copy):
    _load(content_copy)
    before = _snapshot()
    _edit(content_copy / "sleep-well.md", "title: Sleeping well", "title: Sleeping well, night by night")

    output = _load(content_copy)

    assert "Library: 0 added, 1 updated, 0 removed" in output
    assert "updated  sleep-well" in output
    entry = Entry.objects.get(slug="sleep-well")
    assert entry.title == "Sleeping well, night by night"
    assert entry.pk == before["sleep-well"][0] and entry.updated_at > before["sleep-well"][1]
    after = _snapshot()
    assert {slug: row for slug, row in after.items() if slug != "sleep-well"} == {
        slug: row for slug, row in before.items() if slug != "sleep-well"
    }


def test_a_changed_body_is_rendered_again(db, content_copy):
    _load(content_copy)
    _edit(content_copy / "sleep-well.md", "## How much", "## How much sleep")

    _load(content_copy)

    assert "<h2>How much sleep</h2>" in Entry.objects.get(slug="sleep-well").body_html


def test_a_removed_file_removes_its_entry_and_what_pointed_at_it(db, content_copy):
    _load(content_copy)
    group = SupportGroupFactory()
    LibraryAttachment.objects.create(group=group, entry=Entry.objects.get(slug="balanced-diet"))
    (content_copy / "balanced-diet.md").unlink()
    for path in content_copy.glob("*.md"):
        text = path.read_text()
        if "balanced-diet" in text:  # entries that link or relate to it must let go too
            text = text.replace("balanced-diet, ", "").replace(", balanced-diet", "")
            text = text.replace("[a balanced diet](/library/balanced-diet/)", "a balanced diet")
            path.write_text(text)

    output = _load(content_copy)

    assert "removed  balanced-diet" in output
    assert "with the removed entries went 1 × support_groups.LibraryAttachment" in output
    assert not Entry.objects.filter(slug="balanced-diet").exists()
    assert not LibraryAttachment.objects.exists()
    assert Entry.objects.count() == ENTRY_COUNT - 1


def test_a_new_file_is_added(db, content_copy):
    _load(content_copy)
    text = (content_copy / "sleep-well.md").read_text()
    (content_copy / "rest-days.md").write_text(text.replace("slug: sleep-well", "slug: rest-days"))

    output = _load(content_copy)

    assert "Library: 1 added, 0 updated, 0 removed" in output
    assert Entry.objects.filter(slug="rest-days").exists()


def test_dry_run_reports_and_writes_nothing(db, content_copy):
    output = _load(content_copy, "--dry-run")

    assert f"{ENTRY_COUNT} added" in output and "dry run" in output
    assert not Entry.objects.exists()


@pytest.mark.parametrize(
    "old, new, problem",
    [
        ("source:\n", "source:\n  - title: Some other article\n    publisher: Elsewhere\n",
         "“Some other article” (Elsewhere) is not one of the library's articles"),
        ("reading_time: 1 min", "reading_time: 9 min", "`reading_time` says 9 min but the text reads in about 1 min"),
        ("## How much", "Call 1-800-555-0199 tonight.\n\n## How much", "phone numbers other than 988 and 911: 18005550199"),
        ("slug: sleep-well", "slug: sleeping", "`slug` “sleeping” must match the file name “sleep-well”"),
        ("topic: coping-now", "topic: nonsense", "`topic` “nonsense” is not one of"),
        ("related: [", "related: [no-such-entry, ", "`related` entry “no-such-entry” has no file"),
        ("tags: [coping, sleep]", "tags: [coping, sleep]\ncolour: blue", "unknown front matter (a typo?): colour"),
        ("## How much", "# How much", "use `##` for sections"),
    ],
    ids=["foreign-source", "reading-time", "phone-number", "slug", "topic", "related", "unknown-key", "heading"],
)
def test_a_wrong_file_is_refused_with_a_clear_message_and_nothing_changes(db, content_copy, old, new, problem):
    _load(content_copy)
    before = _snapshot()
    _edit(content_copy / "sleep-well.md", old, new)

    with pytest.raises(CommandError) as error:
        _load(content_copy)

    assert "The library was not changed" in str(error.value)
    assert "sleep-well.md" in str(error.value) and problem in str(error.value)
    assert _snapshot() == before


def test_invalid_yaml_names_the_file(db, content_copy):
    (content_copy / "broken.md").write_text("---\ntitle: [unclosed\n---\nText.\n")

    with pytest.raises(LibraryContentError) as error:
        library_load(content_dir=content_copy)

    assert error.value.problems[0].startswith("broken.md: the front matter is not valid YAML")
    assert not Entry.objects.exists()


def test_a_missing_folder_is_an_error(db, tmp_path):
    with pytest.raises(CommandError, match="no such folder"):
        _load(tmp_path / "nowhere")


def test_the_default_folder_is_the_shipped_content(db):
    out = StringIO()
    call_command("load_resources", stdout=out)

    assert Entry.objects.count() == ENTRY_COUNT


def test_the_demo_loads_the_library(db, settings):
    settings.DEBUG = True
    call_command("seed_demo", stdout=StringIO())

    assert Entry.objects.count() == ENTRY_COUNT
