"""Pages built from nothing, this tree against an earlier revision, in one run.

    .venv/bin/python bench/cold_pages.py [--against REV] [--articles 20000] [--sqlite PATH [--reuse]]
        [--postgres URL] [--seconds 4] [--rounds 3]

Builds the archive of bench/archive.py (or keeps the one --reuse finds), then serves it twice
with gunicorn (2 workers, DEBUG off, no cache at all: `CACHE_URL=dummycache://`, page cache
off): from this working tree and from `git archive REV` unpacked in a scratch folder (same
virtualenv, same database). Each page (the trivial view, the least read article, home, a
section, list page 1, a tag, an author) is driven with `wrk -t2 -c8` on one server then the
other, the order swapped each round; a page's figure is its median over the rounds. Prints each
page's req/s and share of its own server's trivial view, and after / before. Both servers share
the machine at every moment of the run, so its load reaches both alike. Not a test.
"""

import argparse
import os
import signal
import statistics
import subprocess
import sys
import tempfile
from pathlib import Path
from urllib.parse import quote

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
from bench.http_bench import ROOT, VENV_BIN, free_port, serve, server_env, wrk


def unpack(revision: str, into: Path) -> Path:
    """The tree at `revision`, unpacked into `into`, with this tree's virtualenv."""
    archive = subprocess.run(["git", "archive", revision], cwd=ROOT, capture_output=True, check=True).stdout
    into.mkdir()
    subprocess.run(["tar", "-x", "-C", str(into)], input=archive, check=True)
    (into / ".venv").symlink_to(VENV_BIN.parent)
    trivial = ROOT / "bench" / "trivial-page.html"
    if trivial.exists():
        (into / "bench" / "trivial-page.html").write_bytes(trivial.read_bytes())
    return into


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--against", default="HEAD", help="the earlier revision (default: HEAD, the last commit)")
    parser.add_argument("--articles", type=int, default=20_000)
    parser.add_argument("--postgres", metavar="URL", help="a scratch PostgreSQL database (emptied)")
    parser.add_argument("--sqlite", metavar="PATH", help="keep the SQLite archive in this file")
    parser.add_argument("--reuse", action="store_true", help="keep the archive in the database if it has --articles")
    parser.add_argument("--seconds", type=int, default=4, help="wrk duration per page and server")
    parser.add_argument("--rounds", type=int, default=3)
    args = parser.parse_args()

    scratch = tempfile.TemporaryDirectory()
    env = server_env(scratch.name, args, CACHE_URL="dummycache://", PAGE_CACHE_SECONDS="0")
    os.environ.update(env)
    import django

    django.setup()
    from django.db import connection

    from articles.models import Article, Tag
    from bench.archive import prepare_archive

    _, section, author = prepare_archive(args.articles, reuse=args.reuse)
    oldest = Article.objects.published().order_by("published_at", "id").first()
    pages = {
        "trivial view": "/__trivial__/",
        "article (long tail)": quote(oldest.get_absolute_url()),
        "home": "/",
        "section": quote(section.get_absolute_url()),
        "list page 1": "/articles/",
        "tag": quote(Tag.objects.order_by("pk").first().get_absolute_url()),
        "author": quote(author.get_absolute_url()),
    }
    connection.close()
    trees = {"before": unpack(args.against, Path(scratch.name) / "before"), "after": ROOT}
    servers = {}
    try:
        for name, tree in trees.items():
            port = free_port()
            servers[name] = (f"http://127.0.0.1:{port}", serve(env, port, tree))
        print(
            f"Cold pages, {args.against} (before) and this tree (after): wrk -t2 -c8, {args.seconds} s, {args.rounds} rounds"
        )
        runs = {name: {page: [] for page in pages} for name in servers}
        for round_ in range(args.rounds):
            order = list(servers) if round_ % 2 == 0 else list(servers)[::-1]
            for page, path in pages.items():
                for name in order:
                    runs[name][page].append(wrk(servers[name][0] + path, args.seconds)[0])
        rps = {name: {page: statistics.median(v) for page, v in by_page.items()} for name, by_page in runs.items()}
        print(f"{'page':<22}{'before req/s':>14}{'share':>8}{'after req/s':>13}{'share':>8}{'after/before':>14}")
        for page in pages:
            before, after = rps["before"][page], rps["after"][page]
            print(
                f"{page:<22}{before:>14,.0f}{before / rps['before']['trivial view']:>8.1%}"
                f"{after:>13,.0f}{after / rps['after']['trivial view']:>8.1%}{after / before:>13.2f}×"
            )
    finally:
        for _, server in servers.values():
            os.killpg(server.pid, signal.SIGTERM)
            server.wait()


if __name__ == "__main__":
    main()
