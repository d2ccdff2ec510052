"""Purging the edge cache (Varnish, Fastly, Cloudflare) by the names pages carry.

Reader pages say what they show in `Surrogate-Key` / `Cache-Tag` (articles/freshness); after a
change commits, a job (`PURGE_JOB`, recorded by `articles.freshness` with the change) sends
exactly those names here. A purge that fails raises, so the job is retried with backoff and,
in the end, listed for staff; it never touches the save that caused it.
"""

import json
import urllib.request

from django.conf import settings

PURGE_JOB = "edge.purge"
EVERY_PAGE = "all"  # a name every reader page carries: purged when a change's reach is unknown
TIMEOUT_SECONDS = 10
# Keys per request: Fastly takes 256 at most, Cloudflare 30 (below Enterprise); a Varnish
# request header of 100 short names stays far below its 8 KB limit.
BATCH = {"varnish": 100, "fastly": 256, "cloudflare": 30}


class PurgeFailed(Exception):
    pass


def enabled() -> bool:
    return settings.EDGE_PURGE != "none"


def purge(names) -> None:
    names = sorted(set(names))
    size = BATCH[settings.EDGE_PURGE]
    send = {"varnish": _varnish, "fastly": _fastly, "cloudflare": _cloudflare}[settings.EDGE_PURGE]
    for start in range(0, len(names), size):
        send(names[start : start + size])


def _call(request: urllib.request.Request) -> None:
    try:
        with urllib.request.urlopen(request, timeout=TIMEOUT_SECONDS) as response:
            if response.status >= 300:
                raise PurgeFailed(f"{request.full_url} answered {response.status}")
    except OSError as error:  # urllib's HTTPError and URLError are OSErrors
        raise PurgeFailed(f"{request.method} {request.full_url}: {error}") from error


def _varnish(names) -> None:
    """xkey: one PURGE per Varnish host, the names in `xkey-purge` (newsroom/varnish/). Every
    host is tried: one that is down does not keep the others stale."""
    failures = []
    for url in settings.EDGE_PURGE_URLS:
        try:
            _call(urllib.request.Request(url, method="PURGE", headers={"xkey-purge": " ".join(names)}))
        except PurgeFailed as failure:
            failures.append(str(failure))
    if failures:
        raise PurgeFailed("; ".join(failures))


def _fastly(names) -> None:
    """Fastly's purge by surrogate key, several keys in one call."""
    url = f"{settings.EDGE_API_URL or 'https://api.fastly.com'}/service/{settings.EDGE_SERVICE_ID}/purge"
    headers = {"Fastly-Key": settings.EDGE_API_TOKEN, "Surrogate-Key": " ".join(names), "Accept": "application/json"}
    _call(urllib.request.Request(url, method="POST", headers=headers))


def _cloudflare(names) -> None:
    """Cloudflare's purge by cache tag."""
    base = settings.EDGE_API_URL or "https://api.cloudflare.com/client/v4"
    url = f"{base}/zones/{settings.EDGE_SERVICE_ID}/purge_cache"
    headers = {"Authorization": f"Bearer {settings.EDGE_API_TOKEN}", "Content-Type": "application/json"}
    _call(urllib.request.Request(url, method="POST", headers=headers, data=json.dumps({"tags": names}).encode()))
