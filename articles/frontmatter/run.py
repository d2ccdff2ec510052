"""One import run: find files, skip the unchanged ones, parse the rest on every core, write in batches.

Parsing, Markdown and sanitising are CPU work without the database, so worker processes do them
while this process writes the previous batch; memory stays flat because only two batches are
ever in flight.
"""

import gc
import multiprocessing
import os
from collections.abc import Iterator
from pathlib import Path

from django.db import reset_queries
from django.utils import timezone

from ..models import Article
from .budget import OverBudget, read_bytes, time_limit
from .errors import ImportFailure, ImportSkip
from .identity import Claims, decide
from .images import ImageStore, findable
from .mapping import ArticleData, ImportOptions, forget_folders, map_source
from .reading import content_hash, read_source
from .saving import FileOutcome, Outcome, Writer, retracted, retraction_reasons

BATCH_SIZE = 500


def prepare(path: str, options: ImportOptions) -> ArticleData | FileOutcome:
    """Read and map one file (in a worker process): an ArticleData, or the FileOutcome that ends
    it. A file over its budget fails by itself; it has written nothing to the database."""
    try:
        with time_limit(options.file_seconds):
            source = read_source(Path(path), options.max_file_bytes)
            return map_source(source, options, ImageStore(dry_run=options.dry_run))
    except OverBudget:
        return FileOutcome(
            path,
            Outcome.FAILED,
            f"took more than {options.file_seconds:g} s to read and render (IMPORT_FILE_SECONDS): not imported",
        )
    except ImportSkip as exc:
        return FileOutcome(path, Outcome.SKIPPED, str(exc))
    except ImportFailure as exc:
        return FileOutcome(path, Outcome.FAILED, str(exc))
    except Exception as exc:  # noqa: BLE001 - one file's surprise must not stop a 100,000-file run
        return FileOutcome(path, Outcome.FAILED, f"unexpected error, please report it: {type(exc).__name__}: {exc}")


def _prepare_star(args):
    return prepare(*args)


def _worker_start():
    # A worker's garbage is per file and almost free of cycles: collecting the young generation
    # every 700 allocations is most of what its collector does, for nothing.
    gc.set_threshold(100_000, 50, 100)


class Importer:
    def __init__(self, options: ImportOptions, jobs: int | None = None, batch_size: int = BATCH_SIZE):
        self.options, self.batch_size = options, batch_size
        self.jobs = jobs if jobs is not None else (os.cpu_count() or 1)
        self.now = timezone.now()
        self.writer = Writer(options, self.now)
        self.claims = Claims()  # source key -> the file of this run that holds it

    def run(self, paths: list[str]) -> Iterator[FileOutcome]:
        forget_folders()  # a run sees the folders as they are now (translated siblings)
        batches = [paths[i : i + self.batch_size] for i in range(0, len(paths), self.batch_size)]
        if self.jobs <= 1 or len(paths) < 2 * self.batch_size:
            for batch in batches:
                fresh, done = self._triage(batch)
                yield from done
                yield from self._finish([prepare(path, self.options) for path in fresh])
            return
        # Forked workers inherit the database connection but never use it (they only parse), and
        # they leave through os._exit, so the parent's connection is untouched.
        gc.freeze()  # objects from start-up stay shared with the workers instead of being copied
        with multiprocessing.get_context("fork").Pool(self.jobs, initializer=_worker_start) as pool:
            pending = None
            for batch in batches:
                fresh, done = self._triage(batch)
                yield from done
                job = pool.map_async(_prepare_star, [(p, self.options) for p in fresh], chunksize=25)
                if pending is not None:
                    yield from self._finish(pending.get())
                pending = job
            if pending is not None:
                yield from self._finish(pending.get())

    def _triage(self, batch: list[str]) -> tuple[list[str], list[FileOutcome]]:
        """Files whose bytes match what their article was imported from are done already."""
        reset_queries()  # with DEBUG on, Django keeps every query's SQL: bodies, batch after batch
        known, gone = {}, {}
        rows = Article.objects.filter(source_path__in=batch).values_list(
            "source_path", "source_hash", "source_key", "missing_images", "pk", "status"
        )
        for path, digest, key, missing, pk, status in rows:
            known[path] = (digest, key, missing)
            if status == Article.Status.RETRACTED:
                gone[path] = pk
        reasons = retraction_reasons(gone.values())
        fresh, done = [], []
        for path in batch:
            if path in gone:  # changed or not, the file never brings it back
                self.claims.claim(known[path][1], path)
                done.append(retracted(path, gone[path], reasons[gone[path]]))
                continue
            if path in known:
                try:
                    digest = content_hash(read_bytes(Path(path), self.options.max_file_bytes))
                except ImportFailure as exc:
                    done.append(FileOutcome(path, Outcome.FAILED, str(exc)))
                    continue
                # Unchanged, unless an image it lacked is there now: that import puts it back.
                if digest == known[path][0] and not (known[path][2] and findable(known[path][2], path)):
                    # An unchanged file still holds its identity in this run.
                    self.claims.claim(known[path][1], path)
                    done.append(FileOutcome(path, Outcome.UNCHANGED))
                    continue
            fresh.append(path)
        return fresh, done

    def _finish(self, prepared: list) -> list[FileOutcome]:
        """Write a batch of prepared files. Each first claims its identity in this run (a file an
        earlier one already claimed as its own id is refused); the writer decides the rest."""
        outcomes, items = {}, []
        for p in prepared:
            if not isinstance(p, ArticleData):
                continue
            decision = decide(p, self.claims)
            self.claims.record(decision, p.source_path)
            if decision.refusal:
                outcomes[id(p)] = FileOutcome(p.source_path, Outcome.FAILED, decision.refusal, p.warnings)
            else:
                items.append(p)
        if self.options.dry_run:
            outcomes |= {
                id(i): FileOutcome(i.source_path, Outcome.CHECKED, warnings=i.warnings, notes=i.notes) for i in items
            }
        elif items:
            outcomes |= dict(zip(map(id, items), self.writer.write(items, self.claims), strict=True))
        return [outcomes.get(id(p), p) for p in prepared]
