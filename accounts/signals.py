"""Hooks into Django's and allauth's account events (STYLE.md: signals only for third-party apps)."""
from allauth.account.signals import password_changed, password_reset, password_set
from django.contrib.auth.signals import user_logged_in

from accounts.sessions import session_label_assign, user_sessions_end


def _label_new_session(sender, request, user, **kwargs) -> None:
    if request is not None and hasattr(request, "session"):
        session_label_assign(session=request.session)


def _end_other_sessions(sender, request, user, **kwargs) -> None:
    # The member changed (or first set) their password here: this browser stays signed in, every
    # other one is signed out, in case the old password was known to someone else.
    user_sessions_end(user=user, keep=getattr(request, "session", None))


def _end_every_session(sender, request, user, **kwargs) -> None:
    # A reset is what someone does when they lost control of the account: no session survives it.
    user_sessions_end(user=user, keep=None)


def connect_session_signals() -> None:
    user_logged_in.connect(_label_new_session, dispatch_uid="thaw-session-label")
    password_changed.connect(_end_other_sessions, dispatch_uid="thaw-password-changed-ends-sessions")
    password_set.connect(_end_other_sessions, dispatch_uid="thaw-password-set-ends-sessions")
    password_reset.connect(_end_every_session, dispatch_uid="thaw-password-reset-ends-sessions")
