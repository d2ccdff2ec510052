"""Background jobs: work a change needs that no editor should wait for (renditions, purges).

The outbox pattern, on Celery:

- `enqueue(name, *args)` records a `Job` row in the caller's transaction, and the queue is told
  of it when that transaction commits. A rolled-back change leaves no job; a committed one
  always has its jobs, even when the broker is down at that moment: the relay tells it later.
- `run(job_id)` (a worker) claims the job for a lease, runs it and records the outcome: done,
  a retry after a growing delay, or failed for good after `JOBS_MAX_ATTEMPTS` (the admin lists
  failed jobs with their error). A worker that dies mid-job holds it only until its lease ends;
  then the job is claimed again. So a job may run more than once: every job is idempotent.
- `relay()` tells the queue of jobs that are due soon and were never sent (the broker was down,
  or they wait for a later time) or were lost, and of jobs abandoned by a dead worker. Celery
  beat runs it every `JOBS_RELAY_SECONDS`. A job's time (`run_at`) lives in the table, not in
  the broker: a scheduled story's purge days ahead is sent when it is nearly due.

Where jobs run (`JOBS_MODE`): `celery`, worker processes on `CELERY_BROKER_URL`; `thread`, a
thread of each web process (`make run`: nothing else to start); `eager`, at once inside the
caller (tests of everything that is not the queue itself).
"""

import logging
import queue
import random
import threading
import time
import traceback
from datetime import timedelta
from functools import partial

from django.conf import settings
from django.db import connections, transaction
from django.db.models import F
from django.utils import timezone

from .models import Job
from .outages import Outage

log = logging.getLogger(__name__)

_handlers: dict = {}
BACKOFF_LIMIT_SECONDS = 3600
READINESS_TIMEOUT_SECONDS = 0.5


def job(name: str):
    """Register the function that runs jobs called `name`. It must be idempotent."""

    def register(function):
        _handlers[name] = function
        return function

    return register


def enqueue(name: str, *args, key: str = "", run_at=None, merge=False) -> Job:
    """Record a job in the current transaction; the queue hears of it on commit.

    Jobs with the same `key` coalesce while they wait: a job for now joins one already due
    (it reads the state it works on when it runs), a job for later joins one for the same time.
    The joined job takes these `args`, or with `merge` (one list argument) the union of both."""
    if name not in _handlers:
        raise LookupError(f"no job is registered as {name!r}")
    now = timezone.now()
    run_at = max(run_at or now, now)
    when = None if run_at == now else run_at  # "now", however many microseconds apart
    if merge:
        job = _join_this_transactions(name, args, key, when)
    else:
        job = _join_waiting(name, args, key, run_at, now) if key else None
    if job is None:
        job = Job.objects.create(name=name, args=list(args), key=key, run_at=run_at)
        if merge:
            _remember_for_this_transaction(name, key, when, job.pk)
    if settings.JOBS_MODE == "eager":
        with transaction.atomic():  # a handler's database error must not break the caller's transaction
            run(job.pk)
    else:
        transaction.on_commit(partial(dispatch, [job.pk]), robust=True)
    return job


def _join_waiting(name, args, key, run_at, now) -> Job | None:
    waiting = Job.objects.filter(name=name, key=key, state=Job.State.PENDING)
    waiting = waiting.filter(run_at__lte=now) if run_at == now else waiting.filter(run_at=run_at)
    job = waiting.order_by("run_at").first()
    if job is None:
        return None
    job.args = list(args)
    # Only while it still waits: a worker that claimed it meanwhile has read its arguments.
    if not Job.objects.filter(pk=job.pk, state=Job.State.PENDING).update(args=job.args):
        return None
    return job


# Merged jobs (purges) gather within one transaction only: its row is invisible to every other
# transaction until commit, so adding names to it races with nobody and locks nothing shared.
_this_transactions = threading.local()


def _transaction_token():
    connection = transaction.get_connection()
    return id(connection.atomic_blocks[0]) if connection.in_atomic_block else None


def _join_this_transactions(name, args, key, run_at) -> Job | None:
    token = _transaction_token()
    found = getattr(_this_transactions, "jobs", {}).get((token, name, key, run_at)) if token else None
    if found is None:
        return None
    job = Job.objects.filter(pk=found, state=Job.State.PENDING).first()  # None after a rollback
    if job is None:
        return None
    job.args = [sorted({*job.args[0], *args[0]})]
    Job.objects.filter(pk=job.pk).update(args=job.args)
    return job


def _remember_for_this_transaction(name, key, run_at, pk) -> None:
    token = _transaction_token()
    if token is None:
        return  # autocommit: this write was its own transaction
    jobs = _this_transactions.__dict__.setdefault("jobs", {})
    jobs[(token, name, key, run_at)] = pk
    transaction.on_commit(lambda: jobs.pop((token, name, key, run_at), None))


def run(job_id: int) -> bool:
    """Claim and run one job; False when it is not this worker's to run (done, taken, not due)."""
    now = timezone.now()
    # A job whose worker died on every attempt (killed, out of memory) is not tried forever.
    Job.objects.filter(
        pk=job_id, state=Job.State.RUNNING, locked_until__lt=now, attempts__gte=settings.JOBS_MAX_ATTEMPTS
    ).update(
        state=Job.State.FAILED,
        finished_at=now,
        locked_until=None,
        error="The worker running it stopped before it ended (killed, or out of memory?), on every attempt.",
    )
    # The lease's end is this attempt's token: a worker that overran its lease, and lost the job
    # to another, records nothing when it ends.
    lease_end = now + timedelta(seconds=settings.JOBS_LEASE_SECONDS)
    claimed = (
        Job.objects.claimable(now)
        .filter(pk=job_id)
        .update(state=Job.State.RUNNING, attempts=F("attempts") + 1, locked_until=lease_end)
    )
    if not claimed:
        return False
    job = Job.objects.get(pk=job_id)
    mine = Job.objects.filter(pk=job_id, state=Job.State.RUNNING, locked_until=lease_end)
    try:
        handler = _handlers.get(job.name)
        if handler is None:
            raise LookupError(f"no job is registered as {job.name!r}")
        handler(*job.args)
    except Exception as error:  # noqa: BLE001 - whatever a job raises is recorded for staff
        _record_failure(job, error, mine)
    else:
        mine.update(state=Job.State.DONE, finished_at=timezone.now(), locked_until=None, error="")
    return True


def _record_failure(job: Job, error: Exception, running) -> None:
    reason = f"{type(error).__name__}: {error}"
    details = f"{reason}\n\n{traceback.format_exc()}"[-10_000:]
    if job.attempts >= settings.JOBS_MAX_ATTEMPTS:
        running.update(state=Job.State.FAILED, finished_at=timezone.now(), locked_until=None, error=details)
        log.error("job %s failed for good after %d attempts: %s", job, job.attempts, reason)
        return
    delay = retry_delay(job.attempts)
    running.update(
        state=Job.State.PENDING,
        run_at=timezone.now() + timedelta(seconds=delay),
        locked_until=None,
        dispatched_at=None,
        error=details,
    )
    log.warning("job %s failed (attempt %d), retried in %.0f s: %s", job, job.attempts, delay, reason)
    if settings.JOBS_MODE == "celery" and delay <= settings.JOBS_RELAY_SECONDS * 2:
        dispatch([job.pk])


def retry_delay(attempts: int) -> float:
    """Seconds before the next attempt: doubling from JOBS_RETRY_SECONDS, at most an hour,
    spread a little so that jobs which failed together do not all retry together."""
    base = min(settings.JOBS_RETRY_SECONDS * 2 ** (attempts - 1), BACKOFF_LIMIT_SECONDS)
    return base * random.uniform(1.0, 1.25)


def retry(jobs) -> int:
    """Staff's retry of failed jobs: attempts start over, now."""
    ids = [job.pk for job in jobs]
    count = Job.objects.filter(pk__in=ids, state=Job.State.FAILED).update(
        state=Job.State.PENDING, attempts=0, run_at=timezone.now(), dispatched_at=None, finished_at=None
    )
    transaction.on_commit(partial(dispatch, ids), robust=True)
    return count


def relay() -> int:
    """Tell the queue of what is due and unsent, lost or abandoned; forget old finished jobs."""
    now = timezone.now()
    horizon = timedelta(seconds=settings.JOBS_RELAY_SECONDS * 2)
    lease = timedelta(seconds=settings.JOBS_LEASE_SECONDS)
    ids = list(Job.objects.to_dispatch(now, horizon=horizon, lease=lease).values_list("pk", flat=True)[:1000])
    Job.objects.filter(state=Job.State.DONE, finished_at__lt=now - timedelta(days=settings.JOBS_KEEP_DAYS)).delete()
    if ids:
        dispatch(ids)
    return len(ids)


# --- telling the queue ---------------------------------------------------------------------


def dispatch(ids) -> None:
    """Hand jobs to whatever runs them. Never raises: an unsent job waits for the relay."""
    if settings.JOBS_MODE == "celery":
        _send(ids)
    elif settings.JOBS_MODE == "thread":
        _runner.wake(ids)
    else:
        for job_id in ids:
            run(job_id)


_broker = Outage(
    "jobs: the broker", "jobs wait in the database and are sent when it does", lambda: settings.JOBS_RELAY_SECONDS
)


def _send(ids) -> None:
    from kombu.exceptions import OperationalError

    from .celery import app, run_job

    if not ids or not _broker.allows_a_try():
        return
    jobs = list(Job.objects.filter(pk__in=ids).values_list("pk", "run_at"))
    now = timezone.now()
    marked = [pk for pk, _ in jobs]
    # Marked before sending: a worker that runs and fails a job at once resets it, after this.
    Job.objects.filter(pk__in=marked).update(dispatched_at=now)
    try:
        with app.connection_for_write(settings.CELERY_BROKER_URL) as connection:
            for pk, run_at in jobs:
                run_job.apply_async(
                    (pk,),
                    eta=run_at if run_at > now else None,
                    queue=settings.JOBS_QUEUE,
                    connection=connection,
                    retry=False,
                )
    except (OperationalError, OSError) as error:
        _broker.began(error)
        Job.objects.filter(pk__in=marked, dispatched_at=now).update(dispatched_at=None)  # for the relay
        return
    if _broker.ended():
        log.warning("jobs: the broker answers again; waiting jobs are sent")


def broker_state() -> str:
    """For /readyz: "ok", "unreachable", or "in-process" when there is no broker."""
    if settings.JOBS_MODE != "celery":
        return "in-process"
    from kombu import Connection

    answer = []

    def connect():
        try:
            with Connection(settings.CELERY_BROKER_URL, connect_timeout=READINESS_TIMEOUT_SECONDS) as connection:
                connection.connection  # noqa: B018 - connects (and shakes hands) once
            answer.append("ok")
        except Exception as error:  # noqa: BLE001 - a probe reports, it does not raise
            answer.append(f"unreachable: {type(error).__name__}")

    # A probe must answer within the load balancer's timeout whatever the broker does (a
    # client's own timeouts and retries add up to seconds): it waits this long, no more.
    attempt = threading.Thread(target=connect, daemon=True)
    attempt.start()
    attempt.join(READINESS_TIMEOUT_SECONDS)
    return answer[0] if answer else f"unreachable: no answer within {READINESS_TIMEOUT_SECONDS} s"


class _Runner:
    """JOBS_MODE=thread: one thread per web process runs jobs as they are committed, and
    every JOBS_RELAY_SECONDS those that came due (retries, scheduled ones, other processes')."""

    def __init__(self):
        self.queue: queue.Queue = queue.Queue()
        self.thread = None
        self.lock = threading.Lock()

    def start(self, **kwargs) -> None:
        if self.thread is not None or settings.JOBS_MODE != "thread":
            return  # every request after the first
        with self.lock:
            if self.thread is None:
                self.thread = threading.Thread(target=self._loop, name="newsroom-jobs", daemon=True)
                self.thread.start()

    def wake(self, ids) -> None:
        """Only a started runner (a web process) takes jobs; a command's are left to one."""
        if self.thread is not None:
            for job_id in ids:
                self.queue.put(job_id)

    def _loop(self) -> None:
        next_look = 0.0
        while True:
            try:
                ids = [self.queue.get(timeout=settings.JOBS_RELAY_SECONDS)]
            except queue.Empty:
                ids = []
            if settings.JOBS_MODE != "thread":
                continue  # settings changed under it (tests)
            try:
                if time.monotonic() >= next_look:  # however busy: retries, scheduled jobs, commands' jobs
                    next_look = time.monotonic() + settings.JOBS_RELAY_SECONDS
                    ids += list(Job.objects.claimable(timezone.now()).values_list("pk", flat=True)[:100])
                for job_id in ids:
                    run(job_id)
            except Exception:  # noqa: BLE001 - the runner outlives any one failure (the database's)
                log.exception("jobs: the in-process runner failed; it carries on")
            finally:
                connections.close_all()  # this thread's: held between polls, it would pin the database


_runner = _Runner()


def start_in_process_runner() -> None:
    """Connected to the first request of a web process when JOBS_MODE is thread."""
    from django.core.signals import request_started

    request_started.connect(_runner.start, weak=False, dispatch_uid="newsroom-jobs-runner")
