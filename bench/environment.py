"""What every in-process benchmark shares: production's settings with a scratch folder, and
timing a page."""

import os
import statistics
import time


def use_production_settings(scratch: str, database_url: str) -> None:
    """DEBUG off, hashed static files in `scratch`, the page cache off (benchmarks measure the
    work of a page, not a cache hit), and `database_url` unless DATABASE_URL is already set."""
    os.environ.setdefault("DATABASE_URL", database_url)
    os.environ.update(
        DEBUG="0",
        SECRET_KEY="bench-" + "x" * 50,
        ALLOWED_HOSTS="testserver",
        SECURE_SSL_REDIRECT="0",
        PAGE_CACHE_SECONDS="0",
        STATIC_ROOT=f"{scratch}/static",
        DJANGO_SETTINGS_MODULE="newsroom.settings",
    )


def time_requests(client, url: str, count: int) -> tuple[float, float]:
    """Median and p95 milliseconds of `count` GETs of `url` through `client`."""
    timings = []
    for _ in range(count):
        start = time.perf_counter()
        client.get(url)
        timings.append((time.perf_counter() - start) * 1000)
    timings.sort()
    return statistics.median(timings), timings[max(0, int(len(timings) * 0.95) - 1)]


def median_ms(client, url: str, count: int, before=None) -> float:
    """Median milliseconds of `count` GETs of `url` through `client`, `before()` run (untimed)
    ahead of each: dropping what is kept, for a page built from nothing."""
    timings = []
    for _ in range(count):
        if before:
            before()
        start = time.perf_counter()
        client.get(url)
        timings.append((time.perf_counter() - start) * 1000)
    return statistics.median(timings)
