"""How fast `import_articles` brings an archive in, and how much memory it needs.

    .venv/bin/python bench/import_bench.py [--articles 10000] [--postgres URL] [--memory-check]

Generates N seed-like articles (Hexo front matter, HTML bodies, RFC 2822 dates, three-level
categories, an outlet byline; bodies drawn from our sample content and, when present,
../shared/corpus/hexo-news), then runs the real command in a fresh process (DEBUG off) for a first import,
an unchanged re-import and a re-import with 10% of the files changed, on SQLite (and
PostgreSQL with --postgres, whose database is emptied). For scale it also times reading,
parsing and sanitising the same files in one process: the floor without any database.
--memory-check also imports 10x as many files and compares peak memory.
Prints its figures; not a test.
"""

import argparse
import os
import random
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
CORPUS = ROOT.parent / "shared" / "corpus" / "hexo-news" / "files"
SAMPLES = ROOT / "articles" / "sample_content"

OUTLETS = [("观察者网", "头条"), ("cnBeta", "最新"), ("金色财经", "快讯"), ("Harbourside Wire", "City")]


def bodies() -> list[str]:
    """HTML bodies to draw from: the seed, our samples rendered, hexo-news when present."""
    sys.path.insert(0, str(ROOT))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "newsroom.settings")
    import django

    django.setup()
    from django.conf import settings

    from articles.frontmatter.reading import read_source
    from articles.rendering import MARKDOWN, looks_like_html, render_body

    found = []
    for path in [*sorted(SAMPLES.glob("[0-9]*")), *(sorted(CORPUS.glob("*.md")) if CORPUS.is_dir() else [])]:
        body = read_source(path, settings.IMPORT_MAX_FILE_BYTES).body
        found.append(body if looks_like_html(body) else render_body(body, MARKDOWN))
    return found


def generate(folder: Path, count: int, pool: list[str], seed: int = 1) -> list[Path]:
    rng = random.Random(seed)
    paths = []
    for i in range(count):
        outlet, section = OUTLETS[i % len(OUTLETS)]
        when = time.gmtime(1_600_000_000 + i * 3_600)
        sub = folder / f"{i // 1000:03d}"
        sub.mkdir(parents=True, exist_ok=True)
        path = sub / f"story-{i:06d}.md"
        path.write_text(
            "\n---\n"
            f"title: '第{i}号新闻：{outlet}报道 Harbourside story {i}'\n"
            f"categories:\n - 新媒体\n - {outlet}\n - {section}\n"
            f"headimg: 'https://img.example.com/{i}.jpg'\n"
            f"author: {outlet}\n"
            "comments: false\n"
            f"date: {time.strftime('%a, %d %b %Y %H:%M:%S GMT', when)}\n"
            f"tags: [tag{i % 50}, 话题{i % 7}]\n"
            "---\n\n" + f"<div><p>Story {i}.</p>\n" + rng.choice(pool) + "</div>",
            encoding="utf-8",
        )
        paths.append(path)
    return paths


def run_import(folder: Path, env: dict) -> tuple[float, float, str]:
    """Seconds and peak megabytes of one `import_articles` in a fresh process."""
    code = (
        "import resource, subprocess, sys, time\n"
        "start = time.perf_counter()\n"
        "r = subprocess.run([sys.executable, 'manage.py', 'import_articles', sys.argv[1], '--verbosity', '1'],"
        " capture_output=True, text=True)\n"
        "took = time.perf_counter() - start\n"
        "peak = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024\n"
        "print(took, peak, r.stdout.strip().splitlines()[-1] if r.stdout.strip() else r.stderr[-300:])\n"
    )
    out = subprocess.run(
        [sys.executable, "-c", code, str(folder)], cwd=ROOT, env=env, capture_output=True, text=True, check=True
    ).stdout.split(maxsplit=2)
    return float(out[0]), float(out[1]), out[2].strip()


def floor(paths: list[Path]) -> float:
    """Read + front matter + Markdown/HTML + sanitise, one process, no database."""
    from zoneinfo import ZoneInfo

    from articles.frontmatter.mapping import ImportOptions, map_source
    from articles.frontmatter.reading import read_source

    options = ImportOptions(tz=ZoneInfo("UTC"), dry_run=True)
    start = time.perf_counter()
    for path in paths:
        map_source(read_source(path, options.max_file_bytes), options)
    return time.perf_counter() - start


def database_env(url: str | None, scratch: Path) -> dict:
    # Production settings: DEBUG off (Django then keeps no log of every query).
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "newsroom.settings",
        "MEDIA_ROOT": str(scratch / "media"),
        "DEBUG": "0",
        "SECRET_KEY": "bench-" + "k" * 60,
        "ALLOWED_HOSTS": "localhost",
    }
    env["DATABASE_URL"] = url or f"sqlite:///{scratch}/bench.sqlite3"
    subprocess.run([sys.executable, "manage.py", "migrate", "-v0"], cwd=ROOT, env=env, check=True)
    subprocess.run([sys.executable, "manage.py", "flush", "--noinput", "-v0"], cwd=ROOT, env=env, check=True)
    return env


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--articles", type=int, default=10_000)
    parser.add_argument("--postgres", metavar="URL", help="also measure on this (scratch!) PostgreSQL database")
    parser.add_argument("--memory-check", action="store_true", help="also import 10x the files, compare peak memory")
    args = parser.parse_args()

    pool = bodies()
    with tempfile.TemporaryDirectory() as tmp:
        scratch = Path(tmp)
        files = generate(scratch / "archive", args.articles, pool)
        n = len(files)
        print(f"{n:,} seed-like files, {sum(p.stat().st_size for p in files) / n / 1024:.1f} KiB each on average")
        took = floor(files)
        print(f"{'floor: parse + sanitise, 1 process':<44}{took:>8.2f} s {n / took:>9,.0f} files/s")
        for name, url in [("SQLite", None), ("PostgreSQL", args.postgres)]:
            if name == "PostgreSQL" and not url:
                continue
            env = database_env(url, scratch)
            for label, prepare in [
                ("first import", lambda: None),
                ("unchanged re-import", lambda: None),
                ("re-import, 10% changed", lambda: [p.write_text(p.read_text() + " ", "utf-8") for p in files[::10]]),
            ]:
                prepare()
                took, peak, summary = run_import(scratch / "archive", env)
                print(f"{name + ': ' + label:<44}{took:>8.2f} s {n / took:>9,.0f} files/s {peak:>7.0f} MB  {summary}")
        if args.memory_check:
            big = generate(scratch / "big", args.articles * 10, pool, seed=2)
            env = database_env(None, scratch)
            took, small_peak, _ = run_import(scratch / "archive", env)
            env = database_env(None, scratch)
            took, big_peak, summary = run_import(scratch / "big", env)
            print(
                f"peak memory: {small_peak:.0f} MB for {n:,} files, {big_peak:.0f} MB for {len(big):,} "
                f"({big_peak / small_peak:.2f}x); {len(big) / took:,.0f} files/s  {summary}"
            )


if __name__ == "__main__":
    main()
