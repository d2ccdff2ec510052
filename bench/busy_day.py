"""A busy news day under gunicorn, Redis and wrk: what readers get while editors fix headlines.

    .venv/bin/python bench/busy_day.py [--articles 20000] [--postgres URL] [--seconds 20] [--cold-seconds 5] [--edge]

Builds the archive of bench/archive.py (a throwaway SQLite file, or the PostgreSQL database
--postgres names, which it empties), starts its own redis-server on a free loopback port and
serves the archive with gunicorn (2 workers, DEBUG off, the page cache in Redis). Then:

- a day's traffic, wrk -t2 -c16 walking precomputed addresses (home 15%, sections 15%, list
  pages 5%, articles 65% by Zipf's law, newest most read): warm-up, quiet, busy (a writer process
  fixes one headline a second through the ORM, as an editor would), quiet again;
- a page-cache hit through Redis, against the trivial view;
- what one headline fix costs: of 2,000 cached addresses, how many miss after it;
- cold pages, no cache at all (dummy cache, page cache off), against the trivial view.

With --edge the day's traffic goes through a Varnish of its own (newsroom/varnish/newsroom.vcl,
Debian's varnish and varnish-modules) in front of gunicorn, and the site purges it through jobs
on the machine's RabbitMQ (a queue of its own) run by a Celery worker it starts: the edge's hit
ratio per phase, origin requests as a share of readers' (Varnish's own counters), and how long
each purge took from the commit of the save to the purge done (the jobs' own times).

Not a test: it prints figures, and ratios within the same run.
"""

import argparse
import os
import random
import re
import shutil
import signal
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request
import uuid
from collections import Counter, namedtuple
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from urllib.parse import quote

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
from bench.http_bench import ROOT, free_port, serve, server_env, wrk

Figures = namedtuple("Figures", "rps p50 p99 bad hits edge_hits")
MARKER = " (updated)"
SAMPLED = 200_000  # addresses per phase: more than wrk asks for in --seconds
LUA = """
local paths, threads = {}, {}
function setup(thread)
  thread:set("id", #threads)
  table.insert(threads, thread)
end
function init(args)
  for line in io.lines(args[1]) do paths[#paths + 1] = line end
  i = id * math.floor(#paths / 2)  -- each of wrk's two threads walks its own half
  hits, edge_hits = 0, 0
end
function request()
  i = i % #paths + 1
  return wrk.format(nil, paths[i])
end
function response(status, headers)
  if headers["X-Page-Cache"] == "hit" then hits = hits + 1 end
  if headers["X-Edge-Cache"] == "hit" then edge_hits = edge_hits + 1 end
end
function done(summary)
  local hits, edge_hits = 0, 0
  for _, thread in ipairs(threads) do
    hits = hits + thread:get("hits")
    edge_hits = edge_hits + thread:get("edge_hits")
  end
  io.write(string.format("page-cache hits: %d\\n", hits))
  io.write(string.format("edge hits: %d\\n", edge_hits))
end
"""


def run_wrk(url: str, seconds: int, lua: str | None = None, paths: str | None = None) -> Figures:
    """wrk -t2 -c16 on `url`, or on the addresses in the file `paths` through the script `lua`.
    (http_bench's `wrk` takes one address and eight connections; a day's mix needs a script.)"""
    target = ["-s", lua, url, "--", paths] if lua else [url]
    command = ["wrk", "-t2", "-c16", f"-d{seconds}s", "--latency", *target]
    out = subprocess.run(command, capture_output=True, text=True, check=True).stdout

    def ms(label):
        value, unit = re.search(rf"\s{label}%\s+([\d.]+)(us|ms|s)", out).groups()
        return float(value) * {"us": 0.001, "ms": 1, "s": 1000}[unit]

    bad = re.search(r"Non-2xx or 3xx responses: (\d+)", out)
    hits = re.search(r"page-cache hits: (\d+)", out)
    edge_hits = re.search(r"edge hits: (\d+)", out)
    requests = int(re.search(r"(\d+) requests in", out).group(1))
    rps = float(re.search(r"Requests/sec:\s+([\d.]+)", out).group(1))

    def share(found):
        return found and int(found.group(1)) / requests

    return Figures(rps, ms("50"), ms("99"), int(bad.group(1)) if bad else 0, share(hits), share(edge_hits))


def zipf(items: list, share: float) -> list[tuple]:
    """(item, weight) pairs sharing `share` of the traffic, the r-th item read 1/r as often as the first."""
    harmonic = sum(1 / r for r in range(1, len(items) + 1))
    return [(item, share / (r * harmonic)) for r, item in enumerate(items, 1)]


def published_newest_first() -> list:
    from articles.models import Article

    return list(Article.objects.published().order_by("-published_at", "-id").only("slug", "published_at", "created_at"))


def fix_headline(pk: int) -> float:
    """Toggle a marker at the end of an article's title and save it as the admin would (so the
    app's own after-save invalidation runs); returns the milliseconds it took."""
    from articles.models import Article

    started = time.perf_counter()
    article = Article.objects.get(pk=pk)
    title = article.title
    article.title = title.removesuffix(MARKER) if title.endswith(MARKER) else title + MARKER
    article.save()
    return (time.perf_counter() - started) * 1000


def writer(seconds: int) -> None:
    """The busy phase's editor, in its own process like an admin request: one fix a second,
    Zipf-weighted like the readers (the stories read most are the ones fixed most)."""
    import django

    django.setup()
    ids = [a.pk for a in published_newest_first()]
    weights = [1 / r for r in range(1, len(ids) + 1)]
    rng = random.Random(7)
    print("ready", flush=True)
    started = time.monotonic()
    timings = []
    for k in range(seconds):
        time.sleep(max(0.0, started + k - time.monotonic()))
        timings.append(fix_headline(rng.choices(ids, weights)[0]))
    print(" ".join(f"{t:.1f}" for t in timings), flush=True)


def kind(path: str) -> str:
    """What an address is, for counting: home, section, list or article."""
    prefixes = {"/category/": "section", "/articles/": "list"}
    return "home" if path == "/" else next((k for p, k in prefixes.items() if path.startswith(p)), "article")


def page_cache_states(base: str, paths: list[str]) -> list[str]:
    """The X-Page-Cache answer of each address, eight readers at a time."""

    def state(path):
        with urllib.request.urlopen(base + path) as response:
            response.read()
            return response.headers.get("X-Page-Cache", "none")

    with ThreadPoolExecutor(8) as pool:
        return list(pool.map(state, paths))


def row(name: str, f: Figures, ceiling: float, origin_share: float | None = None) -> None:
    bad, hits = f"{f.bad:,}" if f.bad else "", "" if f.hits is None else f"{f.hits:.1%}"
    edge = "" if origin_share is None else f"{f.edge_hits:>11.1%}{origin_share:>9.1%}"
    print(f"{name:<22}{f.rps:>9,.0f}{f.p50:>9.1f}{f.p99:>9.1f}{bad:>9}{hits:>7}{f.rps / ceiling:>12.1%}{edge}")


def purge_latencies(since) -> list[float]:
    """Milliseconds from a change's commit (its purge job is recorded in that transaction) to
    the purge done at the edge, for the purges since `since`."""
    from newsroom.models import Job

    jobs = Job.objects.filter(name="edge.purge", created_at__gte=since, state="done")
    return sorted((j.finished_at - j.created_at).total_seconds() * 1000 for j in jobs)


def busy_day(base: str, scratch: str, addresses: list[tuple], seconds: int, redis_port: int, edge=None) -> None:
    """Warm-up, quiet, busy (with the writer), quiet again, each against the trivial view; with
    `edge` (a Varnish), the readers go through it."""
    import redis
    from django.utils import timezone

    lua = f"{scratch}/mix.lua"
    Path(lua).write_text(LUA)
    population, weights = zip(*addresses, strict=True)
    phases = ["warm-up", "quiet", "busy", "quiet again"]
    for seed, phase in enumerate(phases):  # a fresh sample each phase: the same readers, not the same reads
        Path(f"{scratch}/{phase}.txt").write_text(
            "\n".join(random.Random(seed).choices(population, weights, k=SAMPLED))
        )

    through = f"through Varnish on :{edge.port}, " if edge else ""
    print(f"\nBusy day: wrk -t2 -c16 {through}{seconds} s a phase, one headline fix a second while busy")
    edge_columns = f"{'edge hits':>11}{'origin':>9}" if edge else ""
    print(
        f"{'phase':<22}{'req/s':>9}{'p50 ms':>9}{'p99 ms':>9}{'non-2xx':>9}{'hits':>7}{'of trivial':>12}{edge_columns}"
    )
    trivial = run_wrk(base + "/__trivial__/", seconds)
    row("trivial view", trivial, trivial.rps)
    redis.Redis(port=redis_port).flushall()  # the day starts cold
    if edge:
        # The edge keeps pages for a day: hours into one, every page readers asked for is there,
        # and what is left to measure is what the day's edits cost it.
        distinct = sorted({line for phase in phases for line in Path(f"{scratch}/{phase}.txt").read_text().split()})
        started = time.perf_counter()
        page_cache_states(edge.url, distinct)
        print(
            f"  edge warmed with the day's {len(distinct):,} distinct addresses in {time.perf_counter() - started:.0f} s"
        )
    figures = {}
    for phase in phases:
        if phase == "busy":
            editor = subprocess.Popen(
                [sys.executable, __file__, "--writer", str(seconds)], stdout=subprocess.PIPE, text=True
            )
            if editor.stdout.readline().strip() != "ready":
                raise SystemExit("the writer did not start")
            busy_since = timezone.now()
        before = edge.counters() if edge else None
        figures[phase] = run_wrk(edge.url if edge else base, seconds, lua, f"{scratch}/{phase}.txt")
        origin_share = None
        if edge:
            time.sleep(1.5)  # Varnish's workers publish their counters in batches
            after = edge.counters()
            readers = after["MAIN.client_req"] - before["MAIN.client_req"]
            origin_share = (after["MAIN.backend_req"] - before["MAIN.backend_req"]) / max(1, readers)
        row(phase, figures[phase], trivial.rps, origin_share)
        if phase == "busy":
            saves = [float(t) for t in editor.communicate()[0].split()]
            print(f"  {len(saves)} headline fixes, save p50 {statistics.median(saves):.0f} ms, max {max(saves):.0f} ms")
            if edge:
                time.sleep(2)  # the last save's purge
                purges = purge_latencies(busy_since)
                if purges:
                    p99 = purges[min(len(purges) - 1, int(len(purges) * 0.99))]
                    print(
                        f"  {len(purges)} edge purges, commit to purged: p50 {statistics.median(purges):.0f} ms, "
                        f"p99 {p99:.0f} ms"
                    )
                else:
                    print("  no edge purge was done: is the worker running?")
    busy, quiet = figures["busy"], [figures["quiet"], figures["quiet again"]]
    print(
        f"busy / quiet req/s: {busy.rps / quiet[0].rps:.2f}× (before), {busy.rps / quiet[1].rps:.2f}× (after); "
        f"busy p99 / quiet p99: {busy.p99 / quiet[0].p99:.1f}×, {busy.p99 / quiet[1].p99:.1f}×"
    )
    used = redis.Redis(port=redis_port).info("memory")["used_memory_human"]
    print(f"Redis holds {used} after the day")


def cache_hit(base: str, path: str, seconds: int) -> None:
    """One article's cached page against the trivial view (which the page cache serves too)."""
    page_cache_states(base, [path, "/__trivial__/"])
    state, trivial_state = page_cache_states(base, [path, "/__trivial__/"])
    trivial = wrk(base + "/__trivial__/", seconds)
    rps, p50, p99 = wrk(base + path, seconds)
    print(f"\nPage-cache hit through Redis: wrk -t2 -c8, {seconds} s; X-Page-Cache: {state} (trivial: {trivial_state})")
    print(f"  trivial view {trivial[0]:,.0f} req/s, p50 {trivial[1]:.1f} ms")
    print(f"  article hit  {rps:,.0f} req/s, p50 {p50:.1f} ms, p99 {p99:.1f} ms: {rps / trivial[0]:.1%} of trivial")


def one_fix(base: str, sample: list[str], article_pk: int, rank: int, count: int) -> None:
    from django.db import connection

    first = Counter(page_cache_states(base, sample))
    cached = [p for p, s in zip(sample, page_cache_states(base, sample), strict=True) if s == "hit"]
    saved = fix_headline(article_pk)
    connection.close()
    missed = [p for p, s in zip(sample, page_cache_states(base, sample), strict=True) if s == "miss"]
    print(f"\nOne headline fix: {len(sample):,} addresses ({dict(Counter(map(kind, sample)))})")
    print(f"  first pass {dict(first)}; second pass: {len(cached):,} hits")
    print(
        f"  after fixing the article ranked {rank:,} of {count:,} by reads (save {saved:.0f} ms): "
        f"{len(missed):,} answered miss, {len(missed) / max(1, len(cached)):.1%} of the cached "
        f"({dict(Counter(map(kind, missed)))})"
    )
    if len(missed) <= 5:
        print(f"  missed: {', '.join(missed)}")


def cold_pages(base: str, pages: dict, seconds: int) -> None:
    print(f"\nCold pages (no cache at all): wrk -t2 -c8, {seconds} s a page")
    print(f"{'page':<22}{'req/s':>9}{'p50 ms':>9}{'of trivial':>12}")
    ceiling = None
    for name, path in {"trivial view": "/__trivial__/", **pages}.items():
        rps, p50, _ = wrk(base + path, seconds)
        ceiling = ceiling or rps
        print(f"{name:<22}{rps:>9,.0f}{p50:>9.1f}{rps / ceiling:>12.1%}")


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--articles", type=int, default=20_000)
    parser.add_argument("--postgres", metavar="URL", help="a scratch PostgreSQL database (emptied)")
    parser.add_argument(
        "--sqlite", metavar="PATH", help="keep the SQLite archive in this file (default: a temporary one)"
    )
    parser.add_argument("--reuse", action="store_true", help="keep the archive in the database if it has --articles")
    parser.add_argument("--seconds", type=int, default=20, help="length of each busy-day phase")
    parser.add_argument("--cold-seconds", type=int, default=5, help="wrk duration per cold page and for the hit")
    parser.add_argument("--skip-busy", action="store_true", help="skip the busy day (the longest part)")
    parser.add_argument("--skip-cold", action="store_true", help="skip the cold pages")
    parser.add_argument("--edge", action="store_true", help="readers through Varnish, purged by a Celery worker")
    parser.add_argument("--writer", type=int, help=argparse.SUPPRESS)  # the busy phase's editor process
    args = parser.parse_args()
    if args.writer:
        return writer(args.writer)
    if not shutil.which("wrk") or not shutil.which("redis-server"):
        raise SystemExit("wrk or redis-server not found: apt-get install wrk redis-server")

    scratch = tempfile.TemporaryDirectory()
    redis_port, port, edge_port = free_port(), free_port(), free_port()
    edge_settings = {}
    if args.edge:
        if not shutil.which("varnishd") and not Path("/usr/sbin/varnishd").exists():
            raise SystemExit("varnishd not found: apt-get install varnish varnish-modules")
        edge_settings = {
            "EDGE_PURGE": "varnish",
            "EDGE_PURGE_URLS": f"http://127.0.0.1:{edge_port}/",
            "CELERY_BROKER_URL": "amqp://guest:guest@127.0.0.1:5672//",
            "JOBS_QUEUE": f"bench-{uuid.uuid4().hex[:8]}",
        }
    env = server_env(
        scratch.name,
        args,
        PAGE_CACHE_STAMP=f"{scratch.name}/content-changed",
        CACHE_URL=f"redis://127.0.0.1:{redis_port}/0",
        PAGE_CACHE_SECONDS="300",
        **edge_settings,
    )
    os.environ.update(env)  # the writer process and this one's headline fix invalidate through Redis too
    redis_server = subprocess.Popen(
        ["redis-server", "--port", str(redis_port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no"],
        stdout=subprocess.DEVNULL,
    )
    server = edge = worker = None
    try:
        import redis

        for _ in range(50):  # up within a second or two
            try:
                redis.Redis(port=redis_port).ping()
                break
            except redis.ConnectionError:
                time.sleep(0.1)
        import django

        django.setup()
        from django.db import connection

        from articles.models import Category, Tag
        from bench.archive import prepare_archive

        started = time.perf_counter()
        middle, section, author = prepare_archive(args.articles, reuse=args.reuse)
        articles = published_newest_first()
        urls = [quote(a.get_absolute_url()) for a in articles]
        sections = [quote(c.get_absolute_url()) for c in Category.objects.order_by("path")]
        lists = ["/articles/"] + [f"/articles/?page={k}" for k in range(2, min(100, -(-len(urls) // 20)) + 1)]
        tag = Tag.objects.order_by("pk").first()
        vendor = connection.vendor
        connection.close()
        print(
            f"{len(urls):,} articles on {vendor} (ready in {time.perf_counter() - started:.0f} s), Redis on :{redis_port}"
        )
        addresses = [("/", 0.15), *((s, 0.15 / len(sections)) for s in sections), *zipf(lists, 0.05), *zipf(urls, 0.65)]

        base = f"http://127.0.0.1:{port}"
        server = serve(env, port)
        (ROOT / "bench" / "trivial-page.html").write_bytes(urllib.request.urlopen(base + "/").read())
        if args.edge:
            from tests.utils import CeleryProcess, Varnish

            edge = Varnish(port, Path(scratch.name), edge_port)
            worker = CeleryProcess("worker", env, Path(scratch.name))
            worker.wait_until_ready(" ready.")
        if not args.skip_busy:
            busy_day(base, scratch.name, addresses, args.seconds, redis_port, edge)
        cache_hit(base, quote(middle.get_absolute_url()), args.cold_seconds)
        # 2,000 addresses the day asks for: home, every section, list pages, then articles in the
        # order readers first ask for them (popular ones first, then the tail).
        seen = dict.fromkeys(random.Random(0).choices(urls, [w for _, w in zipf(urls, 1)], k=SAMPLED))
        chosen = list(seen)[: 2000 - 1 - len(sections) - 79]
        rank = max(map({u: r for r, u in enumerate(urls)}.get, chosen))  # the least read of them: the long tail
        one_fix(base, ["/", *sections, *lists[:79], *chosen], articles[rank].pk, rank + 1, len(urls))
        os.killpg(server.pid, signal.SIGTERM)
        server.wait()
        server = None

        if not args.skip_cold:
            server = serve({**env, "CACHE_URL": "dummycache://", "PAGE_CACHE_SECONDS": "0"}, port)
            pages = {
                "article (long tail)": urls[-1],
                "home": "/",
                "section": quote(section.get_absolute_url()),
                "list page 1": "/articles/",
                "tag": quote(tag.get_absolute_url()),
                "author": quote(author.get_absolute_url()),
            }
            cold_pages(base, pages, args.cold_seconds)
    finally:
        for part in (edge, worker):
            if part:
                part.stop()
        if server:
            os.killpg(server.pid, signal.SIGTERM)
            server.wait()
        redis_server.terminate()
        redis_server.wait()


if __name__ == "__main__":
    main()
