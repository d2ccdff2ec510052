"""Reader addresses of stories, sections, tags and authors, reversed once each.

A list page shows some hundred addresses (each card links its story, section and authors), and
`reverse()` walks the URL patterns for every one: measured, a fifth of a cold home page. An
address depends only on its parts and the script prefix, so it is remembered, in a bounded
cache, per process.
"""

from functools import lru_cache

from django.conf import settings
from django.urls import get_script_prefix, get_urlconf, reverse


def address(viewname: str, **kwargs) -> str:
    urlconf = get_urlconf() or settings.ROOT_URLCONF
    return _reversed(urlconf, get_script_prefix(), viewname, tuple(sorted(kwargs.items())))


@lru_cache(maxsize=50_000)
def _reversed(urlconf: str, prefix: str, viewname: str, kwargs: tuple) -> str:
    return reverse(viewname, urlconf=urlconf, kwargs=dict(kwargs))
