"""Showing the crisis panel to an author right after they post something that sounds unsafe.

The decision is the rule layer's, made in the saving request (moderation.services.risk); the
panel travels through the session to the page the author is redirected to.
"""
from django.http import HttpRequest

SESSION_KEY = "thaw_crisis_panel"


def crisis_panel_show_if_due(request: HttpRequest, content) -> None:
    if getattr(content, "crisis_panel_due", False):
        request.session[SESSION_KEY] = True


def crisis_panel(request: HttpRequest) -> dict:
    """Context processor: the panel shows once, on the next page rendered."""
    session = getattr(request, "session", None)
    if session is None or SESSION_KEY not in session:
        return {}
    return {"show_crisis_panel": session.pop(SESSION_KEY, False)}
