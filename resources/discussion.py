"""Where "talk about this in a group" finds its groups.

The library stands alone: it does not import the groups app. Groups registers a finder in its
AppConfig.ready() (as apps register their personal data with accounts), and an entry page lists
whatever the finders return for that entry and viewer. With no finder, the section is simply empty.
"""
from collections.abc import Callable
from dataclasses import dataclass


@dataclass(frozen=True)
class DiscussionPlace:
    name: str
    url: str
    description: str = ""


Finder = Callable[..., list[DiscussionPlace]]

_finders: dict[str, Finder] = {}


def discussion_finder_register(*, name: str, finder: Finder) -> None:
    """Register (or re-register, on autoreload) `finder(*, entry, viewer) -> list[DiscussionPlace]`.

    A finder must return only places the viewer may see."""
    _finders[name] = finder


def discussion_places_for(*, entry, viewer) -> list[DiscussionPlace]:
    places: list[DiscussionPlace] = []
    for finder in _finders.values():
        places.extend(finder(entry=entry, viewer=viewer))
    return places
