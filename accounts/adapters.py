"""How allauth behaves for Thaw (ACCOUNT_ADAPTER, MFA_ADAPTER)."""
from allauth.account.adapter import DefaultAccountAdapter
from allauth.mfa.adapter import DefaultMFAAdapter
from allauth.mfa.models import Authenticator
from django.http import HttpRequest
from django.urls import reverse
from django.utils.translation import gettext_lazy as _


class AccountAdapter(DefaultAccountAdapter):
    def get_login_redirect_url(self, request: HttpRequest) -> str:
        # Someone who signed up before choosing a display name finishes that first.
        user = request.user
        if user.is_authenticated and not hasattr(user, "profile"):
            return reverse("accounts:profile_edit")
        return super().get_login_redirect_url(request)

    def get_signup_redirect_url(self, request: HttpRequest) -> str:
        return reverse("accounts:profile")


class MFAAdapter(DefaultMFAAdapter):
    error_messages = {
        **DefaultMFAAdapter.error_messages,
        "cannot_delete_authenticator": _(
            "Moderators keep two-factor authentication on: moderator tools need it. To turn it off, "
            "ask an administrator to remove your moderator role first."
        ),
    }

    def can_delete_authenticator(self, authenticator: Authenticator) -> bool:
        # A moderator without an app would be locked out of their own tools at the next page.
        if authenticator.type == Authenticator.Type.TOTP and authenticator.user.is_moderator:
            return False
        return super().can_delete_authenticator(authenticator)
