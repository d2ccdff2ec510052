"""An article as a front-matter file: the inverse of the import mapping, so an export imported
into an empty database gives the same articles back."""

import shutil
from pathlib import Path

import yaml
from django.core.files.storage import default_storage
from django.utils import timezone

from .models import Article


def front_matter(article: Article) -> dict:
    data = {
        "title": article.title,
        "slug": article.slug,
        "date": _iso(article.published_at),
        "updated": _iso(article.modified_at),
        "expiryDate": _iso(article.expires_at),
        "draft": article.status != Article.Status.PUBLISHED or None,
        "status": article.status if article.status == Article.Status.REVIEW else None,
        "categories": (article.extra or {}).get("categories")
        or (article.category.full_name.split(" / ") if article.category else None),
        "authors": [_author(b.author) for b in article.bylines.all()] or None,
        "tags": [t.name for t in article.tags.all()] or None,
        "summary": article.standfirst or None,
        "image": article.lead_image_url or None,
        "lang": article.language or None,
        "keywords": article.keywords or None,
        "featured": article.featured or None,
        "markup": article.body_format,
    }
    extra = {k: v for k, v in (article.extra or {}).items() if k not in data}
    return {k: v for k, v in {**data, **extra}.items() if v is not None}


def export_article(article: Article, folder: Path, aliases=()) -> Path:
    """Write `article` to `folder/<id>-<slug>.md`, with its uploaded lead image beside it."""
    meta = front_matter(article)
    if aliases:
        meta["aliases"] = sorted(aliases)
    name = f"{article.pk:06d}-{article.slug}"
    if article.lead_image:
        image_name = name + Path(article.lead_image.name).suffix
        with default_storage.open(article.lead_image.name, "rb") as src, open(folder / image_name, "wb") as dst:
            shutil.copyfileobj(src, dst)
        meta["image"] = image_name
    path = folder / f"{name}.md"
    text = "---\n" + yaml.safe_dump(meta, allow_unicode=True, sort_keys=False) + "---\n\n" + article.body_source + "\n"
    path.write_text(text, encoding="utf-8")
    return path


def _iso(value):
    return timezone.localtime(value).isoformat() if value else None


def _author(author):
    if author.email or author.website:
        entry = {"name": author.name, "email": author.email, "url": author.website}
        return {k: v for k, v in entry.items() if v}
    return author.name
