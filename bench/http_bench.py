"""Requests per second and latency of the reader pages under gunicorn, driven by wrk.

    .venv/bin/python bench/http_bench.py [--articles 10000] [--postgres URL] [--seconds 5]

Builds an archive of N articles (a throwaway SQLite file, or the PostgreSQL database --postgres
names, which it empties), serves it with gunicorn (2 workers, DEBUG off) on 127.0.0.1, and
drives each page with wrk (Debian package `wrk`) with the page cache off and on; in the same
run it measures a trivial Django view returning the home page's bytes under the same gunicorn:
the framework's ceiling. Prints req/s, p50 and p99 and each page's share of the ceiling.
Not a test.
"""

import argparse
import itertools
import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path
from urllib.parse import quote

ROOT = Path(__file__).resolve().parents[1]
VENV_BIN = Path(sys.executable).parent


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wrk(url: str, seconds: int) -> tuple[float, float, float]:
    """req/s, p50 and p99 ms of `url`, after ten warm-up requests (each worker has its own
    local-memory cache): a live site's caches are warm, and what a first visit builds (page
    boundaries, cards) is not what a page costs."""
    for _ in range(10):
        urllib.request.urlopen(url).read()
    out = subprocess.run(
        ["wrk", "-t2", "-c8", f"-d{seconds}s", "--latency", url], capture_output=True, text=True, check=True
    ).stdout
    rps = float(re.search(r"Requests/sec:\s+([\d.]+)", out).group(1))

    def ms(label):
        value, unit = re.search(rf"\s{label}%\s+([\d.]+)(us|ms|s)", out).groups()
        return float(value) * {"us": 0.001, "ms": 1, "s": 1000}[unit]

    if "Non-2xx" in out:
        raise SystemExit(f"{url}: non-2xx answers\n{out}")
    return rps, ms("50"), ms("99")


def new_searches(base: str) -> tuple[float, float]:
    """p50 and p99 ms of broad searches each asked for the first time (nothing cached for them),
    one at a time: every combination of one to three words that every archive title has."""
    words = ["harbourside", "story", "number", "海港", "港市", "新闻", "海港市"]
    queries = [" ".join(c) for n in (1, 2, 3) for c in itertools.combinations(words, n)]
    timings = []
    for query in queries:
        started = time.perf_counter()
        urllib.request.urlopen(f"{base}/search/?q={quote(query)}").read()
        timings.append((time.perf_counter() - started) * 1000)
    timings.sort()
    return timings[len(timings) // 2], timings[int(len(timings) * 0.99) - 1]


def server_env(scratch: str, args, **settings) -> dict:
    """The environment gunicorn serves the archive with: production settings, the bench's URLs
    (with the trivial view), the database --postgres or --sqlite names (or a scratch file)."""
    database = args.postgres or f"sqlite:///{os.path.abspath(args.sqlite or scratch + '/bench.sqlite3')}"
    return {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "bench.settings",
        "DEBUG": "0",
        "SECRET_KEY": "bench-" + "s" * 60,
        "ALLOWED_HOSTS": "127.0.0.1",
        "SECURE_SSL_REDIRECT": "0",
        "STATIC_ROOT": f"{scratch}/static",
        "DATABASE_URL": database,
        **settings,
    }


def serve(env: dict, port: int, tree: Path = ROOT):
    """gunicorn serving `tree` (this checkout, or another revision unpacked beside it)."""
    server = subprocess.Popen(
        [
            str(VENV_BIN / "gunicorn"),
            "bench.wsgi",
            "--config",
            str(tree / "bench" / "gunicorn.conf.py"),
            "--bind",
            f"127.0.0.1:{port}",
        ],
        cwd=tree,
        env=env,
        start_new_session=True,
    )
    for _ in range(100):
        try:
            urllib.request.urlopen(f"http://127.0.0.1:{port}/__trivial__/", timeout=1)
            return server
        except OSError:
            time.sleep(0.2)
    server.kill()
    raise SystemExit(f"gunicorn serving {tree} did not start")


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--articles", type=int, default=10_000)
    parser.add_argument("--postgres", metavar="URL", help="a scratch PostgreSQL database (emptied)")
    parser.add_argument("--seconds", type=int, default=5, help="wrk duration per page")
    parser.add_argument(
        "--sqlite", metavar="PATH", help="keep the SQLite archive in this file (default: a temporary one)"
    )
    parser.add_argument(
        "--reuse", action="store_true", help="keep the archive already in the database if it has --articles articles"
    )
    args = parser.parse_args()
    if not shutil.which("wrk"):
        raise SystemExit("wrk not found: apt-get install wrk")

    scratch = tempfile.TemporaryDirectory()
    env = server_env(scratch.name, args)
    os.environ.update(env)
    sys.path.insert(0, str(ROOT))
    import django

    django.setup()
    from django.db import connection

    from bench.archive import prepare_archive

    started = time.perf_counter()
    article, section, _ = prepare_archive(args.articles, reuse=args.reuse)
    vendor = connection.vendor
    connection.close()
    print(
        f"{args.articles:,} articles on {vendor} (built in {time.perf_counter() - started:.0f} s); wrk -t2 -c8, {args.seconds} s a page"
    )

    deep = max(1, min(2000, args.articles // 20))
    pages = {
        "home": "/",
        "list page 1": "/articles/",
        f"list page {deep:,}": f"/articles/?page={deep}",
        "section": section.get_absolute_url(),
        "article": quote(article.get_absolute_url()),
        "search": "/search/?q=" + quote("harbourside 海港"),
    }
    port = free_port()
    print(f"{'page':<18}{'cache':>6}{'req/s':>9}{'p50 ms':>9}{'p99 ms':>9}{'of ceiling':>12}")
    for cache_seconds in ("0", "300"):
        server = serve({**env, "PAGE_CACHE_SECONDS": cache_seconds}, port)
        try:
            base = f"http://127.0.0.1:{port}"
            (ROOT / "bench" / "trivial-page.html").write_bytes(urllib.request.urlopen(base + "/").read())
            ceiling = wrk(base + "/__trivial__/", args.seconds)
            label = "off" if cache_seconds == "0" else "on"
            print(f"{'trivial view':<18}{label:>6}{ceiling[0]:>9,.0f}{ceiling[1]:>9.1f}{ceiling[2]:>9.1f}{'100%':>12}")
            for name, path in pages.items():
                rps, p50, p99 = wrk(base + path, args.seconds)
                print(f"{name:<18}{label:>6}{rps:>9,.0f}{p50:>9.1f}{p99:>9.1f}{rps / ceiling[0]:>12.1%}")
            if cache_seconds == "0":
                p50, p99 = new_searches(base)
                print(f"{'search, new query':<18}{label:>6}{'1 client':>9}{p50:>9.1f}{p99:>9.1f}{'':>12}")
        finally:
            os.killpg(server.pid, signal.SIGTERM)
            server.wait()


if __name__ == "__main__":
    main()
