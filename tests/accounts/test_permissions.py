"""Who may open which page: anonymous visitors, members, moderators."""
import pytest
from django.urls import reverse

MODERATION_URL = reverse("moderation:dashboard")
PROFILE_URL = reverse("accounts:profile")


def test_moderation_sends_anonymous_visitor_to_login(db, client):
    response = client.get(MODERATION_URL)

    assert response.status_code == 302
    assert response["Location"] == f"{reverse('account_login')}?next={MODERATION_URL}"


def test_moderation_is_forbidden_to_members(auth_client):
    assert auth_client.get(MODERATION_URL).status_code == 403


def test_moderation_opens_for_moderators(moderator_client):
    response = moderator_client.get(MODERATION_URL)

    assert response.status_code == 200
    assert f'href="{MODERATION_URL}"' in response.content.decode()  # the header shows the way in


def test_members_header_has_no_moderation_link(auth_client):
    response = auth_client.get(PROFILE_URL)

    assert response.status_code == 200
    assert f'href="{MODERATION_URL}"' not in response.content.decode()


@pytest.mark.parametrize(
    "url",
    [
        PROFILE_URL,
        reverse("accounts:profile_edit"),
        reverse("accounts:data_export"),
        reverse("accounts:account_delete"),
    ],
)
def test_own_account_pages_send_anonymous_visitor_to_login(db, client, url):
    response = client.get(url)

    assert response.status_code == 302
    assert response["Location"] == f"{reverse('account_login')}?next={url}"
