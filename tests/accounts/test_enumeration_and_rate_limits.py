"""Nobody can learn who is a member from our pages, and password guessing is slowed down.

allauth 65.21 behaviour relied on here:
- With ACCOUNT_PREVENT_ENUMERATION the reset form accepts any address and redirects to the same
  "done" page. ACCOUNT_EMAIL_UNKNOWN_ACCOUNTS (default True) mails an unknown address a note
  that no account exists; that mail has no reset link and goes only to the address typed.
- "login_failed" (10/m/ip, 5/5m/key) is checked in the login form: once the limit for an address
  is used up, the form answers 200 with "Too many failed login attempts", even for the right
  password. "login" (30/m/ip) wraps the whole view and answers HTTP 429.
"""
import pytest
from django.contrib.auth import get_user_model
from django.core import mail
from django.test import Client
from django.urls import reverse

from tests.accounts.helpers import is_signed_in, link_paths_in, login_post, page_without_per_request_tokens
from tests.factories import DEFAULT_PASSWORD, UserFactory

User = get_user_model()

KNOWN = "known.member@example.org"
UNKNOWN = "nobody.here@example.org"
WRONG_CREDENTIALS = "The email address and/or password you specified are not correct."
TOO_MANY_FAILURES = "Too many failed login attempts. Try again later."


@pytest.fixture
def known_member(db):
    return UserFactory(email=KNOWN)


def reset_links(messages) -> list[str]:
    return [
        path
        for message in messages
        for path in link_paths_in(message)
        if path.startswith("/accounts/password/reset/key/")
    ]


def test_password_reset_answers_the_same_for_known_and_unknown_addresses(known_member):
    answers = {}
    for email in (KNOWN, UNKNOWN):
        browser = Client()
        response = browser.post(reverse("account_reset_password"), {"email": email})
        followed = browser.get(response["Location"])
        answers[email] = (response.status_code, response["Location"], followed.status_code,
                          page_without_per_request_tokens(followed))

    assert answers[KNOWN][:3] == (302, reverse("account_reset_password_done"), 200)
    assert answers[KNOWN] == answers[UNKNOWN]
    assert "We have sent you an email." in answers[KNOWN][3]


def test_password_reset_link_is_mailed_only_to_the_known_address(known_member):
    Client().post(reverse("account_reset_password"), {"email": KNOWN})
    Client().post(reverse("account_reset_password"), {"email": UNKNOWN})

    to_known = [message for message in mail.outbox if message.to == [KNOWN]]
    to_unknown = [message for message in mail.outbox if message.to == [UNKNOWN]]
    assert len(to_known) == 1
    assert len(reset_links(to_known)) == 1
    # allauth tells the unknown address that it has no account here, without any reset link.
    assert len(to_unknown) == 1
    assert reset_links(to_unknown) == []
    assert len(mail.outbox) == 2


def test_login_page_answers_the_same_for_unknown_address_and_wrong_password(known_member):
    wrong_password = login_post(Client(), KNOWN, "not the password at all")
    unknown_address = login_post(Client(), UNKNOWN, "not the password at all")

    assert wrong_password.status_code == unknown_address.status_code == 200
    assert WRONG_CREDENTIALS in wrong_password.content.decode()
    assert page_without_per_request_tokens(wrong_password) == page_without_per_request_tokens(
        unknown_address
    ).replace(UNKNOWN, KNOWN)


def test_repeated_wrong_passwords_lock_the_address_even_for_the_right_password(known_member):
    client = Client()
    for attempt in range(5):
        response = login_post(client, KNOWN, f"wrong guess number {attempt}")
        assert WRONG_CREDENTIALS in response.content.decode()

    locked = login_post(client, KNOWN, "wrong guess number 6")
    right_password = login_post(client, KNOWN, DEFAULT_PASSWORD)

    assert locked.status_code == 200
    assert TOO_MANY_FAILURES in locked.content.decode()
    assert right_password.status_code == 200
    assert TOO_MANY_FAILURES in right_password.content.decode()
    assert not is_signed_in(client)
    assert client.get(reverse("accounts:profile")).status_code == 302


def test_locked_address_does_not_lock_out_other_members(known_member, other_member):
    guesser = Client()
    for attempt in range(6):
        login_post(guesser, KNOWN, f"wrong guess number {attempt}")

    response = login_post(Client(), other_member.email, DEFAULT_PASSWORD)

    assert response.status_code == 302
    assert response["Location"] == reverse("accounts:profile")


def test_hammering_the_login_page_gets_http_429(db):
    client = Client()
    statuses = [client.post(reverse("account_login"), {}).status_code for _ in range(31)]

    assert statuses[:30] == [200] * 30
    assert statuses[30] == 429


def test_admin_login_goes_through_allauth_login(db, client):
    response = client.get("/admin/login/")

    assert response.status_code == 302
    assert response["Location"] == f"{reverse('account_login')}?next=%2Fadmin%2Flogin%2F"


def test_admin_index_sends_anonymous_visitor_to_allauth_login_in_the_end(db, client):
    response = client.get("/admin/", follow=True)

    assert response.redirect_chain[-1][0] == f"{reverse('account_login')}?next=%2Fadmin%2F"
    assert response.status_code == 200


def test_admin_login_is_forbidden_to_signed_in_member_who_is_not_staff(auth_client):
    assert auth_client.get("/admin/login/").status_code == 403


def signup_data(email: str, display_name: str) -> dict[str, str]:
    return {
        "email": email,
        "password1": "a calm river passphrase",
        "password2": "a calm river passphrase",
        "display_name": display_name,
        "time_zone": "UTC",
        "accept_guidelines": "on",
    }


def test_signup_with_a_taken_address_answers_like_a_new_signup(known_member):
    answers = {}
    for email, display_name in ((KNOWN, "Still Water"), (UNKNOWN, "Morning Fern")):
        browser = Client()
        response = browser.post(reverse("account_signup"), signup_data(email, display_name))
        followed = browser.get(response["Location"])
        answers[email] = (response.status_code, response["Location"], followed.status_code,
                          page_without_per_request_tokens(followed).replace(email, "ADDRESS"))

    assert answers[KNOWN][:3] == (302, reverse("account_email_verification_sent"), 200)
    assert answers[KNOWN] == answers[UNKNOWN]
    # No second account; the owner of the taken address is told by e-mail, with no link to confirm.
    assert User.objects.filter(email__iexact=KNOWN).count() == 1
    to_known = [message for message in mail.outbox if message.to == [KNOWN]]
    assert len(to_known) == 1
    assert not any("/accounts/confirm-email/" in path for path in link_paths_in(to_known[0]))
