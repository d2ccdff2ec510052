from pathlib import Path

from django.http import HttpResponse
from django.urls import path

from newsroom.urls import urlpatterns as site_urlpatterns

PAGE = Path(__file__).with_name("trivial-page.html")


def trivial(request):
    """The same bytes as the home page, with no work at all: what Django itself costs."""
    return HttpResponse(PAGE.read_bytes() if PAGE.exists() else b"<!doctype html><p>trivial</p>")


urlpatterns = [path("__trivial__/", trivial), *site_urlpatterns]
