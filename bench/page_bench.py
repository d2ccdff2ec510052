"""Time the reader pages in-process at a given archive size, and count their queries.

    .venv/bin/python bench/page_bench.py [--articles 10000] [--requests 50]

Uses a throwaway SQLite file unless DATABASE_URL is set (then that database is *emptied*:
point it at a scratch database). Prints median and p95 milliseconds per page and the queries
each page ran. Not a test: the figures depend on the machine.
"""

import argparse
import os
import sys
import tempfile
from pathlib import Path
from urllib.parse import quote

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from bench.environment import time_requests, use_production_settings  # noqa: E402


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--articles", type=int, default=10_000)
    parser.add_argument("--requests", type=int, default=50)
    parser.add_argument(
        "--sqlite", metavar="PATH", help="keep the SQLite archive in this file (default: a temporary one)"
    )
    parser.add_argument(
        "--reuse", action="store_true", help="keep the archive already in the database if it has --articles articles"
    )
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
    pages = {
        "home": "/",
        "list page 1": "/articles/",
        "list page 50": "/articles/?page=50",
        "section": category.get_absolute_url(),
        "author": author.get_absolute_url(),
        "article": article.get_absolute_url(),
        "search": "/search/?q=" + quote("harbourside 海港"),
    }
    print(f"{args.articles:,} published articles on {connection.vendor}, {args.requests} requests per page")
    print(f"{'page':<14}{'median ms':>10}{'p95 ms':>10}{'queries, first visit / later':>30}")
    for name, url in pages.items():
        queries = [[], []]
        for log in queries:
            with connection.execute_wrapper(
                lambda execute, sql, *args, log=log: log.append(sql) or execute(sql, *args)
            ):
                assert client.get(url).status_code == 200, url
        median, p95 = time_requests(client, url, args.requests)
        counts = f"{len(queries[0])} / {len(queries[1])}"
        print(f"{name:<14}{median:>10.2f}{p95:>10.2f}{counts:>30}")


if __name__ == "__main__":
    main()
