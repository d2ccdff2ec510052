"""Whole-page cache for readers, kept correct without a cron job.

- Only anonymous GET/HEAD requests for reader pages are cached (no session cookie, not the
  admin, not a staff preview), in Django's default cache: local memory, or Redis at scale.
- Any change to an article, author, section or tag bumps a generation number that is part of
  every key, so all cached pages are invalid at once, in O(1). Every process must see the bump:
  with a shared cache (Redis) the number lives there; with the local-memory default, which each
  process has to itself, it is the modification time of a stamp file all processes can stat.
- A page is stored with the time of the next scheduled publication: past it, the page is stale
  and rebuilt, so a scheduled story appears on time on every page.
- It sits near the top of the middleware stack, so a hit skips sessions, authentication and
  the view altogether.
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
from django.utils.cache import patch_cache_control, patch_vary_headers, set_response_etag

GENERATION_KEY = "pagecache:generation"
NEXT_PUBLICATION_KEY = "pagecache:next-publication"
EXCLUDED_PREFIXES = ("/admin/", "/static/", "/media/")


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
    """Every cached page is stale: content changed."""
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
    """For signals: now, for this process, and again once the change is committed, so a reader
    who fetched the old content in between does not keep it cached."""
    invalidate()
    transaction.on_commit(invalidate)


def next_publication():
    """When the next scheduled article goes live (None when none is scheduled), cached per generation."""
    from .models import Article

    key = f"{NEXT_PUBLICATION_KEY}:{generation()}"
    found = cache.get(key)
    if found is None or (found and found <= timezone.now().timestamp()):  # that one has gone live
        when = Article.objects.scheduled().order_by("published_at").values_list("published_at", flat=True).first()
        found = when.timestamp() if when else 0
        cache.set(key, found, timeout=24 * 3600)
    return found or None


# Reader pages read only these; any other parameter would make a new, useless cache entry.
KNOWN_PARAMETERS = {"page", "q"}


def _key(request) -> str:
    # Host and scheme too: pages carry absolute canonical and sharing addresses.
    address = f"{request.scheme}://{request.get_host()}{request.get_full_path()}"
    return f"pagecache:{generation()}:{request.method}:{hashlib.sha1(address.encode()).hexdigest()}"


def _cacheable(request) -> bool:
    return (
        request.method in ("GET", "HEAD")
        and settings.SESSION_COOKIE_NAME not in request.COOKIES
        and not request.path.startswith(EXCLUDED_PREFIXES)
        and set(request.GET) <= KNOWN_PARAMETERS
    )


class PageCacheMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if not getattr(settings, "PAGE_CACHE_SECONDS", 0) or not _cacheable(request):
            return self.get_response(request)
        key = _key(request)
        stored = cache.get(key)
        if stored is not None:
            response, valid_until = stored
            if valid_until is None or timezone.now().timestamp() < valid_until:
                response["X-Page-Cache"] = "hit"
                return response
        valid_until = next_publication()  # before the page's "now": see StoredPagesPaginator
        response = self.get_response(request)
        if response.status_code == 200 and not response.cookies and not _private(response):
            if hasattr(response, "render") and callable(response.render):
                response.render()
            patch_cache_control(response, public=True, max_age=60)
            patch_vary_headers(response, ["Cookie"])
            set_response_etag(response)  # stored with the page, so a hit need not hash it again
            cache.set(key, (response, valid_until), timeout=settings.PAGE_CACHE_SECONDS)
            response["X-Page-Cache"] = "miss"
        return response


def _private(response) -> bool:
    control = response.get("Cache-Control", "")
    return "private" in control or "no-cache" in control or "no-store" in control
