"""The one HTML allowlist. Every article body passes through `sanitize_html` before it is saved.

Readers' browsers must never receive script, event handlers, `javascript:` URLs or style
injection, whichever path a body came in by (admin, import, shell).
"""

import re

import bleach

ALLOWED_TAGS = frozenset(
    {
        # text and structure
        "p", "br", "hr", "div", "span", "section", "article", "aside", "header", "footer",
        "h1", "h2", "h3", "h4", "h5", "h6",
        "ul", "ol", "li", "dl", "dt", "dd",
        "blockquote", "q", "cite", "pre", "code", "kbd", "samp", "var",
        "em", "strong", "i", "b", "u", "s", "del", "ins", "mark", "small", "sub", "sup",
        "abbr", "time", "figure", "figcaption",
        # links and media
        "a", "img", "picture", "source",
        # tables
        "table", "caption", "colgroup", "col", "thead", "tbody", "tfoot", "tr", "th", "td",
    }
)  # fmt: skip

ALLOWED_ATTRIBUTES = {
    "a": ["href", "title", "name", "rel"],
    "img": ["src", "alt", "title", "width", "height", "referrerpolicy", "loading", "srcset", "sizes"],
    "source": ["srcset", "sizes", "media", "type"],
    "abbr": ["title"],
    "time": ["datetime"],
    "blockquote": ["cite"],
    "q": ["cite"],
    "ol": ["start", "reversed"],
    "th": ["colspan", "rowspan", "scope"],
    "td": ["colspan", "rowspan"],
    "col": ["span"],
    "colgroup": ["span"],
}

ALLOWED_PROTOCOLS = frozenset({"http", "https", "mailto", "tel"})

# Elements whose *contents* are not reader text: bleach's strip=True would keep them as text
# (a 90-line <style> block would show up as CSS in the article), so they go whole.
_DROPPED_WITH_CONTENT = re.compile(
    r"<(script|style|template|iframe|noembed|noframes|textarea|title|xmp|object)\b[^>]*>"
    r".*?(?:</\1\s*>|\Z)",
    re.IGNORECASE | re.DOTALL,
)

_cleaner = bleach.Cleaner(
    tags=ALLOWED_TAGS,
    attributes=ALLOWED_ATTRIBUTES,
    protocols=ALLOWED_PROTOCOLS,
    strip=True,
    strip_comments=True,
)


def sanitize_html(html: str) -> str:
    """Return `html` reduced to the allowlist; safe to mark safe in a template."""
    if not html:
        return ""
    return _cleaner.clean(_DROPPED_WITH_CONTENT.sub("", html)).strip()
