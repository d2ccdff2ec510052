"""Live coverage (issue 14): the updates endpoint under 200 polling readers, and a live page's
render time with 1,000 entries against 10.

    .venv/bin/python bench/live_bench.py [--articles 2000] [--seconds 5] [--redis URL] [--requests 40]

Builds an archive (a throwaway SQLite file) with three live stories, of 10, 21 (a full first page) and
1,000 entries. In-process, the page cache off: the median render of each live page, warm (its kept
fragments; the entries block is built every time) and cold (every kept thing dropped), and
the ratios. Then under gunicorn (2 workers, DEBUG off) with the Redis cache and the page cache
on, wrk -c200 polls the 1,000-entry story's `updates.json?after=<newest>` as every open page
does, and a trivial view under the same gunicorn: req/s, p50/p99, the endpoint's share of the
ceiling, and its page-cache hit ratio (each answer's X-Page-Cache, counted by a wrk script).
The Redis database given is flushed. Not a test.
"""

import argparse
import datetime as dt
import os
import re
import shutil
import signal
import subprocess
import sys
import tempfile
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
from bench.environment import use_production_settings  # noqa: E402
from bench.front_page_bench import median_ms  # noqa: E402
from bench.http_bench import free_port, serve, server_env  # noqa: E402

COUNTING = """
local threads = {}
function setup(thread) table.insert(threads, thread) end
function init(args) hits = 0; others = 0 end
function response(status, headers, body)
  if status ~= 200 and status ~= 304 then others = others + 1000000 end
  if headers["X-Page-Cache"] == "hit" or headers["x-page-cache"] == "hit" then hits = hits + 1 else others = others + 1 end
end
function done(summary, latency, requests)
  local h, o = 0, 0
  for _, t in ipairs(threads) do h = h + t:get("hits"); o = o + t:get("others") end
  io.write(string.format("HITS %d OTHERS %d\\n", h, o))
end
"""


def wrk(url, seconds, script=None) -> dict:
    for _ in range(10):
        urllib.request.urlopen(url).read()
    command = ["wrk", "-t2", "-c200", f"-d{seconds}s", "--latency", url]
    if script:
        command[1:1] = ["-s", script]
    out = subprocess.run(command, capture_output=True, text=True, check=True).stdout
    if "Non-2xx" in out:
        raise SystemExit(f"{url}: non-2xx answers\n{out}")

    def ms(label):
        value, unit = re.search(rf"\s{label}%\s+([\d.]+)(us|ms|s)", out).groups()
        return float(value) * {"us": 0.001, "ms": 1, "s": 1000}[unit]

    found = {"rps": float(re.search(r"Requests/sec:\s+([\d.]+)", out).group(1)), "p50": ms("50"), "p99": ms("99")}
    if counted := re.search(r"HITS (\d+) OTHERS (\d+)", out):
        hits, others = map(int, counted.groups())
        found["hit ratio"] = hits / max(1, hits + others)
    return found


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--articles", type=int, default=2_000)
    parser.add_argument("--seconds", type=int, default=5)
    parser.add_argument("--requests", type=int, default=40)
    parser.add_argument("--redis", default="redis://127.0.0.1:6379/1", help="a Redis database (flushed)")
    args = parser.parse_args()
    if not shutil.which("wrk"):
        raise SystemExit("wrk not found: apt-get install wrk")
    scratch = tempfile.TemporaryDirectory()
    database = f"sqlite:///{scratch.name}/live.sqlite3"
    use_production_settings(scratch.name, database)
    os.environ["CACHE_URL"] = "locmemcache://live"
    import django

    django.setup()
    from django.core.cache import cache
    from django.db import connection
    from django.test import Client
    from django.utils import timezone

    from articles.models import Article, LiveEntry
    from bench.archive import prepare_archive

    prepare_archive(args.articles)
    now = timezone.now()
    stories = {}
    # 21: a full first page (20 shown, "Older updates"), so 1,000 against it is the entries
    # left unread alone; against 10 the page also shows twice as many.
    for count, story in zip((10, 21, 1_000), Article.objects.published()[:3], strict=True):
        Article.objects.filter(pk=story.pk).update(coverage_start=now - dt.timedelta(hours=5))
        LiveEntry.objects.bulk_create(
            LiveEntry(
                article=story,
                body_source=f"Update {n}: what we know.",
                body=f"<p>Update {n}: what we know.</p>",
                posted_at=now - dt.timedelta(seconds=10 * (count - n)),
                pinned=n == 0,
            )
            for n in range(count)
        )
        stories[count] = Article.objects.get(pk=story.pk)
    client = Client()
    timed = {}
    for count, story in stories.items():
        url = story.get_absolute_url()
        client.get(url)
        timed[count] = (median_ms(client, url, args.requests), median_ms(client, url, args.requests, cache.clear))
    for label, index in (("warm", 0), ("cold", 1)):
        small, full, large = (timed[count][index] for count in (10, 21, 1_000))
        print(
            f"live page, {label}: 10 entries {small:6.2f} ms, 21 {full:6.2f} ms, 1,000 {large:6.2f} ms: "
            f"1,000/10 {large / small:.2f}×, 1,000/21 {large / full:.2f}×"
        )
    story = stories[1_000]
    newest = LiveEntry.objects.filter(article=story).order_by("-posted_at", "-id").first()
    endpoint = f"{story.get_absolute_url()}updates.json?after={newest.pk}"
    connection.close()

    env = server_env(scratch.name, argparse.Namespace(postgres=None, sqlite=f"{scratch.name}/live.sqlite3"))
    env.update(PAGE_CACHE_SECONDS="300", CACHE_URL=args.redis, DATABASE_URL=database)
    script = Path(scratch.name) / "count.lua"
    script.write_text(COUNTING)
    port = free_port()
    server = serve(env, port)
    try:
        base = f"http://127.0.0.1:{port}"
        import redis

        redis.Redis.from_url(args.redis).flushdb()
        ceiling = wrk(base + "/__trivial__/", args.seconds)
        polled = wrk(base + endpoint, args.seconds, script=str(script))
    finally:
        os.killpg(server.pid, signal.SIGTERM)
        server.wait()
    print(f"wrk -t2 -c200, {args.seconds} s; {'':<22}{'req/s':>9}{'p50 ms':>9}{'p99 ms':>9}")
    print(f"{'trivial view':<36}{ceiling['rps']:>9,.0f}{ceiling['p50']:>9.1f}{ceiling['p99']:>9.1f}")
    print(f"{'updates.json, 200 pollers':<36}{polled['rps']:>9,.0f}{polled['p50']:>9.1f}{polled['p99']:>9.1f}")
    print(
        f"updates.json: {polled['rps'] / ceiling['rps']:.1%} of the trivial view's req/s; "
        f"page-cache hit ratio {polled.get('hit ratio', float('nan')):.2%}"
    )


if __name__ == "__main__":
    main()
