"""An article as a front-matter file: the inverse of the import mapping, so an export imported
into an empty database gives the same articles back."""

import re
import shutil
from pathlib import Path

import yaml
from django.conf import settings
from django.core.files.storage import default_storage
from django.utils import timezone

from ..models import Article, Retraction
from .identity import explicit_identity
from .mapping import EXTRA_SECTIONS, READ_KEYS, written_key

_MEDIA_REFERENCE = re.compile(re.escape(settings.MEDIA_URL) + r"(imported/[\w/.-]+)")


def front_matter(article: Article) -> dict:
    """The article's front matter, each value under the key the mapping table gives its field
    first (`written_key`), then the extra data as it was imported: under its own keys, except
    those the importer would read as a field (a `headimg` kept beside a `thumbnail`), which go
    under `extra`'s key and come back as extra data."""
    sections = _categories(article)
    fields = {
        "identity": explicit_identity(article.source_key),
        "title": article.title,
        "slug": article.slug,
        "published_at": _iso(article.published_at),
        "modified_at": _iso(article.substantively_updated_at),
        "expires_at": _iso(article.expires_at),
        "draft": article.status != Article.Status.PUBLISHED or None,
        "status": article.status if article.status == Article.Status.REVIEW else None,
        "retraction": _retraction(article),
        "categories": sections,
        "authors": [_author(b.author, b.role) for b in article.bylines.all()] or None,
        "tags": [t.name for t in article.tags.all()] or None,
        "standfirst": article.standfirst,  # as written: even empty, or the importer would make one
        "lead_image": article.lead_image_url or None,
        "lead_image_caption": article.lead_image_caption or None,
        "lead_image_credit": article.lead_image_credit or None,
        "lead_image_alt": article.lead_image_alt or None,
        "lead_image_decorative": article.lead_image_decorative or None,
        "lead_image_copyright": article.lead_image_copyright or None,
        "lead_image_license_url": article.lead_image_license_url or None,
        "lead_image_acquire_license_url": article.lead_image_acquire_license_url or None,
        "lead_image_focus": f"{article.lead_image_focus_x},{article.lead_image_focus_y}"
        if article.lead_image_focus != (50, 50)
        else None,
        "language": article.language or None,
        "translation_key": article.translation_key or None,
        "keywords": article.keywords or None,
        "featured": article.featured or None,
        "body_format": article.body_format,
    }
    data = {written_key(name): value for name, value in fields.items() if value is not None}
    extra = dict(article.extra or {})
    if sections is not None and sections == extra.get(EXTRA_SECTIONS):
        del extra[EXTRA_SECTIONS]  # written as the categories: they come back as the extra data too
    kept = {k: v for k, v in extra.items() if k in READ_KEYS}
    if kept:
        data[written_key("extra")] = kept
    return {**data, **{k: v for k, v in extra.items() if k not in READ_KEYS}}


def export_article(article: Article, folder: Path, aliases=()) -> Path:
    """Write `article` to `folder/<id>-<slug>/index.md` (a page bundle), with the images it
    keeps in media storage beside it, referenced relatively, so the folder travels whole."""
    meta = front_matter(article)
    if aliases:
        meta[written_key("aliases")] = sorted(aliases)
    # A short name: a Chinese slug percent-encoded in a file system could pass 255 bytes.
    bundle = folder / f"{article.pk:06d}-{article.slug[:40]}"
    bundle.mkdir(parents=True, exist_ok=True)
    if article.lead_image:
        meta[written_key("lead_image")] = _copy_media(article.lead_image.name, bundle)
    body = _MEDIA_REFERENCE.sub(lambda m: _copy_media(m.group(1), bundle) or m.group(0), article.body_source)
    path = bundle / "index.md"
    text = "---\n" + yaml.safe_dump(meta, allow_unicode=True, sort_keys=False) + "---\n\n" + body + "\n"
    path.write_text(text, encoding="utf-8")
    return path


def _copy_media(name: str, bundle: Path) -> str:
    """Copy a stored file into the bundle; its name there, or "" when it is missing."""
    if not default_storage.exists(name):
        return ""
    target = Path(name).name
    with default_storage.open(name, "rb") as src, open(bundle / target, "wb") as dst:
        shutil.copyfileobj(src, dst)
    return target


def _categories(article: Article):
    """The section path by names (a name may itself contain " / "); when the article still files
    under the first of several imported paths, all of them."""
    if not article.category:
        return None
    path = [c.name for c in article.category.ancestors()] + [article.category.name]
    imported = (article.extra or {}).get(EXTRA_SECTIONS)
    return imported if imported and imported[0] == path else path


def _retraction(article):
    """A retracted story's record, so the archive loses nothing and an import brings the story
    back retracted, never to readers (it is also `draft: true`, for any other tool reading the
    file). A takedown's words are kept too: the export is the operators' backup, not a page."""
    if not article.is_retracted:
        return None
    try:
        record = article.retraction
    except Retraction.DoesNotExist:  # retracted in the shell without its record: still never for readers
        return {"kind": Retraction.Kind.TAKEDOWN, "at": _iso(article.updated_at)}
    by = record.retracted_by.get_username() if record.retracted_by else None
    entry = {"kind": record.kind, "at": _iso(record.retracted_at), "note": record.note or None, "by": by}
    return {k: v for k, v in entry.items() if v is not None}


def _iso(value):
    return timezone.localtime(value).isoformat() if value else None


def _author(author, role=""):
    """Name, slug (who they are, when two share a name: `Author.objects.for_byline`), the email
    address and website when there are, and the role on this story when it has one."""
    entry = {"name": author.name, "slug": author.slug, "email": author.email, "url": author.website, "role": role}
    return {k: v for k, v in entry.items() if v}
