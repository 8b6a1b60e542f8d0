"""A member's safety plan: theirs alone to read and change, seen by moderators only when shared."""
import re

import pytest
from django.contrib.auth.models import AnonymousUser
from django.core.exceptions import PermissionDenied, ValidationError
from django.test import Client
from django.urls import reverse

from accounts.models import SafetyPlan
from accounts.safety_plan import safety_plan_for_moderator, safety_plan_get, safety_plan_update
from accounts.services import user_data_export
from tests.factories import DEFAULT_PASSWORD, UserFactory

PLAN_URL = reverse("accounts:safety_plan")
CRISIS_URL = reverse("resources:crisis")

A_PLAN = {
    "warning_signs": "I stop answering messages and feel like I am behind glass.",
    "coping_strategies": "Cold water on my face, a walk round the block.",
    "distractions": "The library on Elm Street; my cousin's kitchen.",
    "people_to_ask": "My sister Ana.",
    "professionals": "My therapist, Tuesdays.",
    "safer_surroundings": "Ask Ana to keep my pills at her place.",
    "reasons_for_living": "My dog Biscuit. Seeing the sea again.",
}


def plan_form(**changes) -> dict:
    """The page's form as a browser posts it: every section, the checkbox only when ticked."""
    data = {**A_PLAN, **changes}
    if data.get("shared_with_moderators") is False:
        del data["shared_with_moderators"]
    return data


@pytest.fixture
def member_plan(member) -> SafetyPlan:
    return safety_plan_update(user=member, data=A_PLAN)


@pytest.fixture
def shared_plan(member) -> SafetyPlan:
    return safety_plan_update(user=member, data={**A_PLAN, "shared_with_moderators": True})


# The member's own page


def test_member_saves_their_plan_and_sees_it_on_their_page(auth_client, member):
    response = auth_client.post(PLAN_URL, plan_form())

    assert response.status_code == 302
    assert response["Location"] == PLAN_URL
    page = auth_client.get(PLAN_URL).content.decode()
    assert "Your safety plan is saved. Only you can see it." in page
    assert "My dog Biscuit. Seeing the sea again." in page
    plan = SafetyPlan.objects.get(user=member)
    assert {field: getattr(plan, field) for field in A_PLAN} == A_PLAN
    assert plan.shared_with_moderators is False


def test_saving_again_changes_the_one_plan_a_member_has(auth_client, member, member_plan):
    auth_client.post(PLAN_URL, plan_form(warning_signs="Sleeping all day."))

    assert SafetyPlan.objects.filter(user=member).count() == 1
    member_plan.refresh_from_db()
    assert member_plan.warning_signs == "Sleeping all day."
    assert member_plan.reasons_for_living == A_PLAN["reasons_for_living"]


def test_sharing_is_off_until_the_member_ticks_it_and_off_again_when_unticked(auth_client, member):
    page = auth_client.get(PLAN_URL).content.decode()
    checkbox = re.search(r'<input type="checkbox" name="shared_with_moderators"[^>]*>', page).group(0)
    assert "checked" not in checkbox

    response = auth_client.post(PLAN_URL, plan_form(shared_with_moderators="on"), follow=True)
    assert SafetyPlan.objects.get(user=member).shared_with_moderators is True
    assert "Thaw moderators can read it if they are worried about you." in response.content.decode()

    auth_client.post(PLAN_URL, plan_form(shared_with_moderators=False))
    assert SafetyPlan.objects.get(user=member).shared_with_moderators is False


def test_a_member_who_has_no_plan_yet_gets_an_empty_form(auth_client, member):
    response = auth_client.get(PLAN_URL)

    assert response.status_code == 200
    assert response.context["plan"] is None
    assert not SafetyPlan.objects.filter(user=member).exists()


def test_oversized_section_is_refused_with_the_typed_text_kept(auth_client, member):
    typed = ("I go quiet and stop eating. " * 80)[:2001]

    response = auth_client.post(PLAN_URL, plan_form(warning_signs=typed, coping_strategies="A long walk."))

    assert response.status_code == 200
    page = response.content.decode()
    assert "Please keep this part to 2000 characters or fewer (it has 2001 now)." in page
    assert typed in page
    assert "A long walk." in page
    assert 'aria-invalid="true"' in page
    assert not SafetyPlan.objects.filter(user=member).exists()


def test_line_breaks_from_the_browser_count_as_one_character(auth_client, member):
    # 2,000 characters in the page; 2,001 as sent, because browsers send "\r\n".
    typed = "a" * 999 + "\r\n" + "b" * 1000

    response = auth_client.post(PLAN_URL, plan_form(warning_signs=typed))

    assert response.status_code == 302
    assert SafetyPlan.objects.get(user=member).warning_signs == "a" * 999 + "\n" + "b" * 1000


def test_plan_text_is_shown_as_text_never_run_as_html(auth_client, member):
    auth_client.post(PLAN_URL, plan_form(warning_signs='<script>alert("hi")</script>'))

    page = auth_client.get(PLAN_URL).content.decode()

    assert "&lt;script&gt;alert(&quot;hi&quot;)&lt;/script&gt;" in page
    assert '<script>alert("hi")' not in page


@pytest.mark.parametrize("method", ["get", "post"])
def test_plan_page_is_never_kept_in_a_cache(auth_client, method):
    response = getattr(auth_client, method)(PLAN_URL, plan_form(warning_signs="x" * 2001) if method == "post" else None)

    assert response.status_code == 200
    cache_control = response["Cache-Control"]
    assert "no-cache" in cache_control
    assert "no-store" in cache_control
    assert "private" in cache_control


def test_plan_page_offers_988_and_911_and_the_crisis_page_and_no_other_number(auth_client):
    page = auth_client.get(PLAN_URL).content.decode()

    assert "call the suicide hotline at <strong>988</strong>" in page
    assert "CIT" in page
    assert f'href="{CRISIS_URL}"' in page
    numbers = re.findall(r'href="(?:tel|sms):([^"]*)"', page)
    assert set(numbers) == {"988", "911"}


def test_plan_post_without_csrf_token_is_refused(member):
    client = Client(enforce_csrf_checks=True)
    client.force_login(member)

    refused = client.post(PLAN_URL, plan_form())

    assert refused.status_code == 403
    assert not SafetyPlan.objects.filter(user=member).exists()
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', client.get(PLAN_URL).content.decode()).group(1)
    accepted = client.post(PLAN_URL, {**plan_form(), "csrfmiddlewaretoken": token})
    assert accepted.status_code == 302
    assert SafetyPlan.objects.filter(user=member).exists()


@pytest.mark.parametrize("method", ["get", "post"])
def test_plan_page_sends_anonymous_visitor_to_login(db, client, method):
    response = getattr(client, method)(PLAN_URL)

    assert response.status_code == 302
    assert response["Location"] == f"{reverse('account_login')}?next={PLAN_URL}"
    assert not SafetyPlan.objects.exists()


def test_profile_page_and_menu_link_to_the_plan(auth_client):
    page = auth_client.get(reverse("accounts:profile")).content.decode()

    # The menu, the profile itself, and the crisis panel kept ready for drafts.
    assert page.count(f'href="{PLAN_URL}"') == 3


# Nobody else


def test_another_member_sees_only_their_own_empty_plan(member_plan, other_member, client_for):
    response = client_for(other_member).get(PLAN_URL)

    assert response.status_code == 200
    page = response.content.decode()
    for text in A_PLAN.values():
        assert text not in page
    assert safety_plan_get(user=other_member) is None
    assert safety_plan_get(user=AnonymousUser()) is None


def test_another_member_cannot_read_a_shared_plan_through_the_moderator_selector(shared_plan, member, other_member):
    with pytest.raises(PermissionDenied):
        safety_plan_for_moderator(moderator=other_member, member=member)


def test_a_member_is_not_a_moderator_of_their_own_plan(shared_plan, member):
    with pytest.raises(PermissionDenied):
        safety_plan_for_moderator(moderator=member, member=member)


def test_moderator_reads_a_plan_only_while_it_is_shared(member_plan, member, moderator):
    assert safety_plan_for_moderator(moderator=moderator, member=member) is None

    safety_plan_update(user=member, data={"shared_with_moderators": True})
    assert safety_plan_for_moderator(moderator=moderator, member=member) == member_plan

    safety_plan_update(user=member, data={"shared_with_moderators": False})
    assert safety_plan_for_moderator(moderator=moderator, member=member) is None


def test_moderator_cannot_tell_an_unshared_plan_from_no_plan(member_plan, member, other_member, moderator):
    assert safety_plan_for_moderator(moderator=moderator, member=member) is None
    assert safety_plan_for_moderator(moderator=moderator, member=other_member) is None


def test_deactivated_moderator_is_refused(shared_plan, member):
    former_moderator = UserFactory(is_moderator=True, is_active=False)

    with pytest.raises(PermissionDenied):
        safety_plan_for_moderator(moderator=former_moderator, member=member)


def test_moderator_page_shows_nothing_of_the_members_plan(shared_plan, moderator_client):
    # The moderator's own plan page is their own: there is no URL to anyone else's plan here.
    page = moderator_client.get(PLAN_URL).content.decode()

    for text in A_PLAN.values():
        assert text not in page


# The service


def test_plan_update_refuses_an_oversized_section_and_saves_nothing(member):
    with pytest.raises(ValidationError) as error:
        safety_plan_update(user=member, data={"reasons_for_living": "x" * 2001})

    assert "reasons_for_living" in error.value.message_dict
    assert not SafetyPlan.objects.filter(user=member).exists()


def test_plan_update_leaves_out_sections_it_was_not_given(member, member_plan):
    safety_plan_update(user=member, data={"people_to_ask": "My neighbour Jo."})

    member_plan.refresh_from_db()
    assert member_plan.people_to_ask == "My neighbour Jo."
    assert member_plan.warning_signs == A_PLAN["warning_signs"]


@pytest.mark.parametrize("field", ["user", "user_id", "id", "updated_at"])
def test_plan_update_refuses_fields_it_does_not_edit(member, other_member, field):
    with pytest.raises(ValueError):
        safety_plan_update(user=member, data={field: other_member, "warning_signs": "x"})

    assert not SafetyPlan.objects.exists()


def test_plan_never_names_its_words_in_its_string(member_plan, member):
    assert str(member_plan) == f"safety plan of user #{member.pk}"


# Data rights


def test_export_contains_the_whole_plan(shared_plan, member):
    exported = user_data_export(user=member)["data"]["safety_plan"]

    assert exported == {**A_PLAN, "shared_with_moderators": True, "updated_at": shared_plan.updated_at.isoformat()}


def test_export_of_a_member_without_a_plan_says_so_and_holds_no_one_elses(member_plan, other_member):
    exported = user_data_export(user=other_member)["data"]

    assert exported["safety_plan"] is None
    assert A_PLAN["warning_signs"] not in repr(exported)


@pytest.mark.parametrize("choice", ["keep", "remove"])
def test_account_deletion_removes_the_plan_whatever_the_member_keeps(auth_client, member, member_plan, choice):
    other_plan = safety_plan_update(user=UserFactory(), data={"warning_signs": "Someone else's words."})

    response = auth_client.post(reverse("accounts:account_delete"), {"password": DEFAULT_PASSWORD, "contributions": choice})

    assert response.status_code == 200
    assert not SafetyPlan.objects.filter(user_id=member.pk).exists()
    assert not SafetyPlan.objects.filter(warning_signs=A_PLAN["warning_signs"]).exists()
    assert SafetyPlan.objects.filter(pk=other_plan.pk).exists()
