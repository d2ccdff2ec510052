"""Time the reader pages in-process at a given archive size, and count their queries.

    .venv/bin/python bench/page_bench.py [--articles 10000] [--requests 50]

Uses a throwaway SQLite file unless DATABASE_URL is set (then that database is *emptied*:
point it at a scratch database). Prints median and p95 milliseconds per page and the queries
each page ran. Not a test: the figures depend on the machine.
"""

import argparse
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--articles", type=int, default=10_000)
    parser.add_argument("--requests", type=int, default=50)
    args = parser.parse_args()

    scratch = tempfile.TemporaryDirectory()
    os.environ.setdefault("DATABASE_URL", f"sqlite:///{scratch.name}/bench.sqlite3")
    os.environ.update(
        DEBUG="0",
        SECRET_KEY="bench-" + "x" * 50,
        ALLOWED_HOSTS="testserver",
        SECURE_SSL_REDIRECT="0",
        STATIC_ROOT=f"{scratch.name}/static",
    )
    os.environ["DJANGO_SETTINGS_MODULE"] = "newsroom.settings"
    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connection
    from django.test import Client

    call_command("collectstatic", interactive=False, verbosity=0)
    call_command("migrate", verbosity=0)
    call_command("flush", interactive=False, verbosity=0)
    article, category, author = build_archive(args.articles)
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")  # fresh planner statistics, as a live database would have

    client = Client()
    pages = {
        "home": "/",
        "list page 1": "/articles/",
        "list page 50": "/articles/?page=50",
        "section": category.get_absolute_url(),
        "author": author.get_absolute_url(),
        "article": article.get_absolute_url(),
    }
    print(f"{args.articles:,} published articles on {connection.vendor}, {args.requests} requests per page")
    print(f"{'page':<14}{'median ms':>10}{'p95 ms':>10}{'queries':>9}")
    for name, url in pages.items():
        queries = []
        with connection.execute_wrapper(
            lambda execute, sql, *args, log=queries: log.append(sql) or execute(sql, *args)
        ):
            assert client.get(url).status_code == 200, url
        timings = []
        for _ in range(args.requests):
            start = time.perf_counter()
            client.get(url)
            timings.append((time.perf_counter() - start) * 1000)
        timings.sort()
        p95 = timings[int(len(timings) * 0.95) - 1]
        print(f"{name:<14}{statistics.median(timings):>10.2f}{p95:>10.2f}{len(queries):>9}")


def build_archive(count):
    """`count` published articles over 20 sections and 50 authors, written in bulk."""
    import datetime as dt

    from django.utils import timezone

    from articles.models import Article, Author, Byline, Category

    top = [Category.objects.create(name=f"Section {i}") for i in range(4)]
    sections = [Category.objects.create(name=f"Desk {i}", parent=top[i % 4]) for i in range(16)] + top
    authors = [Author.objects.create(name=f"Reporter {i}") for i in range(50)]
    now = timezone.now()
    articles = []
    for i in range(count):
        article = Article(
            title=f"Harbourside story number {i}",
            slug=f"story-{i}",
            standfirst="A sentence about what happened and why it matters to readers.",
            body_source="A paragraph of text.\n\n" * 8,
            status=Article.Status.PUBLISHED,
            published_at=now - dt.timedelta(minutes=i),
            category=sections[i % len(sections)],
        )
        article.prepare_for_save()
        articles.append(article)
    Article.objects.bulk_create(articles, batch_size=1000)
    saved = list(Article.objects.order_by("pk").values_list("pk", flat=True))
    Byline.objects.bulk_create(
        (Byline(article_id=pk, author=authors[n % 50], position=0) for n, pk in enumerate(saved)), batch_size=2000
    )
    return Article.objects.order_by("-published_at")[count // 2], sections[0], authors[0]


if __name__ == "__main__":
    main()
