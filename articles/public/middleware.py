"""The reader middlewares: the whole-page cache, and old addresses answering 301.

The page cache serves anonymous GET/HEAD requests for reader pages (no session cookie, not the
admin, not a staff preview) from Django's default cache: local memory, or Redis at scale. It
sits near the top of the stack, so a hit skips sessions, authentication and the view
altogether, and costs one round trip to the cache (`freshness.reading`). A page is kept with
the names of what it showed (`freshness.shown`), and is stale as soon as one of those changes
or a scheduled story it would list goes live. Reader pages also tell an edge cache those names
(`Surrogate-Key`, `Cache-Tag`).
"""

from django.conf import settings
from django.http import HttpResponse
from django.shortcuts import redirect
from django.utils.cache import patch_cache_control, patch_vary_headers, set_response_etag

from .. import freshness, redirects

EXCLUDED_PREFIXES = ("/admin/", "/static/", "/media/")
# Reader pages read only these; any other parameter would make a new, useless cache entry.
KNOWN_PARAMETERS = {"page", "q"}


def _page_key(request) -> str:
    # Host and scheme too: pages carry absolute canonical and sharing addresses.
    return freshness.key("page", request.method, f"{request.scheme}://{request.get_host()}{request.get_full_path()}")


def _cacheable(request) -> bool:
    return (
        request.method in ("GET", "HEAD")
        and settings.SESSION_COOKIE_NAME not in request.COOKIES
        and not request.path.startswith(EXCLUDED_PREFIXES)
        and set(request.GET) <= KNOWN_PARAMETERS
    )


def _private(response) -> bool:
    control = response.get("Cache-Control", "")
    return "private" in control or "no-cache" in control or "no-store" in control


class PageCacheMiddleware:
    """Every request reads content within one `freshness.reading`; anonymous reader pages are
    kept whole."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        cacheable = _cacheable(request)
        page_cache = cacheable and getattr(settings, "PAGE_CACHE_SECONDS", 0)
        key = _page_key(request) if page_cache else None
        with freshness.reading(key) as found:
            if found is not freshness.MISSING:
                return _unpacked(found)
            with freshness.collecting() as shown:
                response = self.get_response(request)
            if not cacheable or response.status_code != 200 or response.cookies or _private(response):
                return response
            if hasattr(response, "render") and callable(response.render):
                response.render()
            for header, value in freshness.edge_headers(shown).items():
                response[header] = value
            patch_cache_control(
                response,
                public=True,
                max_age=settings.BROWSER_CACHE_SECONDS,
                s_maxage=settings.EDGE_CACHE_SECONDS,  # shared caches: purged on change (newsroom/edge.py)
                stale_while_revalidate=settings.EDGE_STALE_SECONDS,
                stale_if_error=settings.EDGE_STALE_IF_ERROR_SECONDS,
            )
            patch_vary_headers(response, ["Cookie"])
            if page_cache:
                set_response_etag(response)  # stored with the page, so a hit need not hash it again
                # Searches are too many to remember what each showed: their hits take two trips.
                remember = "q" not in request.GET
                freshness.store(key, _packed(response), shown, timeout=settings.PAGE_CACHE_SECONDS, remember=remember)
                response["X-Page-Cache"] = "miss"
        return response


def _packed(response) -> tuple:
    """What a hit needs of a page, as plain data: cheaper to keep and to read back than the
    pickled response object."""
    return response.status_code, list(response.items()), response.content


def _unpacked(packed) -> HttpResponse:
    status, headers, content = packed
    response = HttpResponse(content, status=status)
    for header, value in headers:
        response[header] = value
    response["X-Page-Cache"] = "hit"
    return response


class OldAddressMiddleware:
    """Where the site would answer 404, an old address of a published article answers 301."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        if response.status_code != 404:
            return response
        found = redirects.published_article_at(request.path)
        return redirect(found, permanent=True) if found else response
