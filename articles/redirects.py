"""Old addresses keep working: every address an article had answers 301 to its current one (410
Gone, as its own address does, once it is retracted)."""

import hashlib
from urllib.parse import unquote, urlsplit

from django.db.models import Exists, OuterRef


def normalize(path_or_url: str) -> str:
    """The form addresses are stored and looked up in: path only, decoded, leading slash, no
    trailing slash (so `/releases/1.88.0/` and `releases/1.88.0` are one address)."""
    path = unquote(urlsplit(str(path_or_url).strip()).path)
    return "/" + path.strip("/")


def path_hash(path: str) -> str:
    return hashlib.sha1(path.encode()).hexdigest()


def old_address(article, path_or_url: str):
    """An unsaved OldAddress sending `path_or_url` to `article`, or None when there is nothing to
    redirect (the site root, or the article's own address)."""
    from .models import OldAddress

    path = normalize(path_or_url)
    if path == "/" or path == normalize(article.get_absolute_url()):
        return None
    return OldAddress(path=path, path_hash=path_hash(path), article=article)


def save_old_addresses(addresses) -> None:
    """Store addresses in bulk; an address already known now leads to its newer article."""
    from .models import OldAddress

    addresses = list({a.path_hash: a for a in addresses if a is not None}.values())
    if addresses:
        OldAddress.objects.bulk_create(
            addresses, update_conflicts=True, unique_fields=["path_hash"], update_fields=["article", "path"]
        )


def record_move(article, old_url: str) -> None:
    """The article's address changed: its old one now redirects, and the new one is nobody's old one."""
    from .models import OldAddress

    OldAddress.objects.filter(path_hash=path_hash(normalize(article.get_absolute_url()))).delete()
    save_old_addresses([old_address(article, old_url)])


def article_at(path: str):
    """The article whose old address `path` is, if that address still answers for it: published
    (301 to it) or retracted (410 Gone); else None."""
    from .models import Article, OldAddress

    answering = (Article.objects.published() | Article.objects.retracted()).filter(pk=OuterRef("article_id"))
    found = (
        OldAddress.objects.filter(path_hash=path_hash(normalize(path)))
        .filter(Exists(answering))
        .select_related("article__retraction")
        .first()
    )
    return found.article if found else None
