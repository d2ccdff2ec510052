"""The reader middlewares: the whole-page cache, and old addresses answering 301.

The page cache serves anonymous GET/HEAD requests for reader pages (no session cookie, not the
admin, not a staff preview) from Django's default cache: local memory, or Redis at scale. It
sits near the top of the stack, so a hit skips sessions, authentication and the view
altogether. Its entries follow `freshness`'s rule: gone with any content change, and never
served past the next scheduled publication, so a scheduled story appears on time on every page.
"""

from django.conf import settings
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
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if not getattr(settings, "PAGE_CACHE_SECONDS", 0) or not _cacheable(request):
            return self.get_response(request)
        key = _page_key(request)
        response = freshness.load(key, None)
        if response is not None:
            response["X-Page-Cache"] = "hit"
            return response
        valid_until = freshness.next_publication()  # before the page's "now" (freshness.store)
        response = self.get_response(request)
        if response.status_code == 200 and not response.cookies and not _private(response):
            if hasattr(response, "render") and callable(response.render):
                response.render()
            patch_cache_control(response, public=True, max_age=60)
            patch_vary_headers(response, ["Cookie"])
            set_response_etag(response)  # stored with the page, so a hit need not hash it again
            freshness.store(key, response, valid_until, timeout=settings.PAGE_CACHE_SECONDS)
            response["X-Page-Cache"] = "miss"
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
