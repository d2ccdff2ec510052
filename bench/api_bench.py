"""Time the content API in-process at a given archive size, and count its queries.

    .venv/bin/python bench/api_bench.py [--articles 5000] [--requests 30]

Uses a throwaway SQLite file unless DATABASE_URL is set (then that database is *emptied*:
point it at a scratch database). Prints median and p95 milliseconds per address, its queries,
and each one's cost as a ratio of the first page's (within this run: a deep cursor page should
cost what the first does, a 304 less). Not a test: the figures depend on the machine.
"""

import argparse
import os
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from bench.environment import time_requests, use_production_settings  # noqa: E402


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--articles", type=int, default=5_000)
    parser.add_argument("--requests", type=int, default=30)
    parser.add_argument("--sqlite", metavar="PATH", help="keep the SQLite archive in this file")
    parser.add_argument("--reuse", action="store_true", help="keep an archive of --articles articles already there")
    args = parser.parse_args()

    scratch = tempfile.TemporaryDirectory()
    sqlite = os.path.abspath(args.sqlite or f"{scratch.name}/bench.sqlite3")
    use_production_settings(scratch.name, f"sqlite:///{sqlite}")
    import django

    django.setup()
    from django.db import connection
    from django.test import Client

    from bench.archive import prepare_archive

    article, category, author = prepare_archive(args.articles, reuse=args.reuse)
    client = Client()
    deep = "/api/v1/articles/"
    for _ in range(50):  # fifty pages down, by their cursors
        deep = client.get(deep).json()["next"] or deep
    addresses = {
        "first page": "/api/v1/articles/",
        "page 51": deep,
        "section": f"/api/v1/articles/?section={category.path}",
        "author": f"/api/v1/articles/?author={author.slug}",
        "fields=id,title": "/api/v1/articles/?fields=id,title",
        "one story": f"/api/v1/articles/{article.pk}/",
        "sections": "/api/v1/sections/",
    }
    print(f"{args.articles:,} published articles on {connection.vendor}, {args.requests} requests each")
    print(f"{'address':<18}{'median ms':>10}{'p95 ms':>10}{'queries':>9}{'× first page':>14}")
    first = None
    for name, url in addresses.items():
        log = []
        with connection.execute_wrapper(lambda execute, sql, *a, log=log: log.append(sql) or execute(sql, *a)):
            assert client.get(url).status_code == 200, url
        median, p95 = time_requests(client, url, args.requests)
        first = first or median
        print(f"{name:<18}{median:>10.2f}{p95:>10.2f}{len(log):>9}{median / first:>14.2f}")
    etag = client.get(addresses["first page"])["ETag"]
    timings = []
    for _ in range(args.requests):
        start = time.perf_counter()
        assert client.get(addresses["first page"], HTTP_IF_NONE_MATCH=etag).status_code == 304
        timings.append((time.perf_counter() - start) * 1000)
    timings.sort()
    median = timings[len(timings) // 2]
    print(
        f"{'first page, 304':<18}{median:>10.2f}{timings[int(len(timings) * 0.95) - 1]:>10.2f}{'':>9}{median / first:>14.2f}"
    )


if __name__ == "__main__":
    main()
