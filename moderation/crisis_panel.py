"""Showing the crisis panel to a writer right after they post something that sounds unsafe.

The decision is the full assessor's, made in the saving request (moderation.services.risk); the
panel travels through the session to the page the writer is redirected to, where it is drawn at
the top of the content, scrolled to and focused (the redirect's fragment names it; thaw.js moves
the focus). A refused post shows it on the refusal page itself.
"""
from django.http import HttpRequest

SESSION_KEY = "thaw_crisis_panel"
# The panel's element id on every page: tests and outside checks look for it.
CRISIS_PANEL_ANCHOR = "crisis-panel"


def crisis_panel_show_if_due(request: HttpRequest, content) -> bool:
    """Remember to show the panel on the next page if `content` was rated a crisis."""
    due = bool(getattr(content, "crisis_panel_due", False))
    if due:
        request.session[SESSION_KEY] = True
    return due


def crisis_panel(request: HttpRequest) -> dict:
    """Context processor: the panel shows once, on the next page rendered, and takes the focus."""
    session = getattr(request, "session", None)
    if session is None or SESSION_KEY not in session:
        return {}
    due = session.pop(SESSION_KEY, False)
    return {"show_crisis_panel": due, "crisis_panel_focus": due}
