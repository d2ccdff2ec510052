"""Cache entries that know what they show, and the sequence that says which are still true.

Every entry is kept as (value, what it shows, sequence number). "What it shows" is a set of
short names (`shown.py`: "a12" is article 12's content, "ls5" section 5's list, …). Each
change bumps a global sequence and records, for every name it touches, the sequence at which
it last changed. An entry is valid while none of its names changed after the sequence number
read *before* its content was read, so a change landing while a page is being built makes that
page stale at once, with no lock and no window.

- A request reads the sequence, the scheduled-publication clock and, for the page it asks,
  the page's entry and the versions of the names that page showed last time, all in one
  `get_many`: a page-cache hit through Redis is one round trip.
- A version that is missing (never set, or evicted) makes an entry invalid; `store` sets the
  missing ones, so an evicted version costs a rebuild, never a stale page.
- The floor: entries older than it are all invalid (first start, an evicted sequence, a change
  whose reach is unknown).
- Scheduled stories go live with no cron: the first request after a publication time makes
  that story's lists, and only those, stale (`went_live`), then notes the next time.
- A cache that stops answering is left alone for `CACHE_RETRY_SECONDS` (one warning, not one
  per request): pages are built afresh, saves go through. When it answers again, everything
  kept before the outage is dropped, since changes made meanwhile could not be recorded.
- With the local-memory cache each process has its own entries; a change made by another
  process (an import, the shell) reaches this one through a stamp file's modification time, and
  clears it: precise within the process that changed, whole elsewhere.
"""

import fcntl
import hashlib
import logging
import os
import sys
import threading
import time
from collections import OrderedDict
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass, field
from pathlib import Path

from django.conf import settings
from django.core.cache import cache, caches
from django.core.cache.backends.dummy import DummyCache
from django.core.cache.backends.locmem import LocMemCache
from django.core.cache.backends.redis import RedisCache
from django.db import transaction
from django.utils import timezone

from newsroom import edge, jobs
from newsroom.edge import EVERY_PAGE
from newsroom.outages import Outage

SEQUENCE_KEY = "freshness:sequence"
FLOOR_KEY = "freshness:floor"
NEXT_PUBLICATION_KEY = "freshness:next-publication"
LIVE_THROUGH_KEY = "freshness:live-through"
CLOCK = (SEQUENCE_KEY, FLOOR_KEY, NEXT_PUBLICATION_KEY, LIVE_THROUGH_KEY)
VERSION_PREFIX = "freshness:shown:"
TIMEOUT = 24 * 3600  # entries are made stale by changes; this only bounds memory
MISSING = object()
REMEMBERED_PAGES = 10_000  # what each page showed last time, so a hit is one round trip
NEXT_PUBLICATION_TTL = 60  # the noted next publication is read again at least this often
GRACE = 5  # seconds: a story gone live is made new again this much later (clocks differ by host)
log = logging.getLogger(__name__)
# Invalidation and reading are atomic in Redis (one script, one MGET); elsewhere (local memory,
# and other backends within a process) this lock makes them so.
_lock = threading.RLock()
# Bumps the sequence and sets each name's version to it, in one step: no reader can see the new
# sequence with an old version (or versions going backwards). -1 when the sequence is missing.
BUMP = """
if redis.call('EXISTS', KEYS[1]) == 0 then return -1 end
local sequence = redis.call('INCR', KEYS[1])
for i = 2, #KEYS do redis.call('SET', KEYS[i], sequence) end
return sequence
"""


@dataclass
class Reading:
    """One unit of reading (a request): the sequence before any content was read, the floor,
    and the versions of names fetched so far."""

    sequence: int
    floor: int
    versions: dict = field(default_factory=dict)
    keeps: bool = True  # False when the cache cannot be read: nothing is kept, nothing trusted


_reading: ContextVar[Reading | None] = ContextVar("freshness_reading", default=None)
_collectors: ContextVar[tuple] = ContextVar("freshness_collectors", default=())
_remembered: OrderedDict[str, tuple] = OrderedDict()
_stamp_seen: list = [None]


_outages: dict[str, Outage] = {}


def _outage() -> Outage:
    """The outage state of the configured cache (by its location)."""
    where = str(settings.CACHES["default"].get("LOCATION", ""))
    return _outages.get(where) or _outages.setdefault(
        where,
        Outage(
            "freshness: the cache",
            "pages are built afresh and nothing is kept until it does",
            lambda: settings.CACHE_RETRY_SECONDS,
        ),
    )


def _version_key(name: str) -> str:
    return VERSION_PREFIX + name


# --- reading -------------------------------------------------------------------------------


@contextmanager
def reading(entry_key: str | None = None):
    """A request's reading: yields the entry under `entry_key` (MISSING when absent or stale),
    fetched with the clock in one round trip."""
    found, reading_ = _begin(entry_key)
    token = _reading.set(reading_)
    try:
        yield found
    finally:
        _reading.reset(token)


def _current() -> Reading:
    """The request's reading, or a fresh one (the shell, a command, a test calling a view)."""
    return _reading.get() or _begin(None)[1]


@contextmanager
def _within_reading():
    if _reading.get() is not None:
        yield
    else:
        with reading():
            yield


def _begin(entry_key, again=True):
    if isinstance(caches["default"], DummyCache) or not _outage().allows_a_try():
        return MISSING, Reading(0, 0, keeps=False)  # nothing kept: nothing to keep track of
    try:
        found, reading_ = _read_clock(entry_key, again)
        if _outage().ended():
            # Changes made during the outage (here or on another server) could not be
            # recorded: nothing kept from before it can be trusted.
            log.warning("freshness: the cache answers again; what it kept before is dropped")
            invalidate_everything()
            return MISSING, _read_clock(None, again=False)[1]
        return found, reading_
    except Exception as error:  # noqa: BLE001 - a cache that is down must not take the site down
        _outage().began(error)
        return MISSING, Reading(0, 0, keeps=False)


def cache_answers() -> bool:
    """Whether the shared cache answers now (what a readiness probe reports)."""
    if isinstance(caches["default"], DummyCache):
        return True
    if not _outage().allows_a_try():
        return False
    try:
        cache.get(SEQUENCE_KEY)
        return True
    except Exception as error:  # noqa: BLE001
        _outage().began(error)
        return False


def _read_clock(entry_key, again):
    _check_stamp()
    names = _remembered.get(entry_key, ()) if entry_key else ()
    wanted = [*CLOCK, *([entry_key] if entry_key else []), *map(_version_key, names)]
    got = _get_many(wanted)
    sequence, floor = got.get(SEQUENCE_KEY), got.get(FLOOR_KEY)
    if sequence is None or floor is None:
        sequence, floor = _restart()
        got = {}
    upcoming, live_through = got.get(NEXT_PUBLICATION_KEY), got.get(LIVE_THROUGH_KEY)
    now = timezone.now().timestamp()
    if again and (upcoming is None or live_through is None or (upcoming and upcoming <= now)):
        _publish_due(live_through, now)
        return _read_clock(entry_key, again=False)
    reading_ = Reading(sequence, floor, {n: got.get(_version_key(n)) for n in names})
    entry = got.get(entry_key, MISSING) if entry_key else MISSING
    if entry is not MISSING:
        _remember(entry_key, entry[1])
        entry = _valid_value(entry, reading_)
    return entry, reading_


def _get_many(keys) -> dict:
    if isinstance(caches["default"], RedisCache):
        return cache.get_many(keys)  # one MGET: atomic with the bump script
    with _lock:
        return cache.get_many(keys)


def _remember(entry_key, names):
    with _lock:
        _remembered[entry_key] = tuple(sys.intern(n) for n in names)
        _remembered.move_to_end(entry_key)
        while len(_remembered) > REMEMBERED_PAGES:
            _remembered.popitem(last=False)


def _restart():
    """No sequence or floor in the cache (first start, or evicted): whatever is kept is stale."""
    cache.add(SEQUENCE_KEY, time.time_ns() // 1000, timeout=None)  # above any earlier run's
    sequence = _bump(())
    cache.set(FLOOR_KEY, sequence, timeout=None)
    return sequence, sequence


def _fetch_versions(names, reading_: Reading) -> None:
    unknown = [n for n in names if n not in reading_.versions]
    if unknown:
        got = _get_many([_version_key(n) for n in unknown])
        reading_.versions.update({n: got.get(_version_key(n)) for n in unknown})


def _is_valid(entry, reading_: Reading) -> bool:
    _, names, sequence = entry
    if sequence < reading_.floor:
        return False
    versions = reading_.versions
    return all(versions.get(n) is not None and versions[n] <= sequence for n in names)


def _valid_value(entry, reading_: Reading):
    _fetch_versions(entry[1], reading_)
    if not _is_valid(entry, reading_):
        return MISSING
    shows(*entry[1])
    return entry[0]


def load(entry_key: str, default=MISSING):
    """The value kept under the key if nothing it shows has changed since; else `default`.
    What it shows is added to what the enclosing page shows."""
    found = load_many([entry_key])
    return found.get(entry_key, default)


def load_many(entry_keys: list[str]) -> dict:
    reading_ = _current()
    if not reading_.keeps:
        return {}
    try:
        entries = cache.get_many(entry_keys)
        _fetch_versions({n for entry in entries.values() for n in entry[1]}, reading_)
    except Exception as error:  # noqa: BLE001
        _outage().began(error)
        reading_.keeps = False
        return {}
    found = {}
    for entry_key, entry in entries.items():
        if _is_valid(entry, reading_):
            shows(*entry[1])
            found[entry_key] = entry[0]
    return found


# --- what is shown -------------------------------------------------------------------------


def shows(*names) -> None:
    """Declare that what is being built shows these (see `shown.py` for the names)."""
    for collected in _collectors.get():
        collected.update(names)


@contextmanager
def collecting():
    """Collect what is shown while the block builds something; yields the set."""
    collected = set()
    token = _collectors.set((*_collectors.get(), collected))
    try:
        yield collected
    finally:
        _collectors.reset(token)


def store(entry_key: str, value, names, timeout: int = TIMEOUT, remember: bool = False) -> None:
    """Keep `value`, which shows `names`, as of this reading's sequence. `remember`: a page,
    looked up by its key at the start of a request (see `reading`)."""
    store_many({entry_key: (value, names)}, timeout)
    if remember:
        _remember(entry_key, tuple(sorted(names)))


def store_many(entries: dict, timeout: int = TIMEOUT) -> None:
    """`entries`: {key: (value, names)}. Outside a reading nothing is kept: there is no
    sequence from before the values were read."""
    reading_ = _reading.get()
    if reading_ is None or not reading_.keeps:
        return
    try:
        _store_many(entries, timeout, reading_)
    except Exception as error:  # noqa: BLE001 - not kept is only slower
        _outage().began(error)
        reading_.keeps = False


def _store_many(entries, timeout, reading_: Reading) -> None:
    every = {n for _, names in entries.values() for n in names}
    _fetch_versions(every, reading_)
    missing = [n for n in every if reading_.versions.get(n) is None]
    if missing:
        # Never changed, or evicted. Their versions start at the sequence as it is *now*: an
        # entry read before a change of theirs (whose version was then evicted) stays invalid.
        now = cache.get(SEQUENCE_KEY) or reading_.sequence
        for name in missing:
            added = cache.add(_version_key(name), now, timeout=None)
            reading_.versions[name] = now if added else cache.get(_version_key(name))
    packed = {k: (value, tuple(sorted(names)), reading_.sequence) for k, (value, names) in entries.items()}
    cache.set_many(packed, timeout=timeout)


def kept(entry_key: str, compute, shows_too=(), timeout: int = TIMEOUT):
    """The kept value, or `compute()` kept now with what it showed (and `shows_too`)."""
    with _within_reading():
        found = load(entry_key)
        if found is MISSING:
            with collecting() as names:
                shows(*shows_too)
                found = compute()
            store(entry_key, found, names, timeout)
    return found


def keys(kind: str, many_parts) -> list[str]:
    """One key per entry of `many_parts` (each a tuple of what the entry varies by besides
    content: an id, a language, an address)."""
    return [f"{kind}:{_digest(parts)}" for parts in many_parts]


def key(kind: str, *parts) -> str:
    return keys(kind, [parts])[0]


def page_key(request) -> str:
    """A whole page's key: method; scheme and host (pages carry absolute addresses); path; and
    the query as the page cache left it, the parameters the view reads in canonical form
    (`public.middleware`), so any other parameter is the same page, not an entry of its own."""
    address = f"{request.scheme}://{request.get_host()}{request.path}?{request.GET.urlencode()}"
    return key("page", request.method, address)


def _digest(parts) -> str:
    text = ":".join(map(str, parts))
    if len(text) <= 100 and text.isascii() and text.isprintable() and " " not in text:
        return text  # readable in the cache (card ids, languages)
    return hashlib.sha1(text.encode()).hexdigest()  # addresses, queries, SQL: any length or script


# --- changes -------------------------------------------------------------------------------


def _bump(names) -> int:
    """The next sequence, recorded as the version of each of `names`, in one step."""
    backend = caches["default"]
    if isinstance(backend, DummyCache):
        return 0  # nothing is kept, so nothing goes stale (its incr always fails: no retrying)
    version_keys = [_version_key(n) for n in names]
    if isinstance(backend, RedisCache):
        keys = [backend.make_and_validate_key(k) for k in (SEQUENCE_KEY, *version_keys)]
        sequence = backend._cache.get_client(keys[0], write=True).eval(BUMP, len(keys), *keys)
        if sequence == -1:  # evicted: start above any value it had, and drop everything
            _reset_sequence()
            return _bump(names)
        return sequence
    with _lock:
        try:
            sequence = cache.incr(SEQUENCE_KEY)
        except ValueError:
            _reset_sequence()
            return _bump(names)
        cache.set_many(dict.fromkeys(version_keys, sequence), timeout=None)
        return sequence


def _reset_sequence() -> None:
    sequence = time.time_ns() // 1000
    cache.set_many({SEQUENCE_KEY: sequence, FLOOR_KEY: sequence}, timeout=None)


def invalidate(names) -> None:
    """Everything showing any of `names` is stale from now on, in every process."""
    names = set(names)
    if not names or not _outage().allows_a_try():
        return  # a cache that is down drops everything once it answers again
    try:
        sequence = _bump(names)
        _touch_stamp()
    except Exception as error:  # noqa: BLE001 - a save must not fail because the cache is down
        _outage().began(error)
        return
    if (reading_ := _reading.get()) is not None:  # this request sees its own change
        reading_.versions.update(dict.fromkeys(names, sequence))


def invalidate_everything() -> None:
    """Everything kept is stale: for changes whose reach is not known."""
    if not _outage().allows_a_try():
        return
    try:
        cache.set(FLOOR_KEY, _bump(()), timeout=None)
        _touch_stamp()
    except Exception as error:  # noqa: BLE001
        _outage().began(error)
        return
    if (reading_ := _reading.get()) is not None:
        reading_.floor = sys.maxsize


EVERYTHING = "*"  # in a batch: the reach of some change was not known
_batch: ContextVar[set | None] = ContextVar("freshness_batch", default=None)


def invalidate_on_commit(names) -> None:
    """Now, for this process's transaction, and again once the change is committed, so a
    reader who read the old content in between does not keep it. Within `batch()`, once at
    its end. `names` None: everything."""
    names = {EVERYTHING} if names is None else set(names)
    if (batched := _batch.get()) is not None:
        batched |= names
        return

    def run():
        invalidate_everything() if EVERYTHING in names else invalidate(names)

    run()
    transaction.on_commit(run)
    purge_edge_on_commit({EVERY_PAGE} if EVERYTHING in names else names)


def purge_edge_on_commit(names) -> None:
    """The edge forgets the pages showing `names` once the change commits: a job recorded in
    the change's transaction, one per transaction (later calls add their names to it)."""
    if names and edge.enabled():
        jobs.enqueue(edge.PURGE_JOB, sorted(names), key=edge.PURGE_JOB, merge=True)


@jobs.job(edge.PURGE_JOB)
def _purge_edge(names) -> None:
    edge.purge(names)


WENT_LIVE_JOB = "edge.went_live"


def purge_edge_when_live(changes) -> None:
    """A story scheduled for later: at its time, a job purges the pages it joins. The edge
    holds pages for hours and never asks the origin whether a story came due."""
    from .shown import UNKNOWN

    if not edge.enabled():
        return
    for pk, _before, after in changes:
        if after is not None and after is not UNKNOWN and after.scheduled:
            when = after.published_at
            jobs.enqueue(WENT_LIVE_JOB, pk, when.timestamp(), key=f"{WENT_LIVE_JOB}:{pk}", run_at=when)


@jobs.job(WENT_LIVE_JOB)
def _purge_edge_went_live(article_id, when) -> None:
    """Idempotent, and harmless when the story was rescheduled or withdrawn since: then
    nothing went live at that time and nothing is purged."""
    _purge_edge_what_went_live_at(when)


def _purge_edge_what_went_live_at(when: float) -> None:
    from .shown import went_live

    names, _ = went_live(when - 0.001, when + 0.001, recent_after=when)
    if names:
        edge.purge(names)


FRONT_PAGE_LIVE_JOB = "edge.front_page_live"


def purge_edge_when_front_page_live(front_page) -> None:
    """A scheduled arrangement of the home page: at its time, a job purges the home page at the edge."""
    if edge.enabled() and front_page.is_scheduled:
        when = front_page.goes_live_at
        key = f"{FRONT_PAGE_LIVE_JOB}:{front_page.pk}"
        jobs.enqueue(FRONT_PAGE_LIVE_JOB, when.timestamp(), key=key, run_at=when)


@jobs.job(FRONT_PAGE_LIVE_JOB)
def _purge_edge_front_page_live(when) -> None:
    """Harmless when the arrangement was rescheduled or deleted since: then nothing took over
    at that time and nothing is purged."""
    _purge_edge_what_went_live_at(when)


BANNER_EXPIRED_JOB = "edge.banner_expired"


def purge_edge_when_expired(banner) -> None:
    """At a banner's expiry a job purges every page's banner at the edge, which keeps pages
    for hours and never asks the origin whether a banner ended."""
    if edge.enabled() and banner.expires_at > timezone.now():
        jobs.enqueue(
            BANNER_EXPIRED_JOB,
            banner.expires_at.timestamp(),
            key=f"{BANNER_EXPIRED_JOB}:{banner.pk}",
            run_at=banner.expires_at,
        )


@jobs.job(BANNER_EXPIRED_JOB)
def _purge_edge_banner_expired(when) -> None:
    """Idempotent: purging the banner's pages once more, or after an earlier expiry was
    moved, only costs the edge a refetch."""
    from .shown import BANNER

    edge.purge({BANNER})


@contextmanager
def batch():
    """Bulk writes (an import batch, a bulk action, a tag merge) invalidate in one go: every
    name their rows' signals and `after_write` touch, once, at the end."""
    if _batch.get() is not None:
        yield
        return
    names = set()
    token = _batch.set(names)
    try:
        yield
    finally:
        _batch.reset(token)
        invalidate_on_commit(names)


def schedule_changed() -> None:
    """A story was scheduled, rescheduled or unscheduled: the next publication is read again."""

    def forget():
        if not _outage().allows_a_try():
            return  # dropped with everything else once the cache answers again
        try:
            cache.delete(NEXT_PUBLICATION_KEY)
        except Exception as error:  # noqa: BLE001 - the noted time expires by itself
            _outage().began(error)

    forget()
    transaction.on_commit(forget)


def _publish_due(live_through, now: float) -> None:
    """Stories whose time came since the last look are new on their lists, and a banner whose
    expiry came is gone from every page: those go stale. A story (or an expiry) is made new
    once more GRACE seconds after its time, for a host whose clock is behind and built a page
    without it in between."""
    from .shown import banner_expired, went_live

    if live_through is None:
        invalidate_everything()  # no record of what was already live
        recent = False
    else:
        since, recent_after = live_through - GRACE, now - GRACE
        names, recent = went_live(since, now, recent_after=recent_after)
        ended, recently_ended = banner_expired(since, now, recent_after=recent_after)
        invalidate(names | ended)
        recent = recent or recently_ended
    upcoming = next_publication_after()
    if recent:
        upcoming = min(upcoming or now + GRACE, now + GRACE)
    # Read again within a minute whatever happens: a story scheduled while this was being read
    # (its forgetting landed before this write) is then late by a minute at most.
    cache.set(NEXT_PUBLICATION_KEY, upcoming or 0, timeout=NEXT_PUBLICATION_TTL)
    cache.set(LIVE_THROUGH_KEY, now, timeout=None)


def next_publication_after() -> float | None:
    """The next time pages change by themselves: a scheduled story going live, an arrangement
    of the home page taking over, or a banner expiring."""
    from ..models import Article, Banner, FrontPage

    stories = Article.objects.scheduled().order_by().values_list("published_at", flat=True)
    arranged = FrontPage.objects.scheduled().order_by().values_list("goes_live_at", flat=True)
    expiries = Banner.objects.current().order_by().values_list("expires_at", flat=True)
    when = stories.union(arranged, expiries, all=True).order_by("published_at").first()  # one query
    return when.timestamp() if when else None


def next_publication() -> float | None:
    """When the next scheduled story goes live (None when none is): read once, then kept."""
    _current()
    return cache.get(NEXT_PUBLICATION_KEY) or None


# --- one process's own cache ---------------------------------------------------------------


def _stamp() -> Path | None:
    """The stamp file, when the cache is each process's own."""
    if not isinstance(caches["default"], LocMemCache):
        return None
    return Path(settings.PAGE_CACHE_STAMP)


def _stamp_time(stamp: Path):
    try:
        return stamp.stat().st_mtime_ns
    except FileNotFoundError:
        return 0


def _check_stamp() -> None:
    stamp = _stamp()
    if stamp is None:
        return
    seen = _stamp_time(stamp)
    with _lock:
        if _stamp_seen[0] is not None and seen != _stamp_seen[0]:
            cache.clear()  # another process changed content: what this one kept may show it
            _remembered.clear()
        _stamp_seen[0] = seen


def _touch_stamp() -> None:
    """Tell the other processes. Under a file lock, so another's touch in between is noticed."""
    stamp = _stamp()
    if stamp is None:
        return
    stamp.parent.mkdir(parents=True, exist_ok=True)
    with open(stamp, "a") as handle, _lock:
        fcntl.flock(handle, fcntl.LOCK_EX)
        _check_stamp()  # another process's change first: it clears
        now = max(time.time_ns(), _stamp_time(stamp) + 1)  # strictly newer, even within a clock tick
        os.utime(stamp, ns=(now, now))
        _stamp_seen[0] = now
