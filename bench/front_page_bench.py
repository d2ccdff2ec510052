"""What an editors' arrangement costs the home page, against the same home page without one, in-process.

    .venv/bin/python bench/front_page_bench.py [--articles 2000] [--slots 30] [--sqlite PATH [--reuse]] [--requests 40]

The page cache off, the local-memory cache on. "Warm": the page rebuilt from kept cards and
the kept arrangement; "cold": every kept thing dropped before each visit. Each is measured
without an arrangement, then with one of `--slots` stories (a lead, top stories, rails), and
printed as medians and their ratio. Not a test.
"""

import argparse
import os
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
from bench.environment import median_ms, use_production_settings  # noqa: E402


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--articles", type=int, default=2_000)
    parser.add_argument("--slots", type=int, default=30)
    parser.add_argument("--requests", type=int, default=40)
    parser.add_argument("--sqlite", metavar="PATH")
    parser.add_argument("--reuse", action="store_true")
    args = parser.parse_args()
    scratch = tempfile.TemporaryDirectory()
    use_production_settings(scratch.name, f"sqlite:///{os.path.abspath(args.sqlite or scratch.name + '/a.sqlite3')}")
    os.environ["CACHE_URL"] = "locmemcache://front-page"
    import django

    django.setup()
    from django.core.cache import cache
    from django.test import Client

    from articles.models import Article, Category, FrontPage, FrontPageSlot
    from bench.archive import prepare_archive

    prepare_archive(args.articles, reuse=args.reuse)
    FrontPage.objects.all().delete()
    client = Client()
    measured = {}
    for arranged in (False, True):
        if arranged:
            # Older stories, so that the arrangement changes what the page shows.
            stories = list(Article.objects.published().order_by("published_at")[: args.slots])
            top = Category.objects.filter(parent__isnull=True).first()
            front_page = FrontPage.objects.create(name="bench")
            Place = FrontPageSlot.Place
            for n, story in enumerate(stories):
                place = Place.LEAD if n == 0 else Place.RAIL if n % 3 == 0 else Place.TOP
                section = top if place == Place.RAIL else None
                FrontPageSlot.objects.create(
                    front_page=front_page, place=place, section=section, article=story, position=n
                )
        client.get("/")
        measured[arranged] = (median_ms(client, "/", args.requests), median_ms(client, "/", args.requests, cache.clear))
    (warm, cold), (arranged_warm, arranged_cold) = measured[False], measured[True]
    print(
        f"home, warm: {warm:6.2f} ms; with {args.slots} arranged slots {arranged_warm:6.2f} ms: {arranged_warm / warm:.2f}×"
    )
    print(
        f"home, cold: {cold:6.2f} ms; with {args.slots} arranged slots {arranged_cold:6.2f} ms: {arranged_cold / cold:.2f}×"
    )


if __name__ == "__main__":
    main()
