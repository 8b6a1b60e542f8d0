"""Properties of the one Markdown-to-HTML pipeline (platform_site/text.py) that forum posts, group
descriptions and library entries go through: whatever a member types, the HTML never carries script,
and it is already clean (sanitizing it again changes nothing)."""
import re
from html.parser import HTMLParser

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from platform_site.text import ALLOWED_TAGS, markdown_to_safe_html, sanitize_html
from resources.services import entry_body_to_html
from tests.groups.helpers import script_risks

# Pieces that attackers and confused editors write, glued together in random order below.
FRAGMENTS = [
    "<script>", "</script>", "<script src=//x.example/a.js>", "<img src=x onerror=alert(1)>", "<svg onload=alert(1)>",
    "<a href=\"javascript:alert(1)\">", "</a>", "<iframe src=data:text/html,x>", "<style>", "style=\"x:y\"",
    "<div style=\"background:url(javascript:alert(1))\">", " onmouseover=alert(1) ", "<math><mtext><table><mglyph>",
    "<!--", "-->", "<![CDATA[", "]]>", "<", ">", "\"", "'", "`", "```", "~~~", "\n", "\n\n", "    ", "\t", "\x00",
    "\u200b", "\u202e", "&#106;", "&#x6A;", "&colon;", "&lt;", "&amp;", "\\", "[", "]", "(", ")", "![", "](",
    "[x](", "javascript:", "JaVaScRiPt:", "java\tscript:", "vbscript:", "data:text/html;base64,PHNjcmlwdD4=",
    "http://example.org/", "mailto:a@example.org", "<javascript:alert(1)>", "<http://example.org>", " \"title\"",
    "# ", "## ", "> ", "- ", "1. ", "* ", "**", "_", "|a|b|\n|-|-|\n|c|d|", "[ref]: javascript:alert(1)\n", "[ref]",
]

markdownish = st.lists(st.one_of(st.sampled_from(FRAGMENTS), st.text(max_size=8)), max_size=30).map("".join)
any_text = st.one_of(st.text(max_size=300), markdownish)

PROPERTY_SETTINGS = settings(
    max_examples=400, derandomize=True, database=None, deadline=None, suppress_health_check=[HealthCheck.too_slow]
)
_DANGEROUS_SCHEME = re.compile(r"^(javascript|vbscript|data):")


class _Elements(HTMLParser):
    def __init__(self):
        super().__init__(convert_charrefs=True)  # attribute values decoded, as a browser would
        self.elements: list[tuple[str, dict]] = []

    def handle_starttag(self, tag, attrs):
        self.elements.append((tag, dict(attrs)))

    handle_startendtag = handle_starttag


def problems_in(html: str, *, extra_tags: frozenset = frozenset()) -> list[str]:
    parser = _Elements()
    parser.feed(html)
    parser.close()
    problems = []
    for tag, attributes in parser.elements:
        if tag not in ALLOWED_TAGS | extra_tags:
            problems.append(f"<{tag}> is not on the allow-list")
        for name, value in attributes.items():
            if name.startswith("on") or name == "style":
                problems.append(f"{name}= on <{tag}>")
            if name in ("href", "src") and value is not None:
                # Browsers skip whitespace and control characters inside a scheme.
                if _DANGEROUS_SCHEME.match(re.sub(r"[\s\x00-\x1f]", "", value).lower()):
                    problems.append(f"{name}={value!r} on <{tag}>")
    return problems + script_risks(html)


def test_the_checker_sees_what_it_must_refuse():
    # The properties below pass trivially if this checker is blind; prove it is not.
    assert problems_in('<p onclick="x">a</p>')
    assert problems_in('<a href=" java\tscript:alert(1)">x</a>')
    assert problems_in('<a href="DATA:text/html,x">x</a>')
    assert problems_in('<p style="color:red">x</p>')
    assert problems_in("<script>alert(1)</script>")
    assert problems_in('<img src="x">')
    assert not problems_in('<p><a href="https://example.org" rel="nofollow ugc noopener">ok</a></p>')


@PROPERTY_SETTINGS
@given(any_text)
def test_member_markdown_never_renders_script_event_handlers_styles_or_dangerous_urls(text):
    html = markdown_to_safe_html(text)
    assert problems_in(html) == [], f"input {text!r} rendered as {html!r}"


@PROPERTY_SETTINGS
@given(any_text)
def test_rendered_markdown_is_stable_when_sanitized_again(text):
    html = markdown_to_safe_html(text)
    # What we store and show is a fixed point of the sanitizer: cleaning it again (as a second
    # render, an edit preview or a later allow-list pass would) changes nothing.
    assert sanitize_html(html) == html
    assert markdown_to_safe_html(text) == html


@PROPERTY_SETTINGS
@given(any_text)
def test_library_entries_never_render_script_either(text):
    # Entries promote ## back to <h2> (the entry page has its own <h1>); nothing else is added.
    html = entry_body_to_html(text)
    assert problems_in(html, extra_tags=frozenset({"h2"})) == [], f"input {text!r} rendered as {html!r}"
    assert html == markdown_to_safe_html(text).replace("<h4>", "<h2>").replace("</h4>", "</h2>")


def test_known_vectors_are_shown_as_text_not_dropped():
    # The sanitizer keeps the words visible (escaped) rather than silently eating what was typed.
    html = markdown_to_safe_html("<script>alert(1)</script> and [x](javascript:alert(1))")
    assert html == "<p>&lt;script&gt;alert(1)&lt;/script&gt; and [x](javascript:alert(1))</p>\n"
