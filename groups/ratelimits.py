"""Posting limits, kept in the cache (Redis when REDIS_URL is set, so every web node shares them)."""
import logging
from dataclasses import dataclass
from datetime import timedelta

from django.http import HttpRequest
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django_ratelimit.core import get_usage

logger = logging.getLogger(__name__)

NEW_ACCOUNT_AGE = timedelta(days=1)
POST_RATE = "6/m"
NEW_ACCOUNT_POST_RATE = "3/10m"


@dataclass(frozen=True)
class PostingLimitReached:
    """The member is over their posting rate: which one, and how long until they may post again."""

    new_account: bool
    wait_seconds: int

    @property
    def explanation(self) -> str:
        if self.new_account:
            rule = _("In an account's first day, Thaw takes up to 3 posts every 10 minutes.")
        else:
            rule = _("Thaw takes up to 6 posts a minute.")
        return " ".join([
            _("You are posting faster than we allow right now."), rule,
            _("You can post again in %(wait)s; your text is still here.") % {"wait": wait_phrase(self.wait_seconds)},
        ])


def wait_phrase(seconds: int) -> str:
    """"about 40 seconds", "about 7 minutes": a wait as a person would say it."""
    if seconds < 60:
        seconds = max(seconds, 1)
        return ngettext("about %(n)d second", "about %(n)d seconds", seconds) % {"n": seconds}
    minutes = -(-seconds // 60)
    return ngettext("about %(n)d minute", "about %(n)d minutes", minutes) % {"n": minutes}


def _is_new_account(request: HttpRequest) -> bool:
    return timezone.now() - request.user.date_joined < NEW_ACCOUNT_AGE


def _post_rate(group: str, request: HttpRequest) -> str:
    # New accounts write their first posts more slowly: it blunts spam without shutting anyone out.
    return NEW_ACCOUNT_POST_RATE if _is_new_account(request) else POST_RATE


def _user_key(group: str, request: HttpRequest) -> str:
    return str(request.user.pk)


def posting_rate_limited(request: HttpRequest) -> PostingLimitReached | None:
    """Count this attempt; if the member is over their posting rate, say which and for how long.

    If the cache (Redis) is down the limit is not enforced: a member in crisis must still be able
    to post and see the crisis panel; a flood is the lesser harm, and moderators can mute.
    """
    try:
        usage = get_usage(request, group="forum-post", key=_user_key, rate=_post_rate, method="POST", increment=True)
    except Exception:  # redis-py's errors; any of them means the limit cannot be counted now
        logger.warning("posting rate limit not counted: the cache is unavailable")
        return None
    if usage is None or not usage["should_limit"]:
        return None
    if usage["limit"] == 0 and usage["time_left"] == -1:  # django-ratelimit's "the cache gave no count"
        logger.warning("posting rate limit not counted: the cache gave no count")
        return None
    return PostingLimitReached(new_account=_is_new_account(request), wait_seconds=max(int(usage["time_left"]), 1))
