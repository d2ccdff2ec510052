"""What one file may cost an import: bytes read and seconds spent (issue 12). One file can never
stall a run; it fails with the reason, and the others carry on.

The time limit is an alarm (SIGALRM) in the process that parses the file: a worker process, or
the command itself when it parses in one process. Python's signal handlers run between bytecodes
and inside the `re` engine, so a slow parse is interrupted wherever it is. Without a main thread
to receive the alarm (an import started from another thread) the limit is not applied.
"""

import os
import signal
import threading
from contextlib import contextmanager
from pathlib import Path

from .errors import ImportFailure


class OverBudget(BaseException):
    """The alarm, raised inside a file's work. Not an Exception, so that no `except Exception`
    in the libraries doing the work (YAML, Markdown, bleach) swallows it."""


def read_bytes(path: Path, max_bytes: int) -> bytes:
    """The file's bytes, refused with the reason before anything is read when it is larger than
    `max_bytes` (and read no further than that, should it grow meanwhile)."""
    try:
        with path.open("rb") as handle:
            size = os.fstat(handle.fileno()).st_size
            raw = b"" if size > max_bytes else handle.read(max_bytes + 1)
    except OSError as exc:
        raise ImportFailure(f"cannot read file: {exc.strerror}") from exc
    if size > max_bytes or len(raw) > max_bytes:
        raise ImportFailure(
            f"file is {max(size, len(raw)):,} bytes, over the limit of {max_bytes:,} (IMPORT_MAX_FILE_BYTES): not read"
        )
    return raw


_state = {"holding": False, "expired": False}
REPEAT_SECONDS = 0.05


@contextmanager
def time_limit(seconds: float | None):
    """Raise OverBudget in the block once `seconds` have passed (not inside `uninterrupted()`:
    there it waits for the block's end). An alarm that fired inside an `uninterrupted()` block
    that then raised is forgotten at the end, so the next file starts with its whole budget."""
    _state["expired"] = False
    if not seconds or threading.current_thread() is not threading.main_thread():
        yield
        return

    def expire(signum, frame):
        if _state["holding"]:
            _state["expired"] = True
        else:
            raise OverBudget

    previous = signal.signal(signal.SIGALRM, expire)
    # Then again every REPEAT seconds: a handler that raises inside a garbage collector's
    # callback or a __del__ has its exception printed and dropped, and the work would go on
    # unbounded. The next alarm raises it where it counts.
    signal.setitimer(signal.ITIMER_REAL, seconds, REPEAT_SECONDS)
    try:
        yield
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous)
        _state["expired"] = False


@contextmanager
def uninterrupted():
    """A block the alarm must not cut in half: writing a stored image, whose name is its content,
    so a truncated copy would be taken for the whole one by every later import."""
    if _state["holding"]:
        yield
        return
    _state["holding"] = True
    try:
        yield
    finally:
        _state["holding"] = False
    if _state["expired"]:
        _state["expired"] = False
        raise OverBudget
