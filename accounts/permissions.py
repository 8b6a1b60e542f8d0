"""Who may do what, site-wide. Group roles (member, facilitator) live in groups/."""
from functools import wraps

from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied


def user_is_moderator(user) -> bool:
    return bool(user.is_authenticated and user.is_active and user.is_moderator)


def moderator_required(view_func):
    """Anonymous visitors go to the login page; signed-in non-moderators get 403."""

    @wraps(view_func)
    def wrapper(request, *args, **kwargs):
        if not request.user.is_authenticated:
            return redirect_to_login(request.get_full_path())
        if not user_is_moderator(request.user):
            raise PermissionDenied("Moderators only.")
        return view_func(request, *args, **kwargs)

    return wrapper
