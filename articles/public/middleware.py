"""The reader middlewares: compression, the whole-page cache, and old addresses answering 301
(410 once their story is retracted).

The page cache serves anonymous GET/HEAD requests for reader pages (no session cookie, not the
admin, not a staff preview) from Django's default cache: local memory, or Redis at scale. It
sits near the top of the stack, so a hit skips sessions, authentication and the view
altogether, and costs one round trip to the cache (`freshness.reading`). A page is kept with
the names of what it showed (`freshness.shown`), and is stale as soon as one of those changes
or a scheduled story it would list goes live. Reader pages also tell an edge cache those names
(`Surrogate-Key`, `Cache-Tag`). A page is built from, and kept under, only the query parameters
its view reads; a search's page is never kept whole.
"""

import functools

from django.conf import settings
from django.http import HttpResponse, QueryDict
from django.middleware.gzip import GZipMiddleware, re_accepts_gzip
from django.shortcuts import redirect
from django.urls import Resolver404, resolve
from django.utils.cache import patch_cache_control, patch_vary_headers, set_response_etag
from django.utils.text import compress_string

from .. import freshness, redirects
from .retracted import gone

EXCLUDED_PREFIXES = ("/admin/", "/static/", "/media/")


def reads(**parameters):
    """Declares the query parameters a function view reads, {name: its canonical form} (a view
    class says the same with a `query_parameters` attribute). See `_only_what_the_view_reads`."""

    def declare(view):
        @functools.wraps(view)
        def declared(*args, **kwargs):
            return view(*args, **kwargs)

        declared.query_parameters = parameters
        return declared

    return declare


def _view_class(request):
    try:
        match = resolve(request.path_info)
    except Resolver404:
        return None
    return getattr(match.func, "view_class", match.func)


def _only_what_the_view_reads(request):
    """Leaves in `request.GET` only the parameters the page's view declares it reads, each in its
    canonical form (`02` is page 2, page 1 is the list's own address), so every other parameter
    or spelling gets the page of the canonical address, built and kept once, and makes no entry
    of its own (issue 12: a few hundred `?q=<junk>` evicted the hot pages). Returns the view, or
    None when it declares nothing: the request is then left as it came, and the page unkept.

    Ignoring what the page does not read is what caches in front of sites do (a cache key that
    includes only the named query parameters); a redirect to the canonical address would cost
    every reader of a tagged link (`utm_source`, `fbclid`) a round trip, and not caching them
    would let anyone bypass the cache at will."""
    view = _view_class(request)
    declared = getattr(view, "query_parameters", None)
    if declared is None:
        return None
    canonical = QueryDict(mutable=True)
    for name, canonical_form in declared.items():
        if value := canonical_form(request.GET.get(name, "")):
            canonical[name] = value
    canonical._mutable = False
    request.GET = canonical
    return view


def _cacheable(request) -> bool:
    return request.method in ("GET", "HEAD") and settings.SESSION_COOKIE_NAME not in request.COOKIES


def _private(response) -> bool:
    control = response.get("Cache-Control", "")
    return "private" in control or "no-cache" in control or "no-store" in control


class PageCacheMiddleware:
    """Every request reads content within one `freshness.reading`; anonymous reader pages are
    kept whole."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        reader = not request.path.startswith(EXCLUDED_PREFIXES)
        cacheable = reader and _cacheable(request)
        shared = True  # whether caches in front (the edge) may keep the page under its address
        if reader and request.GET:  # only then: a page without a query is known by its address
            asked = sorted(request.GET.lists())
            view = _only_what_the_view_reads(request)
            cacheable = cacheable and view is not None
            kept = cacheable and (not request.GET or getattr(view, "page_cache_with_query", True))
            # Another spelling of a page (junk parameters, `?page=01`) or a search: the edge
            # would keep one copy per address, without end. Here it is the canonical page's.
            shared = kept and sorted(request.GET.lists()) == asked
        else:
            kept = cacheable
        page_cache = kept and getattr(settings, "PAGE_CACHE_SECONDS", 0)
        key = freshness.page_key(request) if page_cache else None
        with freshness.reading(key) as found:
            if found is not freshness.MISSING:
                hit = _unpacked(found, request)
                return hit if shared else _for_this_reader_only(hit)
            with freshness.collecting() as shown:
                response = self.get_response(request)
            if reader and response.has_header("Last-Modified"):
                # What a reader page shows changes without any time we could send going
                # forward: a story taken down takes the newest time with it, and a neighbour,
                # a name or the navigation changes without the page's own. A client asking
                # If-Modified-Since would keep what was removed; the ETag (the bytes) stays.
                del response["Last-Modified"]
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
                freshness.store(key, _packed(response), shown, timeout=settings.PAGE_CACHE_SECONDS, remember=True)
                response["X-Page-Cache"] = "miss"
        return response if shared else _for_this_reader_only(response)


def _for_this_reader_only(response):
    """A page the browser may keep briefly but a shared cache must not: the edge keys on the
    whole address, so it would keep one copy per spelling or search."""
    if response.get("Cache-Control") and not _private(response):
        response["Cache-Control"] = f"private, max-age={settings.BROWSER_CACHE_SECONDS}"
    return response


def _packed(response) -> tuple:
    """What a hit needs of a page, as plain data: cheaper to keep and to read back than the
    pickled response object. Its gzipped bytes are kept beside the plain ones (a fifth of their
    size), so a hit for a client that accepts gzip is not compressed again each time
    (bench/compression_bench.py: compressing is 15-80% of a hit's own cost)."""
    content = response.content
    gzipped = None
    if len(content) >= 200 and not response.has_header("Content-Encoding"):
        gzipped = compress_string(content, max_random_bytes=GZipMiddleware.max_random_bytes)
    return response.status_code, list(response.items()), content, gzipped


def _unpacked(packed, request) -> HttpResponse:
    status, headers, content, *rest = packed  # pages kept before their gzipped bytes were have none
    gzipped = rest[0] if rest else None
    wants_gzip = gzipped is not None and re_accepts_gzip.search(request.META.get("HTTP_ACCEPT_ENCODING", ""))
    response = HttpResponse(gzipped if wants_gzip else content, status=status)
    for header, value in headers:
        response[header] = value
    if wants_gzip:  # as ReaderGZipMiddleware would have sent it (it passes what is encoded already)
        response["Content-Encoding"] = "gzip"
        response["Content-Length"] = str(len(gzipped))
        if response.get("ETag", "").startswith('"'):
            response["ETag"] = "W/" + response["ETag"]
        patch_vary_headers(response, ["Accept-Encoding"])
    response["X-Page-Cache"] = "hit"
    return response


class ReaderGZipMiddleware(GZipMiddleware):
    """Reader pages, feeds and sitemaps gzipped for clients that accept it (a story page is a
    fifth of its size), with `Vary: Accept-Encoding`. A page-cache hit comes gzipped already
    (the cache keeps both: `_packed`), and passes through untouched.

    Compression is safe only where a response holds no secret an attacker could guess byte by
    byte from its compressed size while reflecting text of their own into it (BREACH). Readers'
    pages hold none: no CSRF token (the search form is a GET), no session, nothing per user —
    so anonymous requests are compressed, and nothing else is. The admin (CSRF tokens in every
    form, the editor's data), a signed-in user's request (previews, per-user pages) and any
    response setting a cookie stay as they were. Django adds up to 100 random bytes to each
    gzip stream besides (its own BREACH mitigation; a kept page keeps the ones it was packed with), and makes the ETag weak (`W/"…"`), which
    conditional requests still match."""

    def process_response(self, request, response):
        if (
            request.path.startswith(EXCLUDED_PREFIXES)
            or settings.SESSION_COOKIE_NAME in request.COOKIES
            or response.cookies
        ):
            return response
        return super().process_response(request, response)


class OldAddressMiddleware:
    """Where the site would answer 404, an old address of a published article answers 301, and
    one of a retracted article 410 Gone, as its own address does."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        if response.status_code != 404:
            return response
        found = redirects.article_at(request.path)
        if found is None:
            return response
        return gone(request, found) if found.is_retracted else redirect(found, permanent=True)
