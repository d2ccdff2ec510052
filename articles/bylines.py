"""Byline roles and how a byline reads, in English and Chinese: the one home of the phrasing rule.
`{% byline %}`, the card templates (through the Jinja2 `byline` global), JSON-LD and the feeds
all use it.

A byline entry's role is stored as the editor or the file gave it, except that a known role,
however it was spelled ("photographer", "摄影", "photographs by"), is stored in its one
spelling below, so it reads and translates as a known role. The empty role is a plain author.
"""

from functools import lru_cache

from django.conf import settings
from django.utils import translation
from django.utils.text import capfirst
from django.utils.translation import get_language, gettext_lazy, pgettext, pgettext_lazy
from markupsafe import Markup, escape

AUTHOR = ""
REPORTING = "Reporting by"
ADDITIONAL_REPORTING = "Additional reporting"
PHOTOGRAPHS = "Photographs by"
VIDEO = "Video by"
TRANSLATED = "Translated by"
EDITED = "Edited by"
CONTRIBUTIONS = "Contributions by"

# The roles offered to editors, with the label they read; any other text is a role too.
ROLES = {
    REPORTING: gettext_lazy("Reporting by"),
    ADDITIONAL_REPORTING: gettext_lazy("Additional reporting"),
    PHOTOGRAPHS: gettext_lazy("Photographs by"),
    VIDEO: gettext_lazy("Video by"),
    TRANSLATED: gettext_lazy("Translated by"),
    EDITED: gettext_lazy("Edited by"),
    CONTRIBUTIONS: gettext_lazy("Contributions by"),
}
# Who wrote the story (schema.org `author`, feeds' authors, cards); every other role contributed.
AUTHOR_ROLES = frozenset({AUTHOR, REPORTING})

# How a known role's part of a byline reads, after the first part (the first is capitalised).
_PHRASES = {
    AUTHOR: pgettext_lazy("byline", "by %(names)s"),
    REPORTING: pgettext_lazy("byline", "reporting by %(names)s"),
    ADDITIONAL_REPORTING: pgettext_lazy("byline", "additional reporting by %(names)s"),
    PHOTOGRAPHS: pgettext_lazy("byline", "photographs by %(names)s"),
    VIDEO: pgettext_lazy("byline", "video by %(names)s"),
    TRANSLATED: pgettext_lazy("byline", "translated by %(names)s"),
    EDITED: pgettext_lazy("byline", "edited by %(names)s"),
    CONTRIBUTIONS: pgettext_lazy("byline", "contributions by %(names)s"),
}

# Other spellings of the known roles that editors and front matter use (compared casefolded).
_SPELLINGS = {
    AUTHOR: ("by", "author", "authors", "written by", "story by", "作者", "记者", "文"),
    REPORTING: ("reporting", "reporter", "reporters", "reported by", "采写", "报道"),
    ADDITIONAL_REPORTING: ("additional reporting by", "参与采写", "参与报道"),
    PHOTOGRAPHS: ("photographs", "photographer", "photographers", "photos", "photos by", "photography",
                  "photography by", "photo", "photo by", "摄影", "图"),
    VIDEO: ("video", "videographer", "视频", "摄像"),
    TRANSLATED: ("translator", "translators", "translation", "translation by", "翻译", "译", "编译"),
    EDITED: ("editor", "editors", "editing", "editing by", "编辑", "责任编辑", "责编"),
    CONTRIBUTIONS: ("contributor", "contributors", "contributions", "contributed by", "with contributions from",
                    "协助"),
}  # fmt: skip
_KNOWN = {
    spelling.casefold(): role
    for role in _PHRASES
    for spelling in (role, *_SPELLINGS[role])
    if spelling  # the empty role is its own spelling
}
MAX_ROLE = 100


def canonical_role(role) -> str:
    """A role as stored: a known role in its one spelling, any other as written (spaces folded)."""
    text = " ".join(str(role or "").split())[:MAX_ROLE]
    return _KNOWN.get(text.casefold().rstrip(":："), text)


def is_author(entry) -> bool:
    """Whether a byline entry (an author carrying its `role`) wrote the story."""
    return getattr(entry, "role", AUTHOR) in AUTHOR_ROLES


def authors(entries) -> list:
    return [entry for entry in entries if is_author(entry)]


def contributors(entries) -> list:
    return [entry for entry in entries if not is_author(entry)]


def byline(entries, authors_only=False) -> Markup:
    """The byline of a story: "By A and B; photographs by C; translated by D" in English,
    "记者 A、B；摄影 C；翻译 D" in Chinese. Each name links to the author's page; a role an
    editor typed is shown as typed. `entries`: authors in byline order, each with its `role`.
    `authors_only` (cards and results) leaves out contributors, unless nobody else is named."""
    entries = list(entries)
    if authors_only and (wrote := authors(entries)):
        entries = wrote
    if not entries:
        return Markup("")
    phrases, between_roles, between_names, last_two = _phrasing(get_language() or settings.LANGUAGE_CODE)
    groups = {}  # role -> links: plain authors, other authors, then each role where it first appears
    for entry in sorted(entries, key=_order):
        role = getattr(entry, "role", AUTHOR)
        rel = ' rel="author"' if role in AUTHOR_ROLES else ""
        link = f'<a href="{escape(entry.get_absolute_url())}"{rel}>{escape(entry.name)}</a>'
        groups.setdefault(role, []).append(link)
    parts = []
    for role, links in groups.items():
        names = links[0] if len(links) == 1 else last_two % {"names": between_names.join(links[:-1]), "last": links[-1]}
        if role in phrases:
            part = phrases[role] % {"names": names}
            parts.append(capfirst(part) if not parts else part)
        else:
            parts.append(f"{escape(role)} {names}")
    return Markup(f'<span class="byline">{between_roles.join(parts)}</span>')


def _order(entry) -> tuple:
    role = getattr(entry, "role", AUTHOR)
    return role != AUTHOR, role not in AUTHOR_ROLES


@lru_cache(maxsize=16)
def _phrasing(language: str) -> tuple:
    """A byline's words in `language`, looked up once a process (cards are built by the hundred):
    each known role's phrase, and what goes between roles, between names, and before the last name."""
    with translation.override(language):
        return (
            {role: str(phrase) for role, phrase in _PHRASES.items()},
            pgettext("between the roles of a byline", "; "),
            pgettext("between names in a byline", ", "),
            pgettext("the last two names in a byline", "%(names)s and %(last)s"),
        )


def role_label(role: str) -> str:
    """A role as editors read it (history, the admin): a known role translated, any other as written."""
    return str(ROLES.get(role, role))
