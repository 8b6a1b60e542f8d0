from typing import Any

from django.contrib.auth import get_user_model

from accounts.models import Profile

User = get_user_model()


def profile_get_for_user(*, user) -> Profile | None:
    if not user.is_authenticated:
        return None
    return Profile.objects.filter(user=user).first()


def account_data_export(user) -> dict[str, Any]:
    from allauth.account.models import EmailAddress
    from allauth.mfa.models import Authenticator

    return {
        "email_addresses": [
            {"email": address.email, "verified": address.verified, "primary": address.primary}
            for address in EmailAddress.objects.filter(user=user).order_by("pk")
        ],
        "date_joined": user.date_joined.isoformat(),
        "last_login": user.last_login.isoformat() if user.last_login else None,
        "two_factor_methods": sorted(
            Authenticator.objects.filter(user=user).values_list("type", flat=True)
        ),
    }


def profile_data_export(user) -> dict[str, Any] | None:
    profile = Profile.objects.filter(user=user).first()
    if profile is None:
        return None
    return {
        "display_name": profile.display_name,
        "pronouns": profile.pronouns,
        "time_zone": profile.time_zone,
        "guidelines_accepted_at": (
            profile.guidelines_accepted_at.isoformat() if profile.guidelines_accepted_at else None
        ),
        "created_at": profile.created_at.isoformat(),
    }


def display_name_is_taken(*, key: str, exclude_profile: Profile | None = None) -> bool:
    taken = Profile.objects.filter(display_name_key=key)
    if exclude_profile is not None and exclude_profile.pk:
        taken = taken.exclude(pk=exclude_profile.pk)
    return taken.exists()


def notifications_data_export(user) -> list[dict[str, Any]]:
    from accounts.models import Notification

    return [
        {"message": n.message, "url": n.url, "created_at": n.created_at.isoformat(), "read": n.read_at is not None}
        for n in Notification.objects.filter(recipient=user).order_by("created_at")
    ]
