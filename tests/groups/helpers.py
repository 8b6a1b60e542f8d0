"""Shared helpers for the groups tests and others: signed-in clients, page reading, HTML safety
checks. The groups table's world is in tests/support/worlds/groups.py."""
import re
from html.parser import HTMLParser

from django.contrib.messages import get_messages
from django.http import HttpResponse
from django.test import Client
from django.urls import reverse

from tests.factories import UserFactory, sign_in

LOGIN_URL = reverse("account_login")


def text_of(response: HttpResponse) -> str:
    return response.content.decode()


def messages_of(response: HttpResponse) -> list[str]:
    """The flash messages the view queued (shown on the next page)."""
    return [str(message) for message in get_messages(response.wsgi_request)]


def is_login_redirect(response: HttpResponse) -> bool:
    return response.status_code == 302 and response["Location"].startswith(f"{LOGIN_URL}?next=")


def user_named(name: str):
    """A member whose display name is `name` (set directly: hostile names skip the form's checks)."""
    from accounts.display_names import display_name_key

    from accounts.models import Profile

    # SQLite ignores a column's length and PostgreSQL refuses the row: fail the same way on both.
    limit = Profile._meta.get_field("display_name").max_length
    assert len(name) <= limit, f"display names are at most {limit} characters: {name!r}"
    user = UserFactory()
    user.profile.display_name = name
    user.profile.display_name_key = display_name_key(name) or name
    user.profile.save()
    return user


def client_for(user) -> Client:
    client = Client()
    if user is not None:
        sign_in(client, user)  # moderators also give their second factor
    return client


# ----------------------------------------------------------------------------- HTML safety


# The one script the site itself loads (base.html): same-origin, with the CSP nonce.
_SITE_SCRIPT_SRC = "/static/platform_site/js/thaw.js"
_URL_ATTRIBUTES = {"href", "src", "action", "formaction", "xlink:href", "data", "poster", "srcset"}


class _DangerFinder(HTMLParser):
    """Parses a page as a browser would tokenise it and lists anything that could run script."""

    def __init__(self, site_drawn: tuple[str, ...] = ()):
        super().__init__(convert_charrefs=True)
        self.problems: list[str] = []
        self.site_drawn = site_drawn

    def handle_starttag(self, tag, attrs):
        self._check(tag, attrs)

    def handle_startendtag(self, tag, attrs):
        self._check(tag, attrs)

    def _check(self, tag, attrs):
        attributes = dict(attrs)
        if tag == "script" and attributes.get("src") != _SITE_SCRIPT_SRC:
            self.problems.append(f"<script> that is not the site's own: {attrs}")
        if tag in ("iframe", "object", "embed", "svg", "math", "img", "style", "base") and tag not in self.site_drawn:
            # None of these is in the site's templates or in nh3's allow-list.
            self.problems.append(f"<{tag}> from user content: {attrs}")
        for name, value in attrs:
            if re.fullmatch(r"on\w+", name):
                self.problems.append(f"event handler attribute {name}= on <{tag}>")
            if name in _URL_ATTRIBUTES and value:
                scheme = re.sub(r"[\s\x00-\x1f]", "", value).lower()
                if scheme.startswith(("javascript:", "data:", "vbscript:")):
                    self.problems.append(f"{name}={value!r} on <{tag}>")


def script_risks(html: str, site_drawn: tuple[str, ...] = ()) -> list[str]:
    """Everything in `html` that would let user text run script; empty when the page is safe.

    `site_drawn` names tags the page itself draws (the overview's SVG charts): still checked for
    event handlers and script URLs, not refused outright.
    """
    finder = _DangerFinder(site_drawn)
    finder.feed(html)
    finder.close()
    problems = list(finder.problems)
    # Belt and braces on the raw text, in case a parser quirk hid a tag from the parser above.
    script_tags = re.findall(r"<script\b[^>]*>", html, flags=re.IGNORECASE)
    problems += [f"raw {tag}" for tag in script_tags if _SITE_SCRIPT_SRC not in tag]
    problems += [f"raw {m}" for m in re.findall(r"<[a-z][^<>]*\son\w+\s*=", html, flags=re.IGNORECASE)
                 if not _inside_quoted_attribute(m)]
    return problems


def _inside_quoted_attribute(fragment: str) -> bool:
    # `<input value="... onerror=...">` is text inside an attribute value, not an attribute: an odd
    # number of quotes before the match means we are inside a quoted value.
    before = fragment[: re.search(r"\son\w+\s*=", fragment).start()]
    return before.count('"') % 2 == 1 or before.count("'") % 2 == 1
