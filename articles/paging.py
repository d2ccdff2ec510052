"""Pagination that costs the same on page 2,000 as on page 1.

OFFSET makes the database walk past every earlier row, and COUNT(*) walks them all. Instead,
the first row of every page (its publication time and id, in the lists' order) is read once from
the index and kept in the cache until content changes (the page cache's generation); a page is
then one index seek: the rows after the previous page's last row.
"""

import hashlib

from django.core.cache import cache
from django.core.paginator import Page, Paginator
from django.db.models import Q
from django.utils import timezone
from django.utils.functional import cached_property

from . import pagecache


class KeysetPaginator(Paginator):
    """A Paginator for querysets ordered by ("-published_at", "-id")."""

    def __init__(self, object_list, per_page, *, list_key, until=None, **kwargs):
        """`until(when)` gives the same list bounded by `when` instead of by now: with two upper
        bounds on the publication time, SQLite would range over the wrong one."""
        super().__init__(object_list, per_page, **kwargs)
        self.until = until
        # Which list this is (its address and query, not the page): the queryset itself is no
        # key, it holds the time of the request.
        self.cache_key = "paging:" + hashlib.sha1(f"{list_key}:{per_page}".encode()).hexdigest()

    # Boundaries are kept in chunks, so a request reads the count and its own page's chunk, not
    # the 5,000 boundaries of a 100,000-story list.
    chunk_pages = 100

    @cached_property
    def _key(self):
        return f"{self.cache_key}:{pagecache.generation()}"

    @cached_property
    def count(self):
        stored = cache.get(f"{self._key}:count")
        if stored is None or (stored[1] and timezone.now().timestamp() >= stored[1]):
            return self._store()[0]
        return stored[0]

    def boundary(self, number):
        """(published_at, id) of the last row of page `number` - 1."""
        chunk, index = divmod(number - 2, self.chunk_pages)
        boundaries = cache.get(f"{self._key}:{chunk}")
        if boundaries is None:
            boundaries = self._store()[1][chunk]
        return boundaries[index]

    def _store(self):
        """Read every (published_at, id) once; keep the count and the boundaries until content
        changes or the next scheduled story goes live."""
        rows = list(self.object_list.order_by("-published_at", "-id").values_list("published_at", "id"))
        boundaries = rows[self.per_page - 1 :: self.per_page]
        step = self.chunk_pages
        chunks = [boundaries[i : i + step] for i in range(0, len(boundaries), step)]
        count = (len(rows), pagecache.next_publication())
        stored = {f"{self._key}:{i}": chunk for i, chunk in enumerate(chunks)}
        cache.set_many({f"{self._key}:count": count, **stored}, timeout=3600)
        return count[0], chunks

    def page(self, number):
        number = self.validate_number(number)
        rows = self.object_list
        if number > 1:
            published_at, pk = self.boundary(number)
            # The plain upper bound lets the index range start at the boundary; the OR alone
            # would be a filter applied to every earlier row.
            rows = self.until(published_at) if self.until else rows.filter(published_at__lte=published_at)
            rows = rows.filter(Q(published_at__lt=published_at) | Q(published_at=published_at, pk__lt=pk))
        return Page(list(rows[: self.per_page]), number, self)


class SearchResultsPaginator(Paginator):
    """Search results: the ids of the newest `cap` matches, found once per query and content
    change and kept in the cache, so paging through them (or a popular query asked again) costs
    one fetch of the page's own rows. Readers refine a query that matches more."""

    cap = 1000

    def __init__(self, object_list, per_page, *, list_key, rows, **kwargs):
        """`object_list` finds the matches; `rows` is what a page shows of them, fetched by id
        without searching again."""
        super().__init__(object_list, per_page, **kwargs)
        self.rows = rows
        self.cache_key = "search:" + hashlib.sha1(list_key.encode()).hexdigest()

    @cached_property
    def ids(self):
        key = f"{self.cache_key}:{pagecache.generation()}"
        found = cache.get(key)
        if found is None or (found[1] and timezone.now().timestamp() >= found[1]):
            ids = list(self.object_list.order_by("-published_at", "-id").values_list("id", flat=True)[: self.cap + 1])
            found = (ids, pagecache.next_publication())
            cache.set(key, found, timeout=3600)
        return found[0]

    @property
    def more(self):
        """Whether more stories match than the newest `cap` shown."""
        return len(self.ids) > self.cap

    @cached_property
    def count(self):
        return min(len(self.ids), self.cap)

    def page(self, number):
        number = self.validate_number(number)
        ids = self.ids[(number - 1) * self.per_page : min(number * self.per_page, self.cap)]
        rows = self.rows.in_bulk(ids)
        return Page([rows[pk] for pk in ids if pk in rows], number, self)
