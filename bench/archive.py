"""A realistic archive for the benchmarks, written in bulk: N published articles over 20 sections
and 50 authors, bodies from our sample content (English and Chinese) and the seed, searchable."""

import datetime as dt
from pathlib import Path

SAMPLES = Path(__file__).resolve().parents[1] / "articles" / "sample_content"


def body_pool():
    from django.conf import settings

    from articles.frontmatter.reading import read_source
    from articles.rendering import HTML, MARKDOWN, looks_like_html, render_body

    pool = []
    for path in sorted(SAMPLES.glob("[0-9]*")):
        body = read_source(path, settings.IMPORT_MAX_FILE_BYTES).body
        fmt = HTML if looks_like_html(body) else MARKDOWN
        pool.append((body, fmt, render_body(body, fmt)))
    return pool


def build_archive(count, batch=2000):
    """Create `count` articles; return (an article from the middle, a top section, an author)."""
    from django.utils import timezone

    from articles import search
    from articles.models import Article, Author, Byline, Category, Tag, TaggedArticle

    top = [Category.objects.create(name=f"Section {i}") for i in range(4)]
    sections = [Category.objects.create(name=f"Desk {i}", parent=top[i % 4]) for i in range(16)] + top
    authors = [Author.objects.create(name=f"Reporter {i}") for i in range(50)]
    tags = [Tag.objects.create(name=f"topic {i}") for i in range(30)]
    pool = body_pool()
    now = timezone.now()
    for start in range(0, count, batch):
        articles = []
        for i in range(start, min(count, start + batch)):
            source, fmt, html = pool[i % len(pool)]
            article = Article(
                title=f"Harbourside story number {i}: 海港市新闻 {i}",
                slug=f"story-{i}",
                standfirst="A sentence about what happened and why it matters to readers.",
                body_source=source,
                body_format=fmt,
                status=Article.Status.PUBLISHED,
                published_at=now - dt.timedelta(minutes=i),
                category=sections[i % len(sections)],
            )
            article.prepare_for_save(rendered_body=html)
            articles.append(article)
        Article.objects.bulk_create(articles)
        Byline.objects.bulk_create(Byline(article=a, author=authors[a.pk % 50], position=0) for a in articles)
        TaggedArticle.objects.bulk_create(TaggedArticle(content_object=a, tag=tags[a.pk % 30]) for a in articles)
        search.index(articles)
    return sample_of_archive(count)


def prepare_archive(count, reuse=False):
    """Migrate, then build the archive of `count` articles (emptying the database first), or
    with `reuse` keep the one already there when it has that many. Returns what build_archive
    returns."""
    from django.core.management import call_command
    from django.db import connection

    from articles.models import Article

    call_command("collectstatic", interactive=False, verbosity=0)
    call_command("migrate", verbosity=0)
    if reuse and Article.objects.count() == count:
        found = sample_of_archive(count)
    else:
        call_command("flush", interactive=False, verbosity=0)
        found = build_archive(count)
    with connection.cursor() as cursor:
        # Fresh planner statistics, as a live database would have (and after migrations, nothing
        # left for PostgreSQL's autovacuum to do while the pages are timed).
        cursor.execute("VACUUM ANALYZE" if connection.vendor == "postgresql" else "ANALYZE")
    return found


def sample_of_archive(count):
    """(an article from the middle, a top section, an author) of an archive already built."""
    from articles.models import Article, Author, Category

    middle = Article.objects.order_by("-published_at", "-id")[count // 2]
    top = Category.objects.filter(parent=None).order_by("pk").first()
    return middle, top, Author.objects.order_by("pk").first()
