"""The library and the crisis page. All public: no sign-in, and nothing here is rate limited."""
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_GET

from resources import selectors
from resources.discussion import discussion_places_for
from resources.forms import CopingCardForm, SearchForm
from resources.sources import SOURCES


@require_GET
def crisis(request: HttpRequest) -> HttpResponse:
    """The crisis page: no login, no rate limit, nothing that could keep someone from it."""
    return render(request, "resources/crisis.html")


@require_GET
def library_home(request: HttpRequest) -> HttpResponse:
    return render(
        request,
        "resources/library_home.html",
        {"sections": selectors.entry_sections_by_topic(), "search_form": SearchForm(), "sources": SOURCES.values()},
    )


@require_GET
def entry_detail(request: HttpRequest, slug: str) -> HttpResponse:
    entry = selectors.entry_get(slug=slug)
    return render(
        request,
        "resources/entry_detail.html",
        {
            "entry": entry,
            "related": selectors.entry_list_related(entry=entry),
            "places": discussion_places_for(entry=entry, viewer=request.user),
        },
    )


@require_GET
def search(request: HttpRequest) -> HttpResponse:
    form = SearchForm(request.GET or None)
    results = None
    if form.is_valid() and form.cleaned_data["q"].strip():
        results = selectors.entry_search(query=form.cleaned_data["q"])
    # A too-long query is shown back with its error; nothing typed is lost.
    status = 400 if form.is_bound and not form.is_valid() else 200
    return render(request, "resources/search.html", {"form": form, "results": results}, status=status)


@require_GET
def coping_card(request: HttpRequest) -> HttpResponse:
    entries = selectors.entry_list_coping()
    form = CopingCardForm(request.GET or None, entries=entries)
    chosen = entries
    if form.is_valid() and form.cleaned_data["only"]:
        wanted = set(form.cleaned_data["only"])
        chosen = [entry for entry in entries if entry.slug in wanted]
    status = 400 if form.is_bound and not form.is_valid() else 200
    sources = [SOURCES[key] for key in SOURCES if any(key in entry.sources for entry in chosen)]
    return render(
        request, "resources/coping_card.html", {"form": form, "entries": chosen, "sources": sources}, status=status
    )
