"""Writing one mapped file to the database, atomically."""

from django.db import transaction
from django.utils import timezone

from ..models import Article, Author, Byline, Category
from ..slugs import slug_from_text, unique_slug
from .mapping import ArticleData

CREATED, UPDATED, UNCHANGED = "created", "updated", "unchanged"


def save_article(data: ArticleData) -> tuple[str, Article]:
    """Create or update the article `data` describes; unchanged files are left alone."""
    existing = Article.objects.filter(source_key=data.source_key).first()
    if existing and existing.source_hash == data.content_hash:
        return UNCHANGED, existing
    with transaction.atomic():
        article = existing or Article()
        article.title = data.title
        article.standfirst = data.standfirst
        article.body_source = data.body_source
        article.body_format = data.body_format
        article.status = Article.Status.DRAFT if data.draft else Article.Status.PUBLISHED
        article.published_at = data.published_at
        article.category = category_for_path(data.category_path)
        article.lead_image_url = data.lead_image_url
        article.language = data.language
        article.featured = data.featured
        article.extra = data.extra
        article.source_key = data.source_key
        article.source_path = data.source_path
        article.source_hash = data.content_hash
        article.imported_at = timezone.now()
        if data.slug and data.slug != article.slug:
            base = slug_from_text(data.slug)
            article.slug = unique_slug(base, lambda s: Article.objects.filter(slug=s).exclude(pk=article.pk).exists())
        article.save()
        set_byline(article, [author_for(entry) for entry in data.authors])
        article.tags.set(data.tags, clear=True)
    return (UPDATED if existing else CREATED), article


def category_for_path(names: list[str]) -> Category | None:
    """The section at the end of `names`, creating the missing levels."""
    parent = None
    for name in names:
        slug = slug_from_text(name, fallback="section")
        parent, _ = Category.objects.get_or_create(parent=parent, slug=slug, defaults={"name": name})
    return parent


def author_for(entry: dict) -> Author:
    slug = slug_from_text(entry["name"], fallback="author")
    author, _ = Author.objects.get_or_create(
        slug=slug,
        defaults={"name": entry["name"], "email": entry.get("email", ""), "website": entry.get("website", "")},
    )
    return author


def set_byline(article: Article, authors: list[Author]) -> None:
    """Replace the byline, keeping order; two spellings of one name count once."""
    article.bylines.all().delete()
    unique = list({author.pk: author for author in reversed(authors)}.values())[::-1]
    Byline.objects.bulk_create(
        Byline(article=article, author=author, position=position) for position, author in enumerate(unique)
    )
