"""The one HTML allowlist. Every article body passes through `sanitize_html` before it is saved.

Readers' browsers must never receive script, event handlers, `javascript:` URLs or style
injection, whichever path a body came in by (admin, import, shell).
"""

import re

import bleach
from bleach import html5lib_shim

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
        "a", "img",
        # tables
        "table", "caption", "colgroup", "col", "thead", "tbody", "tfoot", "tr", "th", "td",
    }
)  # fmt: skip

ALLOWED_ATTRIBUTES = {
    "a": ["href", "title", "name", "rel"],
    # No srcset: its URLs escape bleach's protocol check. Renditions are Newsroom's own markup.
    "img": ["src", "alt", "title", "width", "height", "referrerpolicy", "loading"],
    "abbr": ["title"],
    "time": ["datetime"],
    "blockquote": ["cite"],
    "q": ["cite"],
    "ol": ["start", "reversed"],
    "th": ["colspan", "rowspan", "scope"],
    "td": ["colspan", "rowspan"],
    "col": ["span"],
    "colgroup": ["span"],
    # A code block can scroll sideways: it must be reachable by keyboard (WCAG 2.1.1, axe's
    # `scrollable-region-focusable`). `_FocusableCode` sets it; no other value, on nothing else.
    "pre": lambda tag, name, value: name == "tabindex" and value == "0",
    # Everything else; only footnotes' ids, on the elements footnotes use (see below).
    "*": lambda tag, name, value: name == "id" and bool(FOOTNOTE_IDS.get(tag, _NO_ID).fullmatch(value)),
}

# Footnotes link a reference (`<a id="fnref1" href="#fn1">`, `fnref1:2` for its second use) to
# its note (`<li id="fn1">`) and back. Those ids, of exactly that shape, are the only ones an
# article may carry: an author's `id="header"` or `id="q"` would take over the page's own anchors.
FOOTNOTE_IDS = {"a": re.compile(r"fnref[0-9]{1,5}(?::[0-9]{1,5})?"), "li": re.compile(r"fn[0-9]{1,5}")}
_NO_ID = re.compile(r"(?!)")

ALLOWED_PROTOCOLS = frozenset({"http", "https", "mailto", "tel"})

# Elements whose *contents* are not reader text: bleach's strip=True would keep them as text
# (a 90-line <style> block would show up as CSS in the article), so they go whole.
DROPPED_WITH_CONTENTS = frozenset(
    {"script", "style", "template", "iframe", "noembed", "noframes", "textarea", "title", "xmp", "object", "select"}
)


class _DropContents:
    """A token filter between the HTML parser and bleach: removes the elements above together
    with everything inside them. It works on parsed tokens, so `<!-- <script> -->` is a comment
    and `<title-card>` is not a title."""

    def __init__(self, source):
        self.source = source

    def __iter__(self):
        depth = 0
        for token in self.source:
            if token.get("name") in DROPPED_WITH_CONTENTS and token["type"] in ("StartTag", "EndTag"):
                depth = depth + 1 if token["type"] == "StartTag" else max(0, depth - 1)
                continue
            if depth == 0:
                yield token


class _HeadingsUnderTitle:
    """Body headings as levels under the page's own `h1` (the article's title): the body's
    first heading is an `h2`, and a heading is at most one level below the one it follows, so
    no level is skipped (WCAG 1.3.1; a body's `h3` straight after the title read as a lost
    level to screen readers' heading lists). Each heading keeps its place among the others: a
    heading no deeper than an earlier one takes that one's new level."""

    def __init__(self, source):
        self.source = source

    def __iter__(self):
        levels = []  # (level as written, level given) of the headings the current one is under
        open_heading = None
        for token in self.source:
            name = token.get("name")
            if name in _HEADINGS and token["type"] == "StartTag":
                written = int(name[1])
                while levels and levels[-1][0] >= written:
                    levels.pop()
                given = min(6, levels[-1][1] + 1 if levels else 2)
                levels.append((written, given))
                open_heading = token["name"] = f"h{given}"
            elif name in _HEADINGS and token["type"] == "EndTag" and open_heading:
                token["name"], open_heading = open_heading, None
            yield token


_HEADINGS = frozenset(f"h{level}" for level in range(1, 7))


class _FocusableCode:
    """Every code block reachable by keyboard (`tabindex="0"`): one that scrolls cannot be read
    without it, and which ones scroll depends on the reader's screen."""

    def __init__(self, source):
        self.source = source

    def __iter__(self):
        for token in self.source:
            if token.get("name") == "pre" and token["type"] == "StartTag":
                token["data"][(None, "tabindex")] = "0"
            yield token


class _NoBrokenImages:
    """An image readers could not load is left out, its alt text standing in its place (as a
    browser shows a broken image): a relative reference (`chart.png`, an image the importer did
    not find beside its file; readers' pages are at other addresses), no address, or one of a
    scheme readers never load. The body's source keeps the reference, so an import that finds
    the file later puts the image back (see frontmatter/images.py)."""

    def __init__(self, source):
        self.source = source

    def __iter__(self):
        for token in self.source:
            if token.get("name") == "img" and token["type"] in ("StartTag", "EmptyTag"):
                attributes = token.get("data") or {}
                if not loadable_image(attributes.get((None, "src"), "")):
                    if alt := attributes.get((None, "alt"), "").strip():
                        yield {"type": "Characters", "data": alt}
                    continue
            yield token


_IMAGE_SCHEME = re.compile(r"^\s*+(?:https?:|/)", re.IGNORECASE)


def loadable_image(src: str) -> bool:
    """Whether a reader's browser can load an image at `src` wherever the page is: an absolute
    http(s) address, or a path from the site's root (`/media/…`, `//host/…`)."""
    return bool(_IMAGE_SCHEME.match(src))


_cleaner = bleach.Cleaner(
    tags=ALLOWED_TAGS,
    attributes=ALLOWED_ATTRIBUTES,
    protocols=ALLOWED_PROTOCOLS,
    strip=True,
    strip_comments=True,
)
# The parser must know the dropped elements (bleach's own parser turns tags it does not allow
# into bare text before any filter sees them); the allowlist stays as it is, so anything the
# filter let through would still be stripped.
_cleaner.parser = html5lib_shim.BleachHTMLParser(
    tags=ALLOWED_TAGS | DROPPED_WITH_CONTENTS, strip=True, consume_entities=False, namespaceHTMLElements=False
)


class _Walker(_cleaner.walker):
    """html5lib's etree walker, remembering where each open ancestor sits among its siblings.
    Upstream finds that again on the way back up with `list.count` and `list.index` over the
    grandparent's children: quadratic in an element's number of children, so a body of 10,000
    footnotes (160 KB: 10,000 `<li>` in one list, 10,000 `<sup>` in one paragraph) took 15 s to
    sanitise (issue 12). The walk, and so the output, is the same; each step is constant time.

    A node is (element, its index in its parent, the stack of (ancestor, its index), flag), as
    upstream's, but for the indexes on the stack."""

    def getFirstChild(self, node):
        element, key, parents, flag = node if isinstance(node, tuple) else (node, None, [], None)
        if flag in ("text", "tail"):
            return None
        if element.text:
            return element, key, parents, "text"
        return self._descend(element, key, parents)

    def getNextSibling(self, node):
        if not isinstance(node, tuple):
            return None
        element, key, parents, flag = node
        if flag == "text":
            return self._descend(element, key, parents)
        if element.tail and flag != "tail":
            return element, key, parents, "tail"
        siblings = parents[-1][0]
        return (siblings[key + 1], key + 1, parents, None) if key < len(siblings) - 1 else None

    def getParentNode(self, node):
        if not isinstance(node, tuple):
            return None
        element, key, parents, flag = node
        if flag == "text":
            return (element, key, parents, None) if parents else element
        parent, parent_key = parents.pop()
        return (parent, parent_key, parents, None) if parents else parent

    @staticmethod
    def _descend(element, key, parents):
        if not len(element):
            return None
        parents.append((element, key))
        return element[0], 0, parents, None


_cleaner.walker = lambda dom: _NoBrokenImages(_FocusableCode(_HeadingsUnderTitle(_DropContents(_Walker(dom)))))


def sanitize_html(html: str) -> str:
    """Return `html` reduced to the allowlist; safe to mark safe in a template."""
    if not html:
        return ""
    return _cleaner.clean(html).strip()
