"""Template tags for the caring path's blocks that sit on pages owned by other views."""
from django import template

from moderation import care_selectors

register = template.Library()


@register.simple_tag
def conversations_waiting() -> list:
    """Members waiting for an answer from the team (the dashboard's "Waiting for an answer").

    A tag rather than the dashboard view's context, so the block is one include on the page.
    """
    return care_selectors.conversations_waiting()
