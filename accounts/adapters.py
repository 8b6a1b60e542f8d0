"""How allauth behaves for Thaw (ACCOUNT_ADAPTER)."""
from allauth.account.adapter import DefaultAccountAdapter
from django.http import HttpRequest
from django.urls import reverse


class AccountAdapter(DefaultAccountAdapter):
    def get_login_redirect_url(self, request: HttpRequest) -> str:
        # Someone who signed up before choosing a display name finishes that first.
        user = request.user
        if user.is_authenticated and not hasattr(user, "profile"):
            return reverse("accounts:profile_edit")
        return super().get_login_redirect_url(request)

    def get_signup_redirect_url(self, request: HttpRequest) -> str:
        return reverse("accounts:profile")
