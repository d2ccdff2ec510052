import json
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from articles.frontmatter import (
    DEFAULT_EXTENSIONS,
    Importer,
    ImportOptions,
    Outcome,
    find_sources,
    likely_duplicates,
)
from articles.models import Article


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
        parser.add_argument("--status", choices=Article.Status.values, help="Give every article this status.")
        parser.add_argument("--default-author", default="", help="Byline for files that name no author.")
        parser.add_argument(
            "--category-mode",
            choices=["path", "flat"],
            default="path",
            help="path: a list of categories is one nested path (Hexo); flat: each is a top-level section (Hugo).",
        )
        parser.add_argument(
            "--overwrite", action="store_true", help="Also replace articles editors changed since their import."
        )
        parser.add_argument(
            "--restore-deleted",
            action="store_true",
            help=(
                "Also import files whose articles were deleted (by default they are skipped and listed), "
                "every one this run meets, and forget their deletions; to bring back only some, name just their files."
            ),
        )
        parser.add_argument("--report", metavar="FILE.json", help="Write what happened to each file to FILE.json.")
        parser.add_argument("--jobs", type=int, default=None, help="Worker processes (default: one per core).")

    def handle(self, *args, paths, verbosity, **options):
        try:
            tz = ZoneInfo(options["timezone"])
        except (ZoneInfoNotFoundError, ValueError) as exc:
            raise CommandError(f"--timezone: unknown time zone {options['timezone']!r}") from exc
        extensions = [e.strip() for e in options["extensions"].split(",") if e.strip()]
        try:
            files = find_sources(paths, extensions)
        except FileNotFoundError as exc:
            raise CommandError(f"{exc.args[0]}: no such file or folder") from exc
        import_options = ImportOptions(
            tz=tz,
            status=options["status"],
            default_author=options["default_author"].strip(),
            category_mode=options["category_mode"],
            dry_run=options["dry_run"],
            overwrite=options["overwrite"],
            restore_deleted=options["restore_deleted"],
        )

        counts = dict.fromkeys([*Outcome, "warnings"], 0)
        report, touched = [], []
        progress = Progress(self.stderr, len(files), enabled=verbosity > 0)
        for outcome in Importer(import_options, jobs=options["jobs"]).run(files):
            progress.step()
            counts[outcome.outcome] += 1
            counts["warnings"] += len(outcome.warnings)
            if outcome.outcome in (Outcome.CREATED, Outcome.UPDATED):
                touched.append(outcome.article_id)
            if outcome.outcome == Outcome.FAILED:
                progress.write(f"{outcome.path}: {outcome.reason}")
            elif outcome.outcome == Outcome.SKIPPED and verbosity > 0:
                progress.write(self.style.NOTICE(f"{outcome.path}: skipped: {outcome.reason}"))
            elif outcome.outcome in (Outcome.DELETED, Outcome.RETRACTED) and verbosity > 0:
                progress.write(self.style.NOTICE(f"{outcome.path}: skipped, {outcome.reason}"))
            for warning in outcome.warnings:
                progress.write(self.style.WARNING(f"{outcome.path}: warning: {warning}"))
            if verbosity >= 2:
                for note in outcome.notes:
                    progress.write(f"{outcome.path}: note: {note}")
                progress.write(f"{outcome.path}: {outcome.outcome}", stdout=self.stdout)
            if options["report"]:
                report.append(outcome.__dict__)
        progress.clear()

        duplicates = likely_duplicates(touched) if touched else []
        for reason, group in duplicates:
            self.stdout.write(self.style.WARNING(f"likely duplicates ({reason}): " + " | ".join(group)))
        if options["report"]:
            with open(options["report"], "w", encoding="utf-8") as handle:
                json.dump(
                    {"counts": counts, "files": report, "likely_duplicates": duplicates},
                    handle,
                    ensure_ascii=False,
                    indent=1,
                )

        summary = (
            f"{len(files)} files: {counts[Outcome.CREATED]} created, {counts[Outcome.UPDATED]} updated, "
            f"{counts[Outcome.UNCHANGED]} unchanged, {counts[Outcome.SKIPPED]} skipped, "
            + (f"{counts[Outcome.DELETED]} kept deleted, " if counts[Outcome.DELETED] else "")
            + (f"{counts[Outcome.RETRACTED]} kept retracted, " if counts[Outcome.RETRACTED] else "")
            + f"{counts[Outcome.FAILED]} failed, {counts['warnings']} warnings"
        )
        if import_options.dry_run:
            summary = (
                f"Dry run, nothing written. {len(files)} files: {counts[Outcome.CHECKED]} readable, "
                f"{counts[Outcome.UNCHANGED]} unchanged, {counts[Outcome.SKIPPED]} skipped, "
                + (f"{counts[Outcome.RETRACTED]} kept retracted, " if counts[Outcome.RETRACTED] else "")
                + f"{counts[Outcome.FAILED]} failed, {counts['warnings']} warnings"
            )
        if counts[Outcome.FAILED]:
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
        if self.enabled and (self.done % 50 == 0 or self.done == self.total):
            filled = self.width * self.done // self.total
            self.stream.write(f"\r[{'#' * filled}{'.' * (self.width - filled)}] {self.done}/{self.total}", ending="")
            self.stream.flush()

    def write(self, line, stdout=None):
        """A line above the bar (stderr unless told otherwise)."""
        self.clear()
        (stdout or self.stream).write(line)

    def clear(self):
        if self.enabled:
            self.stream.write("\r" + " " * (self.width + 30) + "\r", ending="")
