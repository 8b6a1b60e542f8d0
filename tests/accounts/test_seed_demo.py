"""`manage.py seed_demo`: three demo people with known passwords, never on a real site."""
import re
import time
from io import StringIO

import pytest
from allauth.account.models import EmailAddress
from allauth.mfa.totp.internal.auth import format_hotp_value, hotp_value
from django.contrib.auth import get_user_model
from django.core.management import CommandError, call_command
from django.test import Client
from django.urls import reverse

from accounts.models import Profile
from tests.accounts.helpers import is_signed_in, login_post

User = get_user_model()

DEMO_EMAILS = {"member@thaw.localhost", "facilitator@thaw.localhost", "moderator@thaw.localhost"}
_PRINTED_ACCOUNT_RE = re.compile(r"^\s*(\w+)\s+(\S+@\S+)\s+password: (\S+)\s*$", re.MULTILINE)
_PRINTED_SECRET_RE = re.compile(r"two-factor secret: ([A-Z2-7]+)")
_PRINTED_CODE_RE = re.compile(r"moderator@thaw\.localhost: (\d{6})$", re.MULTILINE)


def seed(*args) -> str:
    out = StringIO()
    call_command("seed_demo", *args, stdout=out)
    return out.getvalue()


def counts() -> tuple[int, int, int]:
    return User.objects.count(), EmailAddress.objects.count(), Profile.objects.count()


@pytest.fixture
def debug_on(settings):
    settings.DEBUG = True


def test_seed_demo_creates_three_verified_accounts_with_a_moderator(db, debug_on):
    seed()

    users = {user.email: user for user in User.objects.filter(email__in=DEMO_EMAILS)}
    assert users.keys() == DEMO_EMAILS
    for email, user in users.items():
        address = EmailAddress.objects.get(user=user)
        assert (address.email, address.verified, address.primary) == (email, True, True)
        assert user.profile.guidelines_accepted_at is not None
        assert user.is_moderator is (email == "moderator@thaw.localhost")
        assert not user.is_staff
    assert users["moderator@thaw.localhost"].profile.display_name == "Harbour Light"


def test_seed_demo_accounts_sign_in_with_the_printed_passwords(db, debug_on):
    output = seed()

    printed = _PRINTED_ACCOUNT_RE.findall(output)
    assert {email for _role, email, _password in printed} == DEMO_EMAILS
    for role, email, password in printed:
        client = Client()
        response = login_post(client, email, password)
        assert response.status_code == 302, email
        if role == "moderator":
            # The moderator has an authenticator app: the password is only the first step.
            assert response["Location"] == reverse("mfa_authenticate")
            response = client.post(reverse("mfa_authenticate"), {"code": _demo_code()})
        assert response["Location"] == reverse("accounts:profile")
        assert is_signed_in(client)


def _demo_code() -> str:
    out = StringIO()
    call_command("demo_totp_code", stdout=out)
    return _PRINTED_CODE_RE.search(out.getvalue()).group(1)


def test_seed_demo_moderator_signs_in_with_the_printed_secret_and_opens_the_moderation_page(db, debug_on):
    output = seed()
    password = dict((email, password) for _role, email, password in _PRINTED_ACCOUNT_RE.findall(output))[
        "moderator@thaw.localhost"
    ]
    secret = _PRINTED_SECRET_RE.search(output).group(1)
    client = Client()
    login_post(client, "moderator@thaw.localhost", password)
    # A code computed from the printed secret, as an authenticator app would.
    code = format_hotp_value(hotp_value(secret, int(time.time()) // 30))
    client.post(reverse("mfa_authenticate"), {"code": code})

    assert client.get(reverse("moderation:dashboard")).status_code == 200


def test_demo_totp_code_refuses_while_debug_is_off(db, settings):
    settings.DEBUG = False

    with pytest.raises(CommandError, match="DEBUG is off"):
        call_command("demo_totp_code", stdout=StringIO())


def test_seed_demo_twice_creates_nothing_new(db, debug_on):
    seed()
    after_first = counts()

    output = seed()

    assert counts() == after_first == (3, 3, 3)
    assert "already exist" in output
    assert _PRINTED_ACCOUNT_RE.findall(output) == []


def test_seed_demo_refuses_while_debug_is_off(db, settings):
    settings.DEBUG = False

    with pytest.raises(CommandError, match="DEBUG is off"):
        seed()

    assert counts() == (0, 0, 0)


def test_seed_demo_runs_without_debug_only_when_explicitly_allowed(db, settings):
    settings.DEBUG = False

    seed("--allow-without-debug")

    assert set(User.objects.values_list("email", flat=True)) == DEMO_EMAILS
