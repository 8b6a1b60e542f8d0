"""Searching the library by the words people use.

PostgreSQL ranks with full-text search over a weighted, GIN-indexed document; SQLite (and
PostgreSQL when full-text search finds nothing) uses the portable word search. Both CI
configurations run this file; the tests marked for PostgreSQL run in the second one.
"""
import re

import pytest
from django.db import connection
from django.urls import reverse

from resources.models import Entry
from resources.selectors import entry_search
from tests.resources.factories import EntryFactory


def _slugs(query: str) -> list[str]:
    return [entry.slug for entry in entry_search(query=query)]


def _result_titles(client, query: str) -> list[str]:
    response = client.get(reverse("resources:search"), {"q": query})
    assert response.status_code == 200
    return re.findall(r'class="entry-card-title"><a href="[^"]*">([^<]*)</a>', response.content.decode())


def test_ssri_finds_the_medication_entry_first(library):
    assert _slugs("SSRI")[0] == "medication-and-ssris"


def test_feel_nothing_finds_the_symptoms_entry_first(library):
    assert _slugs("feel nothing")[0] == "signs-and-symptoms"


@pytest.mark.parametrize(
    "query, expected",
    [
        ("can't cry", "signs-and-symptoms"),
        ("can’t cry", "signs-and-symptoms"),
        ("zombie", "how-people-describe-it"),
        ("SSRIs", "medication-and-ssris"),
        ("antidepressants", "medication-and-ssris"),
        ("journaling", "seven-ways-to-cope"),
        ("how long does it last", "how-long-does-numbness-last"),
        ("numb in my relationship", "numb-in-a-relationship"),
        ("I feel nothing at all", "signs-and-symptoms"),
        ("burnout", "fatigue-and-burnout"),
        ("988", "in-an-emergency"),
    ],
)
def test_words_people_use_find_the_right_entry(library, query, expected):
    assert expected in _slugs(query)[:3]


def test_the_search_page_lists_results_best_first(client, library):
    titles = _result_titles(client, "SSRI")

    assert titles[0] == "Medication side effects, including SSRIs"


def test_nothing_found_says_so_and_offers_the_library(client, library):
    response = client.get(reverse("resources:search"), {"q": "xylophone"})
    html = response.content.decode()

    assert response.status_code == 200
    assert "0 entries for “xylophone”" in html
    assert "Nothing matched those words" in html
    assert 'class="entry-card' not in html


def test_an_empty_search_lists_nothing_and_is_not_an_error(client, library):
    response = client.get(reverse("resources:search"), {"q": "   "})

    assert response.status_code == 200
    assert 'class="entry-card' not in response.content.decode()


def test_a_search_of_only_small_words_finds_nothing_rather_than_everything(library):
    assert _slugs("the and of") == []


def test_an_overlong_search_is_refused_with_a_message_and_kept(client, library):
    query = "numb-and-flat " * 20
    response = client.get(reverse("resources:search"), {"q": query})
    html = response.content.decode()

    assert response.status_code == 400
    assert "Searches are at most 200 characters; this one has 279." in html
    assert f'value="{query.strip()}' in html  # what was typed comes back in the box


def test_search_treats_markup_as_text(client, library):
    response = client.get(reverse("resources:search"), {"q": '<script>alert(1)</script>'})
    html = response.content.decode()

    assert "<script>alert(1)</script>" not in html
    assert "&lt;script&gt;" in html


def test_a_title_match_outranks_a_body_match(db):
    EntryFactory(slug="body-only", title="Quiet evenings", summary="Evenings.", body="A lighthouse on the coast.", position=1)
    EntryFactory(slug="in-title", title="The lighthouse", summary="A light.", body="Nothing else here.", position=2)
    _search_documents_refresh()

    assert _slugs("lighthouse") == ["in-title", "body-only"]


def _search_documents_refresh() -> None:
    # EntryFactory writes rows directly; the loader would fill the PostgreSQL document.
    from resources.services import _search_documents_update

    _search_documents_update(list(Entry.objects.values_list("pk", flat=True)))


@pytest.mark.skipif(connection.vendor != "postgresql", reason="PostgreSQL full-text search (CI's second configuration)")
def test_postgres_stores_a_weighted_document_for_every_loaded_entry(library):
    entry = Entry.objects.get(slug="medication-and-ssris")

    assert not Entry.objects.filter(search_document__isnull=True).exists()
    # Title words carry weight A, summary and search words B, body C.
    assert "'ssris':" in str(entry.search_document) or "'ssri':" in str(entry.search_document)
    assert re.search(r"'medic':\d+A", str(entry.search_document))


@pytest.mark.skipif(connection.vendor != "postgresql", reason="PostgreSQL full-text search (CI's second configuration)")
def test_postgres_has_the_gin_index_on_the_search_document(db):
    with connection.cursor() as cursor:
        cursor.execute("SELECT indexdef FROM pg_indexes WHERE indexname = 'resources_entry_search'")
        row = cursor.fetchone()

    assert row is not None and "gin (search_document)" in row[0]


@pytest.mark.skipif(connection.vendor != "postgresql", reason="PostgreSQL full-text search (CI's second configuration)")
def test_postgres_finds_other_forms_of_a_word(library):
    # "journaled" is nowhere in the library; English stemming matches it to "journal".
    assert "seven-ways-to-cope" in _slugs("journaled")[:3]
