"""Everything that changes accounts and profiles."""
import logging
from dataclasses import dataclass, replace
from typing import Any

from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from accounts.display_names import display_name_key, display_name_validate
from accounts.models import Profile
from accounts.personal_data import personal_data_owners
from accounts.selectors import display_name_is_taken

logger = logging.getLogger(__name__)
User = get_user_model()

EXPORT_FORMAT_VERSION = 1
DISPLAY_NAME_TAKEN_MESSAGE = gettext_lazy(
    "Someone already uses this name (or one that looks the same). Please choose another."
)


def display_name_clean(*, display_name: str, profile: Profile | None) -> tuple[str, str]:
    """The normalised name and its uniqueness key, or ValidationError saying why it is refused."""
    name = display_name_validate(display_name)
    key = display_name_key(name)
    if display_name_is_taken(key=key, exclude_profile=profile):
        raise ValidationError(DISPLAY_NAME_TAKEN_MESSAGE, code="taken")
    return name, key


def _save_profile(profile: Profile, **save_kwargs) -> Profile:
    try:
        with transaction.atomic():
            profile.save(**save_kwargs)
    except IntegrityError as error:
        # Two people choosing the same name at the same moment: the database decides.
        raise ValidationError({"display_name": DISPLAY_NAME_TAKEN_MESSAGE}) from error
    return profile


def profile_create(
    *, user, display_name: str, time_zone: str = "UTC", pronouns: str = "", guidelines_accepted: bool
) -> Profile:
    if not guidelines_accepted:
        raise ValidationError({"accept_guidelines": _("Please read and accept the community guidelines.")})
    name, key = display_name_clean(display_name=display_name, profile=None)
    profile = Profile(
        user=user,
        display_name=name,
        display_name_key=key,
        time_zone=time_zone,
        pronouns=pronouns.strip(),
        guidelines_accepted_at=timezone.now(),
    )
    profile.full_clean(exclude=["user", "display_name_key"])
    return _save_profile(profile)


def profile_update(*, profile: Profile, display_name: str, time_zone: str, pronouns: str = "") -> Profile:
    name, key = display_name_clean(display_name=display_name, profile=profile)
    profile.display_name = name
    profile.display_name_key = key
    profile.time_zone = time_zone
    profile.pronouns = pronouns.strip()
    profile.full_clean(exclude=["user", "display_name_key"])
    return _save_profile(
        profile, update_fields=["display_name", "display_name_key", "time_zone", "pronouns", "updated_at"]
    )


def profile_notification_settings_update(*, profile: Profile, email_digest: bool) -> Profile:
    profile.email_digest = email_digest
    profile.save(update_fields=["email_digest", "updated_at"])
    return profile


def user_data_export(*, user) -> dict[str, Any]:
    """Everything Thaw holds about `user`, by section, as registered by each app."""
    sections = {owner.name: owner.export(user) for owner in personal_data_owners()}
    return {
        "format_version": EXPORT_FORMAT_VERSION,
        "exported_at": timezone.now().isoformat(),
        "data": sections,
    }


def account_delete(*, user, keep_contributions: bool) -> None:
    """Erase the member: each app erases or detaches its data, then the user row goes.

    The e-mail addresses, profile and MFA devices cascade with the user row. Content kept by
    choice stays, attributed to "a former member".
    """
    user_id = user.pk
    with transaction.atomic():
        for owner in personal_data_owners():
            if owner.erase is not None:
                owner.erase(user, keep_contributions)
        user.delete()
    logger.info("account deleted: user_id=%s keep_contributions=%s", user_id, keep_contributions)


@dataclass(frozen=True)
class DemoAccount:
    role: str
    email: str
    password: str
    display_name: str
    is_moderator: bool = False
    # Moderator tools need an authenticator app; the demo moderator's secret is public, like the
    # passwords (add it to any authenticator app, or run `manage.py demo_totp_code`).
    totp_secret: str = ""
    created: bool = False
    user: Any = None


DEMO_ACCOUNTS = (
    DemoAccount(role="member", email="member@thaw.localhost", password="thaw-demo-member", display_name="Quiet River"),
    DemoAccount(
        role="facilitator", email="facilitator@thaw.localhost", password="thaw-demo-facilitator", display_name="Morning Fern"
    ),
    DemoAccount(
        role="moderator",
        email="moderator@thaw.localhost",
        password="thaw-demo-moderator",
        display_name="Harbour Light",
        is_moderator=True,
        totp_secret="THAWDEMOMODERATORTOTPSECRETABCDE",
    ),
)


def demo_accounts_ensure() -> list[DemoAccount]:
    """Create the demo accounts that are missing, with verified e-mail, a profile and, for the
    moderator, an authenticator app with the demo secret."""
    from allauth.account.models import EmailAddress
    from allauth.mfa.models import Authenticator
    from allauth.mfa.totp.internal.auth import TOTP

    results = []
    with transaction.atomic():
        for demo in DEMO_ACCOUNTS:
            user = User.objects.filter(email__iexact=demo.email).first()
            created = user is None
            if created:
                user = User.objects.create_user(email=demo.email, password=demo.password, is_moderator=demo.is_moderator)
                EmailAddress.objects.create(user=user, email=demo.email, verified=True, primary=True)
                profile_create(user=user, display_name=demo.display_name, guidelines_accepted=True)
            if demo.totp_secret and not Authenticator.objects.filter(user=user, type=Authenticator.Type.TOTP).exists():
                TOTP.activate(user, demo.totp_secret)
            results.append(replace(demo, created=created, user=user))
    return results
