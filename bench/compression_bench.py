"""What gzip saves on reader pages, and what it costs a page-cache hit, in one run.

    .venv/bin/python bench/compression_bench.py [--articles 2000] [--requests 300]

Builds a throwaway SQLite archive (bench/archive.py), turns the page cache on (local memory),
and for each reader page prints its bytes plain and gzipped, then the median time of a hit
plain, gzipped per hit (what ReaderGZipMiddleware does), and gzip alone on its bytes: what
storing the compressed bytes beside the plain ones would save each hit, for twice the memory.
Not a test: the figures depend on the machine.
"""

import argparse
import gzip
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from bench.environment import use_production_settings  # noqa: E402


def median_ms(action, count: int) -> float:
    timings = []
    for _ in range(count):
        start = time.perf_counter()
        action()
        timings.append((time.perf_counter() - start) * 1000)
    return statistics.median(timings)


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--articles", type=int, default=2_000)
    parser.add_argument("--requests", type=int, default=300)
    args = parser.parse_args()

    scratch = tempfile.TemporaryDirectory()
    use_production_settings(scratch.name, f"sqlite:///{scratch.name}/bench.sqlite3")
    os.environ["PAGE_CACHE_SECONDS"] = "300"
    import django

    django.setup()
    from django.test import Client
    from django.utils.text import compress_string

    from bench.archive import prepare_archive

    article, category, author = prepare_archive(args.articles)
    pages = {
        "home": "/",
        "article": article.get_absolute_url(),
        "list page 1": "/articles/",
        "section": category.get_absolute_url(),
        "author": author.get_absolute_url(),
        "feed": "/feed/",
        "sitemap page": "/sitemaps/articles.xml",
    }
    plain, packed = Client(), Client(HTTP_ACCEPT_ENCODING="gzip")
    print(f"{args.articles:,} articles, page cache in local memory, median of {args.requests} hits")
    print(f"{'page':<14}{'plain B':>9}{'gzip B':>8}{'saved':>7}{'hit ms':>8}{'gzip hit ms':>12}{'gzip alone ms':>14}")
    shares = []
    for name, url in pages.items():
        first = plain.get(url)
        assert first.status_code == 200, (name, first.status_code)
        body = plain.get(url).content
        squeezed = packed.get(url)
        assert squeezed["Content-Encoding"] == "gzip" and gzip.decompress(squeezed.content) == body, name
        hit = median_ms(lambda url=url: plain.get(url), args.requests)
        gzipped_hit = median_ms(lambda url=url: packed.get(url), args.requests)  # bytes kept gzipped
        alone = median_ms(lambda body=body: compress_string(body, max_random_bytes=100), args.requests)
        shares.append(len(squeezed.content) / len(body))
        print(
            f"{name:<14}{len(body):>9,}{len(squeezed.content):>8,}{1 - shares[-1]:>7.0%}"
            f"{hit:>8.2f}{gzipped_hit:>12.2f}{alone:>14.2f}"
        )
    print(f"gzipped pages are {statistics.mean(shares):.0%} of their plain size on average")


if __name__ == "__main__":
    main()
