"""Small helpers for driving allauth's pages the way a browser would."""
import re
from html.parser import HTMLParser
from urllib.parse import urlsplit

from django.core.mail import EmailMessage
from django.http import HttpResponse
from django.test import Client
from django.urls import reverse

_LINK_RE = re.compile(r"https?://\S+")
_CSRF_RE = re.compile(r'name="csrfmiddlewaretoken" value="[^"]*"')
_NONCE_RE = re.compile(r'nonce="[^"]*"')
_HEADER_RE = re.compile(r"<header\b.*?</header>", re.DOTALL)


def login_post(client: Client, email: str, password: str) -> HttpResponse:
    """Sign in through allauth's own login form, as a member would."""
    return client.post(reverse("account_login"), {"login": email, "password": password})


def is_signed_in(client: Client) -> bool:
    return "_auth_user_id" in client.session


def link_paths_in(message: EmailMessage) -> list[str]:
    """The path of every link in an e-mail's body (the host is whatever the request used)."""
    return [urlsplit(url).path for url in _LINK_RE.findall(message.body)]


def page_without_per_request_tokens(response: HttpResponse) -> str:
    """The page's HTML with CSRF tokens and CSP nonces blanked, so two visits can be compared."""
    html = response.content.decode()
    return _NONCE_RE.sub('nonce=""', _CSRF_RE.sub('name="csrfmiddlewaretoken" value=""', html))


def page_header(response: HttpResponse) -> str:
    match = _HEADER_RE.search(response.content.decode())
    assert match, "the page has no <header>"
    return match.group(0)


class _FormOutline(HTMLParser):
    """Collects each <label for=...>'s visible text and the ids of inputs, selects, textareas."""

    def __init__(self):
        super().__init__()
        self.labels: dict[str, str] = {}
        self.label_links: dict[str, list[str]] = {}
        self.control_ids: set[str] = set()
        self._label_for: str | None = None

    def handle_starttag(self, tag, attrs):
        attributes = dict(attrs)
        if tag == "label" and attributes.get("for"):
            self._label_for = attributes["for"]
            self.labels[self._label_for] = ""
            self.label_links[self._label_for] = []
        elif tag == "a" and self._label_for:
            self.label_links[self._label_for].append(attributes.get("href", ""))
        elif tag in ("input", "select", "textarea") and attributes.get("id"):
            self.control_ids.add(attributes["id"])

    def handle_endtag(self, tag):
        if tag == "label":
            self._label_for = None

    def handle_data(self, data):
        if self._label_for:
            self.labels[self._label_for] += data


def form_outline(response: HttpResponse) -> _FormOutline:
    outline = _FormOutline()
    outline.feed(response.content.decode())
    for field_id, text in outline.labels.items():
        outline.labels[field_id] = " ".join(text.split())
    return outline
