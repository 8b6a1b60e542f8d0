"""The library's pages pass axe-core in headless Chromium: no serious or critical violation.

axe-core is the copy vendored by the axe-playwright-python package (PyPI; no npm, no network at
test time), injected into each page by Playwright.
"""
import pytest
from axe_playwright_python.sync_playwright import Axe
from django.urls import reverse

from resources.services import library_load
from tests.groups.factories import SupportGroupFactory
from tests.support.browser import browser, page  # noqa: F401  (fixtures: Debian's Chromium via Playwright)

# the library's markup and styles, the same on any database: once, on the embedded default (tests/conftest.py).
pytestmark = [pytest.mark.e2e, pytest.mark.client_only, pytest.mark.django_db(transaction=True)]

# WCAG 2.0/2.1 A and AA plus axe's best practices.
AXE_OPTIONS = {"runOnly": {"type": "tag", "values": ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "best-practice"]}}
BLOCKING = {"serious", "critical"}

PAGES = {
    "library home": lambda: reverse("resources:library"),
    "entry": lambda: reverse("resources:entry", kwargs={"slug": "medication-and-ssris"}),
    "search results": lambda: reverse("resources:search") + "?q=feel+nothing",
    "search with an error": lambda: reverse("resources:search") + "?q=" + "x" * 250,
    "coping card": lambda: reverse("resources:coping_card"),
    "crisis page": lambda: reverse("resources:crisis"),
}


@pytest.fixture
def axe() -> Axe:
    return Axe()


def _blocking_violations(results) -> list[str]:
    return [
        f"{violation['id']} ({violation['impact']}): {violation['help']} at "
        + ", ".join(" ".join(node["target"]) for node in violation["nodes"][:5])
        for violation in results.response["violations"]
        if violation["impact"] in BLOCKING
    ]


@pytest.mark.parametrize("name", list(PAGES))
def test_library_page_has_no_serious_accessibility_violation(live_server, page, axe, name):  # noqa: F811
    library_load()
    SupportGroupFactory(name="Flat on meds", focus="antidepressants")

    page.goto(live_server.url + PAGES[name]())
    results = axe.run(page, options=AXE_OPTIONS)

    assert results.response["passes"] or results.response["violations"] is not None
    assert _blocking_violations(results) == [], results.generate_report()
    # The error page answers 400 on purpose; the browser logs that status, nothing else may appear.
    assert [problem for problem in page.problems.all() if "status of 400" not in problem] == []


def test_the_check_does_find_a_violation(live_server, page, axe):  # noqa: F811
    # A page with an unlabeled button and an image without text: axe must object, or the check above
    # proves nothing.
    page.set_content("<html lang='en'><head><title>t</title></head><body><main><button></button><img src='x.png'></main></body></html>")
    results = axe.run(page, options=AXE_OPTIONS)

    assert {"button-name", "image-alt"} <= {violation["id"] for violation in results.response["violations"]}
