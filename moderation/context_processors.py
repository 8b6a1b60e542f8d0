from django.http import HttpRequest

from accounts.permissions import user_is_moderator


def moderation_badge(request: HttpRequest) -> dict:
    """On every page a moderator sees: the number of open crisis items, for the badge in the header
    (kept live by the moderation feed). One COUNT query, for moderators only."""
    user = getattr(request, "user", None)
    if user is None or not user_is_moderator(user):
        return {}
    from moderation.services import open_crisis_count

    return {"open_crisis_count": open_crisis_count()}
