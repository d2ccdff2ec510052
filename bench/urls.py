from pathlib import Path

from django.http import HttpResponse
from django.urls import path
from django.views.decorators.cache import never_cache

from newsroom.urls import urlpatterns as site_urlpatterns

PAGE = Path(__file__).with_name("trivial-page.html")


@never_cache  # the ceiling is Django's own stack, not a page-cache hit
def trivial(request):
    """The same bytes as the home page, with no work at all: what Django itself costs."""
    return HttpResponse(PAGE.read_bytes() if PAGE.exists() else b"<!doctype html><p>trivial</p>")


urlpatterns = [path("__trivial__/", trivial), *site_urlpatterns]
