"""Time the admin's article change list at a given archive size, as a logged-in editor.

    .venv/bin/python bench/admin_bench.py [--articles 100000] [--requests 5]

Uses a throwaway SQLite file unless DATABASE_URL is set (then that database is *emptied*:
point it at a scratch database). Prints median and p95 milliseconds per page, the queries each
page ran and the slowest of them. Not a test: the figures depend on the machine.
"""

import argparse
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from bench.environment import time_requests, use_production_settings  # noqa: E402


def build_newsroom(count, batch=5000):
    """`count` articles in bulk, in every state: mostly live, some drafts, reviews and scheduled,
    1–2 authors, a tag, and a lead image on half. Bodies are the sample content's (real lengths,
    though the admin searches them through the search index); derived fields and index tokens
    are computed once per sample body. Returns (a top section, an author)."""
    import datetime as dt
    import hashlib

    from django.utils import timezone

    from articles import search
    from articles.models import Article, Author, Byline, Category, Tag, TaggedArticle
    from bench.archive import body_pool

    top = [Category.objects.create(name=f"Section {i}") for i in range(4)]
    sections = [Category.objects.create(name=f"Desk {i}", parent=top[i % 4]) for i in range(16)] + top
    authors = [Author.objects.create(name=f"Reporter {i}") for i in range(50)]
    tags = [Tag.objects.create(name=f"topic {i}") for i in range(30)]
    pool = [
        (source, fmt, html, hashlib.sha1(html.encode()).hexdigest(), search.document("", "", html).split())
        for source, fmt, html in body_pool()
    ]
    states = [Article.Status.PUBLISHED] * 17 + [Article.Status.DRAFT, Article.Status.REVIEW, "scheduled"]
    now = timezone.now()
    for start in range(0, count, batch):
        articles = []
        for i in range(start, min(count, start + batch)):
            source, fmt, html, body_hash, _tokens = pool[i % len(pool)]
            state = states[i % len(states)]
            articles.append(
                Article(
                    title=f"Harbourside story number {i}: 海港市新闻 {i}",
                    slug=f"story-{i}",
                    standfirst="A sentence about what happened and why it matters to readers.",
                    body_source=source,
                    body_format=fmt,
                    body=html,
                    body_hash=body_hash,
                    status=Article.Status.PUBLISHED if state == "scheduled" else state,
                    published_at=now + dt.timedelta(days=2) if state == "scheduled" else now - dt.timedelta(minutes=i),
                    updated_at=now,
                    category=sections[i % len(sections)],
                    lead_image_url="https://images.example/lead.jpg" if i % 2 else "",
                )
            )
        Article.objects.bulk_create(articles)
        Byline.objects.bulk_create(
            Byline(article=a, author=authors[(a.pk + k) % 50], position=k)
            for a in articles
            for k in range(1 + a.pk % 2)
        )
        TaggedArticle.objects.bulk_create(TaggedArticle(content_object=a, tag=tags[a.pk % 30]) for a in articles)
        search.index_rows(
            [
                (a.pk, " ".join(dict.fromkeys([*search.tokens(f"{a.title} {a.standfirst}"), *pool[i % len(pool)][4]])))
                for i, a in enumerate(articles, start)
            ]
        )
    return top[0], authors[0]


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--articles", type=int, default=100_000)
    parser.add_argument("--requests", type=int, default=5)
    parser.add_argument("--reuse", action="store_true", help="time the archive DATABASE_URL already holds")
    parser.add_argument("--queries", action="store_true", help="print each page's queries with their times")
    args = parser.parse_args()

    scratch = tempfile.TemporaryDirectory()
    use_production_settings(scratch.name, f"sqlite:///{scratch.name}/bench.sqlite3")
    import django

    django.setup()
    from django.contrib.auth.models import Group, User
    from django.core.management import call_command
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    from articles.models import Author, Category
    from articles.permissions import restore_editorial_groups

    call_command("collectstatic", interactive=False, verbosity=0)
    built = 0
    if not args.reuse:
        call_command("migrate", verbosity=0)
        call_command("flush", interactive=False, verbosity=0)
        restore_editorial_groups()
        start = time.perf_counter()
        build_newsroom(args.articles)
        built = time.perf_counter() - start
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")  # fresh planner statistics, as a live database would have
        editor = User.objects.create_user("editor", is_staff=True)
        editor.groups.add(Group.objects.get(name="Editors"))
    section = Category.objects.get(name="Section 0")
    author = Author.objects.get(name="Reporter 0")
    editor = User.objects.get(username="editor")
    client = Client()
    client.force_login(editor)
    base = "/admin/articles/article/"
    last_page = -(-args.articles // 50)
    pages = {
        "first page": base,
        "live in a section": f"{base}?state=live&section={section.pk}",
        "search (author)": f"{base}?q={author.name.replace(' ', '+')}",
        f"page {min(2000, last_page)}": f"{base}?p={min(2000, last_page)}",
    }
    print(
        f"{args.articles:,} articles on {connection.vendor} (built in {built:.0f} s), {args.requests} requests per page"
    )
    print(f"{'page':<20}{'median ms':>10}{'p95 ms':>10}{'queries':>9}  slowest query (ms)")
    for name, url in pages.items():
        with CaptureQueriesContext(connection) as queries:
            response = client.get(url)
        assert response.status_code == 200, (url, response.status_code)
        ran = queries.captured_queries  # now: the next request resets the log
        if args.queries:
            for query in ran:
                print(f"    {float(query['time']) * 1000:8.1f} ms  {query['sql'][:150]}")
        slowest = max(ran, key=lambda q: float(q["time"]))
        median, p95 = time_requests(client, url, args.requests)
        what = " ".join(slowest["sql"].split()[:3])
        print(f"{name:<20}{median:>10.1f}{p95:>10.1f}{len(ran):>9}  {float(slowest['time']) * 1000:.1f} ({what}…)")


if __name__ == "__main__":
    main()
