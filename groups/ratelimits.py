"""Posting limits, kept in the cache (Redis when REDIS_URL is set, so every web node shares them)."""
import logging
from datetime import timedelta

from django.http import HttpRequest
from django.utils import timezone
from django_ratelimit.core import is_ratelimited

logger = logging.getLogger(__name__)

NEW_ACCOUNT_AGE = timedelta(days=1)
POST_RATE = "6/m"
NEW_ACCOUNT_POST_RATE = "3/10m"


def _post_rate(group: str, request: HttpRequest) -> str:
    # New accounts write their first posts more slowly: it blunts spam without shutting anyone out.
    if timezone.now() - request.user.date_joined < NEW_ACCOUNT_AGE:
        return NEW_ACCOUNT_POST_RATE
    return POST_RATE


def _user_key(group: str, request: HttpRequest) -> str:
    return str(request.user.pk)


def posting_rate_limited(request: HttpRequest) -> bool:
    """Count this attempt and say whether the member is over their posting rate.

    If the cache (Redis) is down the limit is not enforced: a member in crisis must still be able
    to post and see the crisis panel; a flood is the lesser harm, and moderators can mute.
    """
    try:
        return is_ratelimited(request, group="forum-post", key=_user_key, rate=_post_rate, method="POST", increment=True)
    except Exception:  # redis-py's errors; any of them means the limit cannot be counted now
        logger.warning("posting rate limit not counted: the cache is unavailable")
        return False
