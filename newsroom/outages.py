"""A shared part (the cache, the job broker) that stopped answering is left alone for a while.

While it does not answer, callers skip it until the next try, so a lost part costs one timeout
per try, not one per request, and the log gets one warning per outage, not one per call.
"""

import logging
import threading
import time

log = logging.getLogger(__name__)


class Outage:
    """This process's view of whether one part answers. `retry_seconds` is read at each failure
    (a callable, so tests and settings overrides take effect); `consequence` ends the warning."""

    def __init__(self, part: str, consequence: str, retry_seconds):
        self.part, self.consequence, self.retry_seconds = part, consequence, retry_seconds
        self.retry_at = 0.0  # monotonic time of the next try; 0 while the part answers
        self.lock = threading.Lock()

    def allows_a_try(self) -> bool:
        return self.retry_at == 0.0 or time.monotonic() >= self.retry_at

    def began(self, error: Exception) -> None:
        retry = self.retry_seconds()
        with self.lock:
            first = self.retry_at == 0.0
            self.retry_at = time.monotonic() + retry
        if first:
            log.warning(
                "%s does not answer (%s: %s); %s, tried again every %s s",
                self.part,
                type(error).__name__,
                error,
                self.consequence,
                retry,
            )

    def ended(self) -> bool:
        """Whether the part was down until now (it just answered)."""
        if self.retry_at == 0.0:
            return False  # the usual case, on every request: no lock
        with self.lock:
            was_down, self.retry_at = self.retry_at != 0.0, 0.0
        return was_down
