"""The one way services emit real-time events.

Only services call `publish_on_commit`, so grepping for it lists every event Thaw emits. An event
is a small dict: `type` is `<entity>.<past-tense verb>` (Channels turns the dot into the name of
the consumer method that handles it), plus ids and exactly the fields every recipient may see.
Group names are made from ids (`session-7`, `moderators`), never from user text.
"""
import logging
from collections.abc import Callable
from typing import Any

from asgiref.sync import async_to_sync
from channels.layers import get_channel_layer
from django.db import transaction

logger = logging.getLogger(__name__)

MODERATORS_GROUP = "moderators"


def session_group_name(session_id: int) -> str:
    return f"session-{int(session_id)}"


def user_group_name(user_id: int) -> str:
    return f"user-{int(user_id)}"


def publish_now_unsafe(group_name: str, event: dict[str, Any]) -> None:
    """Send at once. Unsafe inside a transaction: the event could describe a rollback."""
    if "type" not in event:
        raise ValueError("A real-time event needs a 'type'.")
    channel_layer = get_channel_layer()
    if channel_layer is not None:
        async_to_sync(channel_layer.group_send)(group_name, event)


def publish_on_commit(group_name: str, event: dict[str, Any]) -> None:
    """Send `event` to `group_name` once the current transaction commits (at once outside one)."""
    if "type" not in event:
        raise ValueError("A real-time event needs a 'type'.")
    transaction.on_commit(lambda: _publish_or_log(group_name, event))


def _publish_or_log(group_name: str, event: dict[str, Any]) -> None:
    # The data is committed; a channel layer that is down (Redis) must not turn the member's
    # request into an error page. Live views catch up on reconnect; the event is only a nudge.
    try:
        publish_now_unsafe(group_name, event)
    except Exception:
        logger.warning("real-time event %s to %s not delivered: channel layer unavailable", event["type"], group_name)
        for listener in list(_publish_failure_listeners):
            listener()


# Told (from whichever thread published) whenever an event could not be published: live rooms use
# it to tell their members at once that live chat is paused, rather than looking quiet.
_publish_failure_listeners: list[Callable[[], None]] = []


def publish_failures_listen(listener: Callable[[], None]) -> Callable[[], None]:
    """Call `listener()` after each failed publish; it must be quick and thread-safe. Returns an unsubscribe."""
    _publish_failure_listeners.append(listener)
    return lambda: _publish_failure_listeners.remove(listener)
