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

    def pre_login(self, request: HttpRequest, user, **kwargs):
        # A suspended member is refused at every way in (password, e-mail link, password reset),
        # with the reason and until when; they stay signed out until the suspension ends.
        from moderation.selectors import suspension_in_force

        suspension = suspension_in_force(user=user)
        if suspension is not None:
            from allauth.account.internal.stagekit import clear_login
            from django.shortcuts import render

            clear_login(request)
            return render(request, "moderation/suspended.html", {"suspension": suspension}, status=403)
        return super().pre_login(request, user, **kwargs)


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
