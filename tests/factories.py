import time
from types import SimpleNamespace

import factory
from allauth.account.internal.flows.login import record_authentication
from allauth.account.models import EmailAddress
from allauth.mfa.models import Authenticator
from allauth.mfa.totp.internal.auth import TOTP, format_hotp_value, generate_totp_secret, hotp_value
from django.contrib.auth import get_user_model
from django.test import Client
from django.utils import timezone

from accounts.display_names import display_name_key
from accounts.models import Profile

DEFAULT_PASSWORD = "a calm test passphrase"


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = get_user_model()
        skip_postgeneration_save = True

    email = factory.Sequence(lambda n: f"person{n}@example.org")
    password = factory.django.Password(DEFAULT_PASSWORD)
    is_moderator = False

    @factory.post_generation
    def verified_email(user, create, extracted, **kwargs):
        if create and extracted is not False:
            EmailAddress.objects.create(user=user, email=user.email, verified=True, primary=True)

    @factory.post_generation
    def with_profile(user, create, extracted, **kwargs):
        if create and extracted is not False:
            ProfileFactory(user=user)

    @factory.post_generation
    def totp(user, create, extracted, **kwargs):
        """Moderators have an authenticator app unless `totp=False` (moderator tools require one)."""
        if create and user.is_moderator and extracted is not False:
            totp_activate(user)


def totp_activate(user, secret: str | None = None) -> Authenticator:
    return TOTP.activate(user, secret or generate_totp_secret()).instance


def totp_code(secret: str) -> str:
    """The code an authenticator app shows now for `secret`."""
    return format_hotp_value(hotp_value(secret, int(time.time()) // 30))


def sign_in(client: Client, user, *, with_mfa: bool = True) -> Client:
    """force_login, and when the user has an authenticator app (every moderator from UserFactory),
    record in the session that they also gave a code, as allauth does at a two-step sign-in.
    `with_mfa=False` is a password-only session: moderator tools ask for a code."""
    client.force_login(user)
    authenticator = Authenticator.objects.filter(user=user, type=Authenticator.Type.TOTP).first()
    if with_mfa and authenticator is not None:
        session = client.session
        request = SimpleNamespace(session=session)
        record_authentication(request, user, "password", email=user.email)
        record_authentication(request, user, "mfa", id=authenticator.pk, type=authenticator.type)
        session.save()
    return client


class ProfileFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Profile

    user = factory.SubFactory(UserFactory, with_profile=False)
    display_name = factory.Sequence(lambda n: f"Gentle Member {n}")
    display_name_key = factory.LazyAttribute(lambda profile: display_name_key(profile.display_name))
    time_zone = "UTC"
    guidelines_accepted_at = factory.LazyFunction(timezone.now)
