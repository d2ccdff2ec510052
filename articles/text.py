"""Plain-text helpers that must be right for Chinese as well as English."""

import re
from html import unescape

from django.core.exceptions import SuspiciousOperation
from django.utils.html import strip_tags
from django.utils.text import Truncator

# CJK ideographs, kana and hangul: scripts written without spaces between words. The one
# definition: search tokens, revision diffs, summaries and reading times all use it.
CJK_RANGES = "\u3040-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\uac00-\ud7af"
CJK_CHARACTER = re.compile(f"[{CJK_RANGES}]")
_SPACE = re.compile(r"\s+")
_TAG = re.compile(r"<[^<>]*+>")
# Control characters (XML 1.0 refuses them: feeds and sitemaps would break) and zero-width spaces.
_INVISIBLE = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f\u200b\u2060\ufeff]")


def strip_invisible(text: str) -> str:
    return _INVISIBLE.sub("", text) if text else text


def is_mostly_cjk(text: str) -> bool:
    letters = [c for c in text if c.isalpha()]
    return bool(letters) and sum(1 for c in letters if CJK_CHARACTER.match(c)) * 2 >= len(letters)


def plain_text(html: str) -> str:
    """Readable text of an HTML fragment, whitespace folded."""
    try:
        text = strip_tags(html or "")
    except SuspiciousOperation:  # Django gives up on text built to look like deeply nested tags
        text = _TAG.sub("", html)
    return _SPACE.sub(" ", unescape(text)).strip()


def summarize(text: str, limit: int = 160) -> str:
    """`text` cut to about `limit` characters: by characters for CJK, at a word for the rest."""
    text = _SPACE.sub(" ", text or "").strip()
    if len(text) <= limit:
        return text
    if is_mostly_cjk(text):
        return Truncator(text).chars(limit)
    return text[: limit - 1].rsplit(" ", 1)[0].rstrip(",.;:") + "…"


CJK_CHARACTERS_PER_MINUTE = 400
WORDS_PER_MINUTE = 230


def reading_minutes(text: str) -> int:
    """Minutes to read `text`: Chinese by characters (about 400 a minute), the rest by words."""
    cjk = len(CJK_CHARACTER.findall(text))
    words = len(CJK_CHARACTER.sub(" ", text).split())
    return max(1, round(cjk / CJK_CHARACTERS_PER_MINUTE + words / WORDS_PER_MINUTE))
