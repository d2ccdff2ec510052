"""Pagination from kept ids.

A list's order is read as ids from the index, a chunk of pages at a time, and kept in the cache
until a story enters or leaves the list (`freshness`: the list's own names, `ls5`, `lt7`, …):
a page is then its ids, taken from the cache, and its cards (cards.py) come from the cache too
or are fetched by id. A deep chunk is read with OFFSET once; every later visit reads no more.
"""

from django.core.paginator import Page, Paginator
from django.utils.functional import cached_property

from .. import freshness
from ..freshness import shown


def page_number(value: str) -> str:
    """A page number's one spelling, for the page cache: `02`, ` 2` and `+2` are all page 2 to
    Django's paginator, and page 1 is the list's own address (""). Anything else is left as it
    is, for the view to refuse."""
    try:
        number = int(value)
    except ValueError:
        return value
    return "" if number == 1 else str(number)


class StoredPagesPaginator(Paginator):
    """A Paginator for querysets ordered by ("-published_at", "-id") whose pages are read from
    the cache. The ids are read in chunks of pages, each on its first visit: page 1 built from
    nothing costs one short read from the index (and a COUNT when the list is longer than a
    chunk), not the whole list."""

    chunk_pages = 10

    def __init__(self, object_list, per_page, *, list_key, shows, **kwargs):
        """`shows`: the names of the list (`freshness.shown`), which its membership changes touch."""
        super().__init__(object_list, per_page, **kwargs)
        self.shows = shows
        # Which list this is (its address and query, not the page): the queryset itself is no
        # key, it holds the time of the request.
        self.list_key, self.per_page_key = list_key, per_page
        self._chunks = {}

    def _kept(self, part, compute):
        def read():
            freshness.shows(*self.shows)
            return compute()

        return freshness.kept(freshness.key("paging", self.list_key, self.per_page_key, part), read)

    def _chunk(self, number) -> list[int]:
        """The ids of chunk `number`; the first holds one more, which says whether more follow.
        Read once per request even when nothing can be kept (the count needs the first)."""
        if number not in self._chunks:
            size = self.chunk_pages * self.per_page
            ordered = self.object_list.order_by("-published_at", "-id").values_list("id", flat=True)
            chunk = ordered[number * size : (number + 1) * size + (number == 0)]
            self._chunks[number] = self._kept(number, lambda: list(chunk))
        return self._chunks[number]

    @cached_property
    def count(self):
        def count():
            first = self._chunk(0)
            return len(first) if len(first) <= self.chunk_pages * self.per_page else self.object_list.count()

        return self._kept("count", count)

    def page(self, number):
        number = self.validate_number(number)
        chunk, index = divmod(number - 1, self.chunk_pages)
        ids = self._chunk(chunk)[index * self.per_page : (index + 1) * self.per_page]
        # Stories known by their id alone (any other field loads when read): render_cards
        # fetches what a card shows for the cards missing from the cache.
        model, db = self.object_list.model, self.object_list.db
        return Page([model.from_db(db, ["id"], (pk,)) for pk in ids], number, self)


class SearchResultsPaginator(Paginator):
    """Search results: the ids of the newest `cap` matches, found once per query and content
    change and kept in the cache, so paging through them (or a popular query asked again) costs
    one fetch of the page's own rows. Readers refine a query that matches more."""

    cap = 1000
    # Long enough to page through a result and answer a popular query again; short enough that
    # a flood of one-off queries does not sit in the cache for a day.
    keep_seconds = 600

    def __init__(self, object_list, per_page, *, list_key, rows, **kwargs):
        """`object_list` finds the matches; `rows` is what a page shows of them, fetched by id
        without searching again."""
        super().__init__(object_list, per_page, **kwargs)
        self.rows = rows
        self.list_key = list_key

    @cached_property
    def ids(self):
        newest = self.object_list.order_by("-published_at", "-id").values_list("id", flat=True)
        return freshness.kept(
            freshness.key("search", self.list_key),
            lambda: list(newest[: self.cap + 1]),
            [shown.SEARCH],
            timeout=self.keep_seconds,
        )

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
        freshness.shows(*map(shown.article, ids))
        return Page([rows[pk] for pk in ids if pk in rows], number, self)
