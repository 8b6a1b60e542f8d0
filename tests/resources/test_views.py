"""The library's pages: public, by topic, each entry with its source, related entries and groups to
talk in; the printable coping card; the crisis page that nothing may keep from anyone."""
import re

import pytest
from django.urls import URLPattern, reverse

from groups.models import SupportGroup
from resources import urls as resource_urls
from resources.models import Entry
from tests.factories import UserFactory
from tests.groups.factories import MembershipFactory, SupportGroupFactory
from tests.groups.helpers import client_for, script_risks

# Every URL of resources/urls.py and how to call it: all are public pages, read-only.
URL_TABLE = {
    "crisis": {},
    "library": {},
    "search": {},
    "coping_card": {},
    "entry": {"slug": "signs-and-symptoms"},
}


def test_every_resources_url_declares_its_access():
    names = {pattern.name for pattern in resource_urls.urlpatterns if isinstance(pattern, URLPattern)}
    assert names == set(URL_TABLE), "add new library URLs to URL_TABLE with who may use them"


@pytest.mark.parametrize("name", sorted(URL_TABLE))
@pytest.mark.parametrize("who", ["anonymous", "member", "moderator"])
def test_every_library_page_opens_for_everyone_and_only_reads(library, name, who):
    user = {"anonymous": None, "member": UserFactory(), "moderator": UserFactory(is_moderator=True)}[who]
    client = client_for(user)
    url = reverse(f"resources:{name}", kwargs=URL_TABLE[name])

    assert client.get(url).status_code == 200
    assert client.post(url).status_code == 405


def test_the_library_home_lists_every_entry_under_its_topics_in_order(client, library):
    html = client.get(reverse("resources:library")).content.decode()

    headings = re.findall(r'<h2 id="topic-([a-z-]+)">', html)
    assert headings == Entry.Topic.values
    for entry in Entry.objects.all():
        assert entry.get_absolute_url() in html
    assert reverse("resources:coping_card") in html
    assert "ChoosingTherapy.com" in html


def test_an_entry_page_shows_its_text_source_and_related_entries(client, library):
    html = client.get(reverse("resources:entry", kwargs={"slug": "medication-and-ssris"})).content.decode()

    assert "<h1 id=\"entry-title\">Medication side effects, including SSRIs</h1>" in html
    assert "Selective serotonin reuptake inhibitors" in html
    assert "“Emotional Blunting: Symptoms, Causes, &amp; How to Cope”, ChoosingTherapy.com" in html
    assert "an article on emotional numbness from a health publisher" in html
    related = re.search(r'<section class="entry-related".*?</section>', html, re.S).group(0)
    assert reverse("resources:entry", kwargs={"slug": "talking-to-your-doctor"}) in related
    assert "reviewed" in html.lower() and "minute read" in html


def test_an_unknown_entry_is_a_404(client, library):
    assert client.get(reverse("resources:entry", kwargs={"slug": "no-such-entry"})).status_code == 404


def test_entry_text_is_rendered_through_the_sanitizing_pipeline(library):
    for entry in Entry.objects.all():
        assert script_risks(entry.body_html) == []
        assert "<h1" not in entry.body_html


def _talk_section(client, slug: str) -> str:
    html = client.get(reverse("resources:entry", kwargs={"slug": slug})).content.decode()
    return re.search(r'<section class="entry-groups".*?</section>', html, re.S).group(0)


def test_talk_about_this_lists_listed_groups_of_a_matching_focus(client, library):
    SupportGroupFactory(name="Flat on meds", focus=SupportGroup.Focus.ANTIDEPRESSANTS)
    SupportGroupFactory(name="After the storm", focus=SupportGroup.Focus.TRAUMA)

    section = _talk_section(client, "medication-and-ssris")

    assert "Flat on meds" in section
    assert "After the storm" not in section


def test_talk_about_this_never_shows_a_private_group_to_outsiders(library):
    private = SupportGroupFactory(name="Quiet pill circle", focus=SupportGroup.Focus.ANTIDEPRESSANTS, private=True)
    member, outsider = UserFactory(), UserFactory()
    MembershipFactory(group=private, user=member)

    assert "Quiet pill circle" not in _talk_section(client_for(None), "medication-and-ssris")
    assert "Quiet pill circle" not in _talk_section(client_for(outsider), "medication-and-ssris")
    # Its own members may be pointed to it: they can see it anyway.
    assert "Quiet pill circle" in _talk_section(client_for(member), "medication-and-ssris")


def test_talk_about_this_says_so_when_no_group_fits(client, library):
    assert "No group is focused on this yet." in _talk_section(client, "schizophrenia")


def test_the_coping_card_gathers_the_coping_entries_and_the_crisis_lines(client, library):
    html = client.get(reverse("resources:coping_card")).content.decode()

    assert "Aim for 7–9 hours of sleep tonight." in html
    assert "Write in a journal about what is happening, even if I feel little." in html
    assert "Call the suicide hotline: 988." in html
    assert "call 911 and ask for someone trained in mental health" in html
    # The card prints on its own: the print styles hide the site around it.
    assert "/static/resources/library.css" in html
    assert '<section class="coping-card"' in html


def test_the_coping_card_can_hold_just_the_chosen_entries(client, library):
    html = client.get(reverse("resources:coping_card"), {"only": ["sleep-well"]}).content.decode()
    card = re.search(r'<section class="coping-card".*?</section>', html, re.S).group(0)

    assert "Aim for 7–9 hours of sleep tonight." in card
    assert "Take a walk" not in card
    assert "988" in card


def test_the_coping_card_refuses_an_unknown_choice_with_a_message(client, library):
    response = client.get(reverse("resources:coping_card"), {"only": ["no-such-entry"]})

    assert response.status_code == 400
    assert "Select a valid choice" in response.content.decode()


def test_print_styles_hide_the_site_around_the_card():
    from pathlib import Path

    css = (Path(__file__).resolve().parents[2] / "resources/static/resources/library.css").read_text()
    print_rules = css[css.index("@media print"):]
    assert ".site-header, .site-footer" in print_rules and "display: none" in print_rules


def test_every_page_has_the_library_and_help_links(client, library):
    html = client.get(reverse("home")).content.decode()

    assert f'href="{reverse("resources:library")}"' in html
    assert f'href="{reverse("resources:crisis")}"' in html


# ----------------------------------------------------------------------------- the crisis page


def test_the_crisis_page_answers_anonymous_visitors_after_many_rapid_requests(client, db):
    statuses = [client.get(reverse("resources:crisis")).status_code for _ in range(300)]

    assert set(statuses) == {200}


def test_the_crisis_page_answers_a_signed_in_member_after_many_rapid_requests(db):
    client = client_for(UserFactory())

    assert {client.get(reverse("resources:crisis")).status_code for _ in range(150)} == {200}


def test_the_crisis_page_gives_988_and_911_with_cit(client, db):
    html = client.get(reverse("resources:crisis")).content.decode()

    assert 'href="tel:988"' in html and 'href="tel:911"' in html
    assert "Crisis Intervention Training (CIT)" in html
    assert set(re.findall(r'href="tel:([^"]*)"', html)) == {"988", "911"}
