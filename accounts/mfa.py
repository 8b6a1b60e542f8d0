"""Two-factor authentication hooks on top of allauth.mfa."""
from allauth.account.internal.flows.login import record_authentication
from allauth.mfa.models import Authenticator
from allauth.mfa.signals import authenticator_added


def _record_code_given_at_activation(sender, request, user, authenticator: Authenticator, **kwargs) -> None:
    # Activating the app means typing a valid code from it: that proves the second factor for
    # this session as much as a code at sign-in does, so a moderator who has just set it up goes
    # straight back to work instead of being asked for another code.
    if request is None or authenticator.type != Authenticator.Type.TOTP:
        return
    record_authentication(request, user, "mfa", id=authenticator.pk, type=authenticator.type, activated=True)


def connect_mfa_signals() -> None:
    authenticator_added.connect(_record_code_given_at_activation, dispatch_uid="thaw-mfa-activation-counts")
