"""Two-factor authentication: TOTP with recovery codes, asked for at the next sign-in."""
import time

import pytest
from allauth.mfa.models import Authenticator
from allauth.mfa.recovery_codes.internal.auth import RecoveryCodes
from allauth.mfa.totp.internal.auth import format_hotp_value, hotp_value
from django.urls import reverse

from tests.factories import DEFAULT_PASSWORD


def _current_code(secret: str) -> str:
    return format_hotp_value(hotp_value(secret, int(time.time()) // 30))


def _sign_in(client, user):
    return client.post(reverse("account_login"), {"login": user.email, "password": DEFAULT_PASSWORD})


@pytest.mark.django_db
def test_member_turns_on_totp_and_next_sign_in_asks_for_a_code(client, member):
    _sign_in(client, member)
    # Security settings ask for the password again, even right after signing in.
    assert client.get(reverse("mfa_activate_totp")).url.startswith(reverse("account_reauthenticate"))
    client.post(reverse("account_reauthenticate"), {"password": DEFAULT_PASSWORD})
    activate_page = client.get(reverse("mfa_activate_totp"))
    assert activate_page.status_code == 200
    secret = activate_page.context["form"].secret

    wrong = client.post(reverse("mfa_activate_totp"), {"code": "000000" if _current_code(secret) != "000000" else "111111"})
    assert wrong.status_code == 200
    assert not Authenticator.objects.filter(user=member, type=Authenticator.Type.TOTP).exists()

    client.post(reverse("mfa_activate_totp"), {"code": _current_code(secret)})
    assert Authenticator.objects.filter(user=member, type=Authenticator.Type.TOTP).exists()
    recovery = Authenticator.objects.get(user=member, type=Authenticator.Type.RECOVERY_CODES)
    codes = RecoveryCodes(recovery).get_unused_codes()
    assert len(codes) >= 8

    client.post(reverse("account_logout"))
    response = _sign_in(client, member)
    assert response.status_code == 302
    assert response.url == reverse("mfa_authenticate")
    # Not signed in until the second factor is given.
    assert client.get(reverse("accounts:profile")).status_code == 302

    response = client.post(reverse("mfa_authenticate"), {"code": codes[0]})
    assert response.status_code == 302
    assert client.get(reverse("accounts:profile")).status_code == 200
    # A recovery code works once only.
    assert codes[0] not in RecoveryCodes(Authenticator.objects.get(pk=recovery.pk)).get_unused_codes()
