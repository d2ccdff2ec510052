"""Turning an article's source text into the HTML stored in `Article.body`."""

import importlib
import re
import string

from markdown_it import MarkdownIt
from markdown_it.rules_inline import StateInline
from mdit_py_plugins.footnote import footnote_plugin
from mdit_py_plugins.footnote.index import footnote_inline, footnote_ref

from .sanitizing import sanitize_html

# The module, not the `table` rule its package exports under the same name.
markdown_tables = importlib.import_module("markdown_it.rules_block.table")

HTML = "html"
MARKDOWN = "markdown"


def _linkify(state: StateInline, silent: bool) -> bool:
    """markdown-it's inline `linkify` rule (links like https://example.org/ inside text), with
    the scheme read backwards from the end of the pending text. Upstream searches the whole
    pending text with `(?:^|[^a-z0-9.+-])([a-z][a-z0-9.+-]*)$` at every `://`, which is
    quadratic in a paragraph full of them (issue 12)."""
    if not state.md.options.linkify or state.linkLevel > 0:
        return False
    pos = state.pos
    if not state.src.startswith("://", pos) or pos + 3 > state.posMax:
        return False
    start = len(state.pending)
    while start and state.pending[start - 1] in _SCHEME_CHARACTERS:
        start -= 1
    proto = state.pending[start:]
    if not proto or not proto[0].isascii() or not proto[0].isalpha():
        return False
    if not (link := state.md.linkify.match_at_start(state.src[pos - len(proto) :])):
        return False
    url = link.url.rstrip("*")  # a `*` at the end is emphasis, not the link's
    full_url = state.md.normalizeLink(url)
    if not state.md.validateLink(full_url):
        return False
    if not silent:
        state.pending = state.pending[: -len(proto)]
        token = state.push("link_open", "a", 1)
        token.attrs = {"href": full_url}
        token.markup, token.info = "linkify", "auto"
        token = state.push("text", "", 0)
        token.content = state.md.normalizeLinkText(url)
        token = state.push("link_close", "a", -1)
        token.markup, token.info = "linkify", "auto"
    state.pos += len(url) - len(proto)
    return True


_SCHEME_CHARACTERS = frozenset(string.ascii_letters + string.digits + ".+-")  # RFC 3986

# What a few bytes of Markdown may make (issue 12). Footnotes and tables are where a little text
# makes many elements: `[^1]` is a reference, a link and a link back in its note (10,000 of them,
# 160 KB, made 1.8 MB of HTML, seconds to render and sanitise); a table's header sets its width and
# every shorter row is filled out with empty cells (a 1.8 KB table made 65,536). Past these, the
# rest stays text: a reference shows as written (`[^501]`, its note left out), a table as its
# lines. The corpus's largest use is 55 footnotes in all, and about 6,500 cells in one body.
MAX_FOOTNOTES = 500  # footnote references (and inline notes) in one body
MAX_TABLE_CELLS = 10_000  # table cells in one body
# markdown-it's own bound on the empty cells one table is filled out with (65,536; past it the
# table ends and its other rows are text). Its table rule reads it at each table, so this also
# bounds how far the table that crosses MAX_TABLE_CELLS can overshoot it.
markdown_tables.MAX_AUTOCOMPLETED_CELLS = 1_024


def _bounded(rule, counted: str, limit: int):
    """`rule` (a block or inline rule), refused once the body has made `limit` tokens of the
    `counted` type; the count is kept in the render's `env`, one per body."""

    def bounded(state, *args):
        silent, spent = args[-1], state.env.get(counted, 0)
        if spent >= limit:
            return False
        made = len(state.tokens)
        if not rule(state, *args):
            return False
        if not silent:
            state.env[counted] = spent + sum(token.type == counted for token in state.tokens[made:])
        return True

    return bounded


# CommonMark plus the GFM extensions readers' archives rely on, and footnotes (`[^1]`, pandoc's
# syntax: without them a reference shows as text, and a note whose text reads as a link
# definition vanishes); raw HTML passes through to the sanitiser rather than being escaped,
# because real Markdown files embed it. The footnotes' ids are the only ones the sanitiser keeps.
_markdown = (
    MarkdownIt("commonmark", {"html": True, "linkify": True})
    .enable(["table", "strikethrough", "linkify"])
    .use(footnote_plugin)
)
_markdown.inline.ruler.at("linkify", _linkify)
_markdown.inline.ruler.at("footnote_inline", _bounded(footnote_inline, "footnote_ref", MAX_FOOTNOTES))
_markdown.inline.ruler.at("footnote_ref", _bounded(footnote_ref, "footnote_ref", MAX_FOOTNOTES))
_markdown.block.ruler.at(
    "table", _bounded(markdown_tables.table, "td_open", MAX_TABLE_CELLS), {"alt": ["paragraph", "reference"]}
)

# Leading comments are matched atomically: a comment ends at its first `-->` (as in HTML), and
# letting `.*?` stretch over the next one made a non-match try every grouping of n comments, 2^n
# (issue 12).
_HTML_FRAGMENT = re.compile(
    r"\A\s*+(?>(?:<!--.*?-->\s*+)*)<(?:div|p|section|article|figure|h[1-6]|table|ul|ol|blockquote|header|main|center)\b",
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
