"""Old addresses keep working: django.contrib.redirects rows, kept pointing at the current URL."""

from urllib.parse import urlsplit

from django.conf import settings
from django.contrib.redirects.models import Redirect
from django.utils.encoding import iri_to_uri

MAX_PATH = Redirect._meta.get_field("old_path").max_length


def as_site_path(url: str) -> str:
    """The path part of an alias as a request would show it (`releases/1.88.0` -> `/releases/1.88.0`)."""
    path = urlsplit(str(url).strip()).path
    return iri_to_uri(path if path.startswith("/") else "/" + path)


def add_alias(old_path: str, new_path: str) -> bool:
    """Send `old_path` to `new_path` with a 301. False when the old path cannot be stored."""
    old_path = as_site_path(old_path)
    if old_path == new_path or len(old_path) > MAX_PATH or old_path == "/":
        return False
    Redirect.objects.update_or_create(site_id=settings.SITE_ID, old_path=old_path, defaults={"new_path": new_path})
    return True


def record_move(old_url: str, new_url: str) -> None:
    """An article's address changed: the old one and everything that led to it now lead to the new one."""
    Redirect.objects.filter(site_id=settings.SITE_ID, new_path=old_url).update(new_path=new_url)
    Redirect.objects.filter(site_id=settings.SITE_ID, old_path=new_url).delete()
    add_alias(old_url, new_url)
