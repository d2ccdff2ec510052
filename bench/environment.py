"""The settings every in-process benchmark runs under: production's, with a scratch folder."""

import os


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
