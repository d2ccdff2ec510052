"""Freshness: the one home of what pages show, cache keys, validity and invalidation.

- `entries`: entries kept with the names of what they show, valid until one of those changes;
  the request's reading (one round trip for a page-cache hit); scheduled stories going live
  and banners expiring with no cron; invalidation now and on commit.
- `shown`: the names (`a12`, `ls5`, …) reader pages declare, and which names each kind of
  change touches.

Views and templates declare what they show (`shows`, the `{% fresh %}` tag); `after_write`
reports what was written; nothing outside this package builds a cache key.
"""

from django.conf import settings

from newsroom.edge import EVERY_PAGE

from . import shown
from .entries import (
    MISSING,
    batch,
    cache_answers,
    collecting,
    invalidate,
    invalidate_everything,
    invalidate_on_commit,
    kept,
    key,
    keys,
    load,
    load_many,
    next_publication,
    page_key,
    purge_edge_when_expired,
    purge_edge_when_front_page_live,
    purge_edge_when_live,
    reading,
    schedule_changed,
    shows,
    store,
    store_many,
)

__all__ = [
    "MISSING",
    "batch",
    "cache_answers",
    "collecting",
    "edge_headers",
    "invalidate",
    "invalidate_everything",
    "invalidate_on_commit",
    "key",
    "keys",
    "kept",
    "load",
    "load_many",
    "next_publication",
    "page_key",
    "purge_edge_when_front_page_live",
    "purge_edge_when_expired",
    "purge_edge_when_live",
    "reading",
    "schedule_changed",
    "shown",
    "shows",
    "store",
    "store_many",
]


def edge_headers(names) -> dict[str, str]:
    """The response headers that tell an edge cache what a page shows: `Surrogate-Key`
    (Fastly, Varnish xkey; space-separated) and `Cache-Tag` (Cloudflare; comma-separated).
    Every page also carries `all`, purged when a change's reach is not known."""
    ordered = sorted({*names, EVERY_PAGE})
    headers = {}
    if settings.SURROGATE_KEY_HEADER and ordered:
        headers[settings.SURROGATE_KEY_HEADER] = " ".join(ordered)
    if settings.CACHE_TAG_HEADER and ordered:
        headers[settings.CACHE_TAG_HEADER] = ",".join(ordered)
    return headers
