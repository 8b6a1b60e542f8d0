import zoneinfo

from channels.db import database_sync_to_async
from channels.middleware import BaseMiddleware
from django.utils import timezone

from accounts.permissions import moderator_powers_withhold_without_mfa


class UserTimezoneMiddleware:
    """Show every time in the signed-in member's own time zone."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        time_zone = None
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated:
            profile = getattr(user, "profile", None)
            time_zone = profile.time_zone if profile else None
        if time_zone:
            try:
                timezone.activate(zoneinfo.ZoneInfo(time_zone))
            except zoneinfo.ZoneInfoNotFoundError:
                timezone.deactivate()
        else:
            timezone.deactivate()
        return self.get_response(request)


class ModeratorSecondFactorMiddleware:
    """Moderator powers need the second factor in this session, on every page (not only the tools)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        moderator_powers_withhold_without_mfa(request.user, request.session)
        return self.get_response(request)


class ModeratorSecondFactorSocketMiddleware(BaseMiddleware):
    """The same for WebSockets: inside the auth middleware, so scope["user"] is known."""

    async def __call__(self, scope, receive, send):
        user, session = scope.get("user"), scope.get("session")
        if user is not None and session is not None:
            await database_sync_to_async(moderator_powers_withhold_without_mfa)(user, session)
        return await super().__call__(scope, receive, send)
