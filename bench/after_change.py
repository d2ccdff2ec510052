"""What a page's first visit after a change costs, against the same page warm, in-process.

    .venv/bin/python bench/after_change.py [--articles 20000] [--sqlite PATH [--reuse]] [--requests 40]

The page cache off (a signed-in reader, or a page whose own entry just went stale), the
local-memory cache on: "warm" is the page rebuilt from its kept fragments, cards and ids; "after
a change" is its first visit after a headline fix of a story it shows (an article page: a
related story; a list: a story on its first page). Prints medians and their ratio. Not a test.
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
    parser.add_argument("--articles", type=int, default=20_000)
    parser.add_argument("--requests", type=int, default=40)
    parser.add_argument("--sqlite", metavar="PATH")
    parser.add_argument("--reuse", action="store_true")
    args = parser.parse_args()
    scratch = tempfile.TemporaryDirectory()
    use_production_settings(scratch.name, f"sqlite:///{os.path.abspath(args.sqlite or scratch.name + '/a.sqlite3')}")
    os.environ["CACHE_URL"] = "locmemcache://after-change"
    import django

    django.setup()
    from django.test import Client

    from articles.models import Article
    from articles.public.views import related_ids
    from bench.archive import prepare_archive

    _, section, _ = prepare_archive(args.articles, reuse=args.reuse)
    published = Article.objects.published()
    story = published.order_by("published_at")[len(published) // 2]
    related = Article.objects.get(pk=related_ids(story, list(story.tags.all()))[0])
    cases = [
        ("article (a related story fixed)", story.get_absolute_url(), related),
        ("section (a story on it fixed)", section.get_absolute_url(), published.in_category(section).first()),
        ("home (a story on it fixed)", "/", published.first()),
        ("all stories (a story on it fixed)", "/articles/", published.first()),
    ]
    client = Client()
    for name, url, shown in cases:

        def fix(shown=shown):
            shown.title = shown.title.removesuffix("!") if shown.title.endswith("!") else shown.title + "!"
            shown.save()

        client.get(url)
        warm = median_ms(client, url, args.requests)
        after = median_ms(client, url, args.requests, before=fix)
        print(f"{name:36} warm {warm:6.2f} ms, first visit after the change {after:6.2f} ms: {after / warm:.1f}×")


if __name__ == "__main__":
    main()
