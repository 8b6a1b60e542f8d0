"""A member can download everything Thaw holds about them, and can delete their account.

The export is wrapped in allauth's reauthentication_required. In allauth 65.21 only a record
marked "reauthenticated" (made by the reauthenticate page, or by an MFA step) counts as recent:
signing in with a password does not, so a member who just signed in is asked for their
password once more, and the suspended POST is then replayed and answers with the file.
"""
import json

import pytest
from allauth.account.models import EmailAddress
from allauth.mfa.models import Authenticator
from django.contrib.auth import get_user_model
from django.db import connection
from django.test import Client
from django.urls import reverse

from accounts import personal_data
from accounts.models import Profile
from tests.accounts.helpers import is_signed_in, login_post
from tests.factories import DEFAULT_PASSWORD

User = get_user_model()

EXPORT_URL = reverse("accounts:data_export")
DELETE_URL = reverse("accounts:account_delete")
REAUTHENTICATE_URL = reverse("account_reauthenticate")


@pytest.fixture
def signed_in(member) -> Client:
    """The member, signed in through the login form as in a browser."""
    member.profile.time_zone = "Asia/Tokyo"
    member.profile.save()
    client = Client()
    response = login_post(client, member.email, DEFAULT_PASSWORD)
    assert response.status_code == 302
    return client


@pytest.fixture
def registry_section():
    """Registers a 'journal' section like another app would; leaves the registry as it was."""
    saved = dict(personal_data._owners)
    calls = []

    def export(user):
        return {"entries": [f"journal of member {user.pk}"]}

    def erase(user, keep_contributions):
        calls.append(
            {
                "user_pk": user.pk,
                "keep_contributions": keep_contributions,
                "user_row_present": User.objects.filter(pk=user.pk).exists(),
            }
        )

    personal_data.personal_data_register(name="journal", export=export, erase=erase)
    yield calls
    personal_data._owners.clear()
    personal_data._owners.update(saved)


def download(client: Client):
    """POST the export; answer allauth's password prompt; return the final response."""
    response = client.post(EXPORT_URL)
    assert response.status_code == 302
    assert response["Location"].startswith(REAUTHENTICATE_URL)
    return client.post(response["Location"], {"password": DEFAULT_PASSWORD})


def test_export_asks_for_password_again_then_downloads_json_attachment(signed_in, member):
    prompt = signed_in.post(EXPORT_URL)

    assert prompt.status_code == 302
    assert prompt["Location"] == f"{REAUTHENTICATE_URL}?next=%2Fme%2Fdata%2Fexport%2F"

    response = signed_in.post(prompt["Location"], {"password": DEFAULT_PASSWORD})

    assert response.status_code == 200
    assert response["Content-Type"] == "application/json; charset=utf-8"
    assert response["Content-Disposition"].startswith('attachment; filename="thaw-my-data-')
    assert response["Content-Disposition"].endswith('.json"')
    assert response["Cache-Control"] == "no-store"
    data = json.loads(response.content)["data"]
    assert data["account"]["email_addresses"] == [{"email": member.email, "verified": True, "primary": True}]
    assert data["profile"]["display_name"] == member.profile.display_name
    assert data["profile"]["time_zone"] == "Asia/Tokyo"


def test_export_contains_nothing_of_another_member(signed_in, other_member):
    response = download(signed_in)

    assert response.status_code == 200
    assert other_member.email.encode() not in response.content
    assert other_member.profile.display_name.encode() not in response.content


def test_export_right_after_reauthenticating_needs_no_second_prompt(signed_in):
    download(signed_in)

    response = signed_in.post(EXPORT_URL)

    assert response.status_code == 200
    assert response["Content-Type"] == "application/json; charset=utf-8"


def test_export_with_wrong_password_at_the_prompt_gives_no_file(signed_in, member):
    prompt = signed_in.post(EXPORT_URL)

    response = signed_in.post(prompt["Location"], {"password": "not my password at all"})

    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/html")
    assert "Incorrect password." in response.content.decode()
    assert member.email.encode() not in response.content


def test_export_sends_anonymous_visitor_to_login(db, client):
    response = client.post(EXPORT_URL)

    assert response.status_code == 302
    assert response["Location"] == f"{reverse('account_login')}?next={EXPORT_URL}"


def test_registered_section_appears_in_the_export(registry_section, signed_in, member):
    response = download(signed_in)

    data = json.loads(response.content)["data"]
    assert data["journal"] == {"entries": [f"journal of member {member.pk}"]}
    assert {"account", "profile"} <= data.keys()


@pytest.mark.parametrize(("choice", "keep_contributions"), [("keep", True), ("remove", False)])
def test_deletion_asks_each_registered_section_to_erase_with_the_members_choice(
    registry_section, auth_client, member, choice, keep_contributions
):
    response = auth_client.post(DELETE_URL, {"password": DEFAULT_PASSWORD, "contributions": choice})

    assert response.status_code == 200
    assert registry_section == [
        {"user_pk": member.pk, "keep_contributions": keep_contributions, "user_row_present": True}
    ]
    assert not User.objects.filter(pk=member.pk).exists()


def test_deletion_with_wrong_password_is_refused_and_deletes_nothing(auth_client, member):
    response = auth_client.post(DELETE_URL, {"password": "not my password at all", "contributions": "remove"})

    assert response.status_code == 200
    assert "That password is not right. Nothing has been deleted." in response.content.decode()
    assert User.objects.filter(pk=member.pk).exists()
    assert Profile.objects.filter(user=member).exists()
    assert EmailAddress.objects.filter(user=member).exists()
    assert auth_client.get(reverse("accounts:profile")).status_code == 200


def table_text(table: str) -> str:
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT * FROM {connection.ops.quote_name(table)}")  # noqa: S608 - fixed names
        return "\n".join(" | ".join(str(value) for value in row) for row in cursor.fetchall())


def test_deletion_removes_the_member_everywhere_and_signs_them_out(auth_client, member, other_member):
    email, display_name = member.email, member.profile.display_name
    Authenticator.objects.create(user=member, type=Authenticator.Type.RECOVERY_CODES, data={"seed": "x"})

    response = auth_client.post(DELETE_URL, {"password": DEFAULT_PASSWORD, "contributions": "remove"})

    assert response.status_code == 200
    assert "Your account is deleted" in response.content.decode()
    assert not User.objects.filter(pk=member.pk).exists()
    assert not Profile.objects.filter(user_id=member.pk).exists()
    assert not EmailAddress.objects.filter(user_id=member.pk).exists()
    assert not Authenticator.objects.filter(user_id=member.pk).exists()
    stored = {table: table_text(table) for table in ("accounts_user", "accounts_profile", "account_emailaddress")}
    for table, text in stored.items():
        assert email not in text, table
        assert display_name not in text, table
    # The other member is untouched, so the search above really looked at stored rows.
    assert other_member.email in stored["accounts_user"]
    assert other_member.profile.display_name in stored["accounts_profile"]
    assert not is_signed_in(auth_client)
    assert auth_client.get(reverse("accounts:profile")).status_code == 302


def test_deleted_member_cannot_sign_in_again(auth_client, member):
    auth_client.post(DELETE_URL, {"password": DEFAULT_PASSWORD, "contributions": "remove"})

    response = login_post(Client(), member.email, DEFAULT_PASSWORD)

    assert response.status_code == 200
    assert "are not correct" in response.content.decode()


@pytest.mark.parametrize("method", ["get", "post"])
def test_deletion_sends_anonymous_visitor_to_login(db, client, method):
    response = getattr(client, method)(DELETE_URL)

    assert response.status_code == 302
    assert response["Location"] == f"{reverse('account_login')}?next={DELETE_URL}"


def test_guessing_the_password_on_the_deletion_form_is_rate_limited(member):
    client = Client()
    login_post(client, member.email, DEFAULT_PASSWORD)
    for _ in range(5):
        wrong = client.post(reverse("accounts:account_delete"), {"password": "not my password", "contributions": "remove"})
        assert "That password is not right" in wrong.content.decode()
    # Even the right password is refused now, and nothing is deleted.
    response = client.post(reverse("accounts:account_delete"), {"password": DEFAULT_PASSWORD, "contributions": "remove"})
    assert response.status_code == 200
    assert "Too many failed login attempts" in response.content.decode()
    assert get_user_model().objects.filter(pk=member.pk).exists()
