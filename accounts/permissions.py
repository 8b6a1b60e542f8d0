"""Who may do what, site-wide. Group roles (member, facilitator) live in groups/.

Moderators see crisis cases, safety plans shared with the team and every group's reports, so their
tools need a second factor: an activated authenticator app, used in the current session.
"""
from enum import Enum
from functools import wraps
from types import SimpleNamespace

from allauth.account.authentication import get_authentication_records
from allauth.account.internal.flows.reauthentication import suspend_request
from allauth.mfa.models import Authenticator
from allauth.mfa.utils import is_mfa_enabled
from django.contrib import messages
from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.translation import gettext as _


def user_is_moderator(user) -> bool:
    """Whether `user` may use a moderator's powers now: a moderator whose session has not seen their
    second factor keeps a member's powers only (see moderator_powers_withhold_without_mfa)."""
    return bool(
        user.is_authenticated and user.is_active and user.is_moderator
        and not getattr(user, "moderator_powers_withheld", False)
    )


def _is_moderator_account(user) -> bool:
    return bool(user.is_authenticated and user.is_active and user.is_moderator)


class ModeratorMFA(Enum):
    READY = "ready"
    NEEDS_SETUP = "needs_setup"  # no authenticator app yet
    NEEDS_CODE = "needs_code"  # has one, but this session was opened without it


def moderator_mfa_status(user, session) -> ModeratorMFA:
    """Whether `user` may use moderator tools in `session` as far as the second factor goes.

    allauth keeps, per session, the list of ways the person proved who they are ("password",
    "mfa", ...), tied to the user id. A code given at sign-in, at re-authentication or while
    activating the app all count; a session that only ever saw the password does not (for
    example one opened before the app was added in another browser).
    """
    if not is_mfa_enabled(user, [Authenticator.Type.TOTP]):
        return ModeratorMFA.NEEDS_SETUP
    records = get_authentication_records(SimpleNamespace(session=session), user)
    if any(record.get("method") == "mfa" for record in records):
        return ModeratorMFA.READY
    return ModeratorMFA.NEEDS_CODE


def moderator_powers_withhold_without_mfa(user, session) -> None:
    """Mark a moderator whose session lacks the second factor, for this request or socket only.

    Every moderator power (reading any group's forum, entering any room, moderator tools) then
    waits until they give a code: the tools send them to do so; elsewhere they act as a member.
    Call from sync code (it reads the database), once per request or socket.
    """
    if _is_moderator_account(user) and moderator_mfa_status(user, session) is not ModeratorMFA.READY:
        user.moderator_powers_withheld = True


def moderator_required(view_func):
    """Anonymous visitors go to the login page; signed-in non-moderators get 403; moderators
    without two-factor authentication in this session are sent to set it up or to give a code."""

    @wraps(view_func)
    def wrapper(request, *args, **kwargs):
        if not request.user.is_authenticated:
            return redirect_to_login(request.get_full_path())
        if not _is_moderator_account(request.user):
            raise PermissionDenied("Moderators only.")
        status = moderator_mfa_status(request.user, request.session)
        if status is ModeratorMFA.NEEDS_SETUP:
            messages.warning(
                request,
                _(
                    "Moderator tools need two-factor authentication. Set up an authenticator app "
                    "here, keep your recovery codes somewhere safe, then open Moderation again."
                ),
            )
            return redirect("mfa_activate_totp")
        if status is ModeratorMFA.NEEDS_CODE:
            messages.info(
                request,
                _("Moderator tools need two-factor authentication: enter a code from your authenticator app to go on."),
            )
            # allauth's own re-authentication flow: it brings the moderator back here afterwards
            # and replays a suspended POST, so nothing typed into a moderator form is lost.
            return suspend_request(request, reverse("mfa_reauthenticate"))
        return view_func(request, *args, **kwargs)

    return wrapper


def moderator_socket_refusal(user, session) -> dict[str, str] | None:
    """Why a signed-in user may not open the moderators' socket, as an error frame's code and
    detail; None when they may. Call from sync code (it reads the database)."""
    if not _is_moderator_account(user):
        return {"code": "forbidden", "detail": "Moderators only."}
    if moderator_mfa_status(user, session) is not ModeratorMFA.READY:
        return {
            "code": "mfa_required",
            "detail": "Moderator tools need two-factor authentication: reload the page to set it up or enter a code.",
        }
    return None
