"""Turning an article's source text into the HTML stored in `Article.body`."""

import re

from markdown_it import MarkdownIt

from .sanitizing import sanitize_html

HTML = "html"
MARKDOWN = "markdown"

# CommonMark plus the GFM extensions readers' archives rely on; raw HTML passes through to the
# sanitiser rather than being escaped, because real Markdown files embed it.
_markdown = MarkdownIt("commonmark", {"html": True, "linkify": True}).enable(["table", "strikethrough", "linkify"])

_HTML_FRAGMENT = re.compile(
    r"\A\s*(?:<!--.*?-->\s*)*<(?:div|p|section|article|figure|h[1-6]|table|ul|ol|blockquote|header|main|center)\b",
    re.IGNORECASE | re.DOTALL,
)
# Lines only Markdown writes: headings, list items, fences, quotes, tables, setext underlines.
_MARKDOWN_BLOCK = re.compile(r"^(?:#{1,6}\s|[*+-]\s|\d+[.)]\s|```|~~~|>\s|\|.*\||[=-]{3,}\s*$)", re.MULTILINE)


_WRAPPED = re.compile(r"\A\s*<(div|section|article|main)\b.*</\1>\s*\Z", re.IGNORECASE | re.DOTALL)


def looks_like_html(text: str) -> bool:
    """True for a body that is an HTML fragment even though it sits in a Markdown file (every
    hexo-news body is one). Rendering those as Markdown would turn indented lines into code.
    A body wrapped whole in one block element is HTML whatever its lines look like."""
    if not _HTML_FRAGMENT.match(text):
        return False
    return bool(_WRAPPED.match(text)) or not _MARKDOWN_BLOCK.search(text)


def render_body(source: str, body_format: str) -> str:
    """The sanitised HTML a reader sees for `source` written in `body_format`."""
    html = _markdown.render(source) if body_format == MARKDOWN else source
    return sanitize_html(html)
