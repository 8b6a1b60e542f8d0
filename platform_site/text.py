"""User-written Markdown to HTML that is safe to show.

Two well-kept libraries, no hand-written sanitizer: markdown-it-py renders CommonMark with raw
HTML switched off (so `<script>` stays text), then nh3 (Ammonia) keeps only an allow-list of tags,
attributes and URL schemes and adds rel="nofollow ugc noopener" to every link.
"""
from functools import lru_cache

import nh3
from markdown_it import MarkdownIt

ALLOWED_TAGS = {
    "p", "br", "hr", "strong", "em", "del", "s", "code", "pre", "blockquote",
    "ul", "ol", "li", "a", "h3", "h4", "h5", "h6", "table", "thead", "tbody", "tr", "th", "td",
}
ALLOWED_ATTRIBUTES = {"a": {"href", "title"}, "ol": {"start"}, "th": {"align"}, "td": {"align"}}
ALLOWED_URL_SCHEMES = {"http", "https", "mailto"}
LINK_REL = "nofollow ugc noopener"


@lru_cache(maxsize=1)
def _markdown() -> MarkdownIt:
    # "commonmark" preset with html=False: raw HTML in the source is escaped, not passed through.
    # Headings h1/h2 would compete with the page's own; they are demoted by the allow-list below.
    return MarkdownIt("commonmark", {"html": False, "linkify": False, "typographer": False}).enable("table").enable(
        "strikethrough"
    )


def sanitize_html(html: str) -> str:
    return nh3.clean(
        html,
        tags=ALLOWED_TAGS,
        attributes=ALLOWED_ATTRIBUTES,
        url_schemes=ALLOWED_URL_SCHEMES,
        link_rel=LINK_REL,
        strip_comments=True,
    )


def markdown_to_safe_html(text: str) -> str:
    """Render member-written Markdown to sanitized HTML, ready for `|safe` in a template."""
    html = _markdown().render(text or "")
    # Demote page-level headings so a post cannot pretend to be the page title.
    html = html.replace("<h1>", "<h3>").replace("</h1>", "</h3>").replace("<h2>", "<h4>").replace("</h2>", "</h4>")
    return sanitize_html(html)
