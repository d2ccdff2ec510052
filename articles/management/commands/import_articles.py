from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.db import DatabaseError

from articles.importing import ImportFailure
from articles.importing.files import DEFAULT_EXTENSIONS, find_sources
from articles.importing.mapping import map_source
from articles.importing.reading import read_source
from articles.importing.saving import CREATED, UNCHANGED, UPDATED, save_article


class Command(BaseCommand):
    help = "Import front-matter files (YAML, TOML or JSON front matter; Markdown or HTML body) as articles."

    def add_arguments(self, parser):
        parser.add_argument("paths", nargs="+", help="Files or folders (searched recursively).")
        parser.add_argument("--dry-run", action="store_true", help="Read and check every file; write nothing.")
        parser.add_argument(
            "--extensions",
            default=",".join(DEFAULT_EXTENSIONS),
            help="Comma-separated file endings to pick up in folders (default: %(default)s).",
        )
        parser.add_argument(
            "--timezone",
            default=settings.TIME_ZONE,
            help="Time zone of dates written without one (default: the site's, %(default)s).",
        )

    def handle(self, *args, paths, dry_run, extensions, timezone, verbosity, **options):
        try:
            tz = ZoneInfo(timezone)
        except (ZoneInfoNotFoundError, ValueError) as exc:
            raise CommandError(f"--timezone: unknown time zone {timezone!r}") from exc
        try:
            sources = list(find_sources(paths, [e.strip() for e in extensions.split(",") if e.strip()]))
        except FileNotFoundError as exc:
            raise CommandError(f"{exc.args[0]}: no such file or folder") from exc

        counts = {CREATED: 0, UPDATED: 0, UNCHANGED: 0, "failed": 0, "warnings": 0}
        progress = Progress(self.stderr, len(sources), enabled=verbosity > 0)
        for path, key in sources:
            progress.step()
            try:
                data = map_source(read_source(path), key, tz)
                outcome = "checked" if dry_run else save_article(data)[0]
            except (ImportFailure, DatabaseError) as exc:
                counts["failed"] += 1
                progress.clear()
                self.stderr.write(f"{path}: {exc}")
                continue
            counts[outcome] = counts.get(outcome, 0) + 1
            for warning in data.warnings:
                counts["warnings"] += 1
                progress.clear()
                self.stderr.write(self.style.WARNING(f"{path}: warning: {warning}"))
            if verbosity >= 2:
                progress.clear()
                self.stdout.write(f"{path}: {outcome}")
        progress.clear()

        summary = (
            f"{len(sources)} files: {counts[CREATED]} created, {counts[UPDATED]} updated, "
            f"{counts[UNCHANGED]} unchanged, {counts['failed']} failed, {counts['warnings']} warnings"
        )
        if dry_run:
            summary = f"Dry run, nothing written. {len(sources)} files: {counts.get('checked', 0)} readable, " + (
                f"{counts['failed']} failed, {counts['warnings']} warnings"
            )
        if counts["failed"]:
            raise CommandError(summary)
        if verbosity > 0:
            self.stdout.write(self.style.SUCCESS(summary))


class Progress:
    """A one-line progress bar on a terminal; silent when output is piped or at verbosity 0."""

    width = 30

    def __init__(self, stream, total, enabled=True):
        self.stream, self.total, self.done = stream, total, 0
        self.enabled = enabled and total > 0 and stream.isatty()

    def step(self):
        self.done += 1
        if self.enabled:
            filled = self.width * self.done // self.total
            self.stream.write(f"\r[{'#' * filled}{'.' * (self.width - filled)}] {self.done}/{self.total}", ending="")
            self.stream.flush()

    def clear(self):
        if self.enabled:
            self.stream.write("\r" + " " * (self.width + 30) + "\r", ending="")
