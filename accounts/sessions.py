"""Ending a member's sessions when their password changes, and their open sockets with them.

Django already refuses a session whose stored password hash no longer matches, but only at that
session's next request: an open WebSocket on another browser would keep talking. So after a
password change (the current session kept) or a reset (none kept) we delete the other sessions and
publish `account.sessions_ended` to `user-<id>`; every socket checks whether its own session is one
that stays, and closes if not (the same path a suspension takes).

A session is recognised by a random label stored in it at login: the session key itself changes
when the current session is kept (update_session_auth_hash cycles it), the label does not, and
the label is no credential, so it may travel through the channel layer.
"""
import secrets

from django.contrib.sessions.models import Session
from django.db import transaction
from django.utils import timezone

from platform_site.realtime import publish_on_commit, user_group_name

SESSION_LABEL_KEY = "thaw_session_label"


def session_label_assign(*, session) -> str:
    """Give a freshly signed-in session its label (a new one at every login)."""
    session[SESSION_LABEL_KEY] = secrets.token_urlsafe(16)
    return session[SESSION_LABEL_KEY]


def user_sessions_end(*, user, keep=None) -> int:
    """End every stored session of `user` except `keep` (a session object, or None for all), and
    close the sockets of the ended ones once this commits. Returns how many sessions ended."""
    kept_key = getattr(keep, "session_key", None)
    kept_labels = [keep[SESSION_LABEL_KEY]] if keep is not None and SESSION_LABEL_KEY in keep else []
    with transaction.atomic():
        # Database sessions store the user id only inside the encoded data: one pass over the live ones.
        ended = [
            session.session_key
            for session in Session.objects.filter(expire_date__gt=timezone.now()).exclude(session_key=kept_key).iterator()
            if str(session.get_decoded().get("_auth_user_id")) == str(user.pk)
        ]
        Session.objects.filter(session_key__in=ended).delete()
        publish_on_commit(
            user_group_name(user.pk), {"type": "account.sessions_ended", "user_id": user.pk, "keep": kept_labels}
        )
    return len(ended)


def socket_session_ended(session, event: dict) -> bool:
    """Whether a socket opened with `session` must close after `event` (account.sessions_ended).
    Call from sync code: reading the session may load it from the database."""
    label = session.get(SESSION_LABEL_KEY) if session is not None else None
    return label is None or label not in event.get("keep", [])
