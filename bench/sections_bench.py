"""What the sections page (`/sections/`: every section, with its stories counted) costs when built
from nothing, against the home page and an article page built from nothing, in-process.

    .venv/bin/python bench/sections_bench.py [--articles 20000] [--sqlite PATH [--reuse]] [--requests 30]

Nothing is kept (`CACHE_URL=dummycache://`): each request builds its page, header included, from
the database. Prints medians, their ratios, and the queries each page ran. Not a test.
"""

import argparse
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
from bench.environment import use_production_settings  # noqa: E402


def median_ms(client, url, count) -> float:
    timings = []
    for _ in range(count):
        start = time.perf_counter()
        assert client.get(url).status_code == 200, url
        timings.append((time.perf_counter() - start) * 1000)
    return statistics.median(timings)


def add_sections(count):
    """`count` subsections under the archive's desks (a corpus's tree is hundreds), every
    hundredth story of the archive moved into one of them."""
    from articles.models import Article, Category

    desks = list(Category.objects.filter(parent__isnull=False).order_by("pk")[:16])
    made = [Category.objects.get_or_create(name=f"Beat {n}", parent=desks[n % len(desks)])[0] for n in range(count)]
    ids = list(Article.objects.order_by("pk").values_list("pk", flat=True)[::100])
    for n, pk in enumerate(ids):
        Article.objects.filter(pk=pk).update(category=made[n % len(made)])


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--articles", type=int, default=20_000)
    parser.add_argument("--requests", type=int, default=30)
    parser.add_argument("--sections", type=int, default=300, help="subsections added, each given stories")
    parser.add_argument("--sqlite", metavar="PATH")
    parser.add_argument("--reuse", action="store_true")
    args = parser.parse_args()
    scratch = tempfile.TemporaryDirectory()
    use_production_settings(scratch.name, f"sqlite:///{os.path.abspath(args.sqlite or scratch.name + '/a.sqlite3')}")
    os.environ["CACHE_URL"] = "dummycache://"
    import django

    django.setup()
    from django.db import connection
    from django.test import Client

    from articles.models import Category
    from bench.archive import prepare_archive

    story, _, _ = prepare_archive(args.articles, reuse=args.reuse)
    add_sections(args.sections)
    client = Client()
    pages = [("home", "/"), ("article", story.get_absolute_url()), ("sections", "/sections/")]
    results = {}
    for name, url in pages:
        client.get(url)
        queries = []

        def counted(execute, sql, *rest, queries=queries):
            queries.append(sql)
            return execute(sql, *rest)

        with connection.execute_wrapper(counted):
            client.get(url)
        results[name] = (median_ms(client, url, args.requests), len(queries))
    sections = Category.objects.count()
    print(f"{args.articles} articles, {sections} sections, {connection.vendor}, nothing kept:")
    home = results["home"][0]
    for name, (ms, queries) in results.items():
        print(f"  {name:9} {ms:7.2f} ms ({queries} queries), {ms / home:.2f}× home")


if __name__ == "__main__":
    main()
