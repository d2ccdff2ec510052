"""Freshness: the one home of cache keys, their validity and their invalidation.

- Every cached thing readers or editors are shown (whole pages, cards, list orders, search
  matches, admin counts, template fragments) is keyed by `key()` or `keys()`, which put the
  content *generation* in the key. Any change to an article, author, section or tag bumps the
  generation (`invalidate`), so every entry is stale at once, in O(1). Every process must see the
  bump: with a shared cache (Redis) the number lives there; with the local-memory default, which
  each process has to itself, it is the modification time of a stamp file all processes can stat.
- The one validity rule: an entry holds until content changes or the next scheduled story goes
  live, whichever comes first. `store()` keeps an entry with the time of the next publication
  as it was *before* the entry's content was read (read after, a story going live in between
  would be missing until the one after), and `load()` refuses an entry past that time. Template
  fragments are keyed by `version()`, which carries both.

Nothing outside this module builds a cache key: callers say what an entry depends on.
"""

import hashlib
import os
import time
from pathlib import Path

from django.conf import settings
from django.core.cache import cache, caches
from django.core.cache.backends.locmem import LocMemCache
from django.db import transaction
from django.utils import timezone

GENERATION_KEY = "freshness:generation"
NEXT_PUBLICATION_KEY = "freshness:next-publication"
TIMEOUT = 3600  # entries are renewed by the generation long before; this only bounds memory
MISSING = object()


def _stamp() -> Path | None:
    """The stamp file, when the cache is each process's own."""
    if not isinstance(caches["default"], LocMemCache):
        return None
    return Path(settings.PAGE_CACHE_STAMP)


def generation() -> int:
    stamp = _stamp()
    if stamp is not None:
        try:
            return stamp.stat().st_mtime_ns
        except FileNotFoundError:
            return 0
    value = cache.get(GENERATION_KEY)
    if value is None:
        value = 1
        cache.add(GENERATION_KEY, value, timeout=None)
    return value


def invalidate(**kwargs) -> None:
    """Everything cached is stale: content changed."""
    stamp = _stamp()
    if stamp is not None:
        stamp.parent.mkdir(parents=True, exist_ok=True)
        stamp.touch()
        now = max(time.time_ns(), generation() + 1)  # strictly newer, even within a clock tick
        os.utime(stamp, ns=(now, now))
        return
    try:
        cache.incr(GENERATION_KEY)
    except ValueError:  # not set yet (or evicted): any new value invalidates
        cache.set(GENERATION_KEY, int(timezone.now().timestamp()), timeout=None)


def invalidate_on_commit(**kwargs) -> None:
    """Now, for this process, and again once the change is committed, so a reader who fetched
    the old content in between does not keep it cached. (Signal receivers call it too.)"""
    invalidate()
    transaction.on_commit(invalidate)


def next_publication() -> float | None:
    """When the next scheduled article goes live, as a timestamp (None when none is scheduled),
    read once per generation."""
    from .models import Article

    key = f"{NEXT_PUBLICATION_KEY}:{generation()}"
    found = cache.get(key)
    if found is None or (found and found <= timezone.now().timestamp()):  # that one has gone live
        when = Article.objects.scheduled().order_by("published_at").values_list("published_at", flat=True).first()
        found = when.timestamp() if when else 0
        cache.set(key, found, timeout=24 * 3600)
    return found or None


def version() -> str:
    """Generation and next publication in one token: what template fragments are keyed by."""
    return f"{generation()}:{next_publication()}"


def keys(kind: str, many_parts) -> list[str]:
    """One key per entry of `many_parts` (each a tuple of what the entry depends on besides
    content), all of one generation: what a page renders many of (cards) reads it once."""
    base = f"{kind}:{generation()}:"
    return [base + _digest(parts) for parts in many_parts]


def key(kind: str, *parts) -> str:
    return keys(kind, [parts])[0]


def _digest(parts) -> str:
    text = ":".join(map(str, parts))
    if len(text) <= 100 and text.isascii() and text.isprintable() and " " not in text:
        return text  # readable in the cache (card ids, languages)
    return hashlib.sha1(text.encode()).hexdigest()  # addresses, queries, SQL: any length or script


def still_valid(valid_until: float | None) -> bool:
    return valid_until is None or timezone.now().timestamp() < valid_until


def load(entry_key: str, default=MISSING):
    """What `store` kept under the key, if it is still valid; else `default`."""
    found = cache.get(entry_key)
    if found is None or not still_valid(found[1]):
        return default
    return found[0]


def load_many(entry_keys: list[str]) -> dict:
    return {k: v[0] for k, v in cache.get_many(entry_keys).items() if still_valid(v[1])}


def store(entry_key: str, value, valid_until: float | None = None, timeout: int = TIMEOUT) -> None:
    """Keep `value` until content changes or `valid_until` (see the module's validity rule)."""
    cache.set(entry_key, (value, valid_until), timeout=timeout)


def store_many(entries: dict, valid_until: float | None = None, timeout: int = TIMEOUT) -> None:
    cache.set_many({k: (v, valid_until) for k, v in entries.items()}, timeout=timeout)


def kept(entry_key: str, compute, valid_until: float | None = None):
    """The stored value, or `compute()` stored now. `valid_until` is read by the caller before
    `compute` fixes its "now"."""
    found = load(entry_key)
    if found is MISSING:
        found = compute()
        store(entry_key, found, valid_until)
    return found
