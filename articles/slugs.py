"""The slug rule: readable, unicode-safe (Chinese titles keep their characters), never empty."""

import re
import unicodedata

from django.utils.text import slugify

MAX_SLUG_LENGTH = 120
_NOT_SLUG = re.compile(r"[^\w\s-]")
_SEPARATORS = re.compile(r"[-\s]+")


def slug_from_text(text: str, fallback: str = "article", max_length: int = MAX_SLUG_LENGTH, keep_case=False) -> str:
    """A slug for `text`, cut at a word boundary, or `fallback` when nothing sluggable remains.

    `keep_case` for a slug someone wrote (front matter's `slug`): `Rust-1-88` is an address as
    given, and lowercasing it would move the article (issue 12). Made from a title, it is lowercase."""
    if keep_case:  # Django's slugify, less its lower()
        slug = _SEPARATORS.sub("-", _NOT_SLUG.sub("", unicodedata.normalize("NFKC", str(text or "")))).strip("-_")
    else:
        slug = slugify(text or "", allow_unicode=True)
    if len(slug) > max_length:
        cut = slug[:max_length]
        slug = cut.rsplit("-", 1)[0] if "-" in cut[max_length // 2 :] else cut
    return slug.strip("-_") or fallback


def unique_slug(base: str, taken, max_length: int = MAX_SLUG_LENGTH) -> str:
    """`base`, or `base-2`, `base-3`… — the first one for which `taken(candidate)` is false."""
    candidate, n = base, 1
    while taken(candidate):
        n += 1
        suffix = f"-{n}"
        candidate = base[: max_length - len(suffix)] + suffix
    return candidate
