"""What every hostile-text test asserts about the pages and e-mails it gathered.

A helper module, not a test module: pytest does not rewrite its asserts, so each one says what failed.
"""
import re

from django.core import mail
from django.http import HttpResponse
from django.utils.html import escape

from tests.groups.helpers import script_risks, text_of
from tests.hostile.xss_corpus import MARK


# Scripts two pages of the site load besides base.html's: the live room's code and its texts
# (json_script escapes every "<", so nothing inside can close the element early), and the coping card's.
_PAGE_SCRIPTS = re.compile(
    r'<script nonce="[^"]+" src="/static/(?:groups/room|resources/library)\.js" defer></script>'
    r'|<script id="room-texts" type="application/json">[^<]*</script>'
)


def assert_pages_run_no_script(
    pages: dict[str, HttpResponse], site_drawn: dict[str, tuple[str, ...]] | None = None, own_scripts: tuple[str, ...] = ()
) -> None:
    """Every page answered (a refused form comes back as 400 with what was typed) and none can run script.

    `site_drawn` as for script_risks, by page; `own_scripts` names the pages (the live room, the coping
    card) that load a script of the site's own besides base.html's.
    """
    site_drawn = site_drawn or {}
    unanswered = {name: r.status_code for name, r in pages.items() if r.status_code not in (200, 400)}
    assert not unanswered, f"pages that did not answer: {unanswered}"
    html = {name: _PAGE_SCRIPTS.sub("", text_of(r)) if name in own_scripts else text_of(r) for name, r in pages.items()}
    risks = {name: script_risks(page, site_drawn.get(name, ())) for name, page in html.items()}
    risky = {name: found for name, found in risks.items() if found}
    assert not risky, f"pages that could run script: {risky}"


def assert_pages_show(pages: dict[str, HttpResponse], shown: dict[str, list[str]]) -> None:
    """The words reached each page as text people can read: escaped, not dropped."""
    missing = {
        name: [text for text in texts if escape(text) not in text_of(pages[name])] for name, texts in shown.items()
    }
    missing = {name: texts for name, texts in missing.items() if texts}
    assert not missing, f"words the pages lost: {missing}"


def assert_e_mails_quote_no_one(vector: str) -> None:
    """No member's words and no moderator's note in any part of any e-mail sent; HTML parts run nothing."""
    for message in mail.outbox:
        alternatives = getattr(message, "alternatives", [])
        for part in [message.subject, message.body] + [content for content, _type in alternatives]:
            assert MARK not in part and vector not in part, f"e-mail {message.subject!r} quotes the text"
        for content, content_type in alternatives:
            if content_type == "text/html":
                assert script_risks(content) == []
