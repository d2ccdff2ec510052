"""Pagination that costs the same on page 2,000 as on page 1.

OFFSET makes the database walk past every earlier row, and COUNT(*) walks them all. Instead, a
list's order is read once, as ids from the index, and kept in the cache until a story enters or
leaves the list (`freshness`: the list's own names, `ls5`, `lt7`, …): a page is then its ids,
taken from the cache, and its cards (cards.py) come from the cache too or are fetched by id.
"""

from django.core.paginator import Page, Paginator
from django.utils.functional import cached_property

from .. import freshness
from ..freshness import shown


class StoredPagesPaginator(Paginator):
    """A Paginator for querysets ordered by ("-published_at", "-id") whose pages are read from
    the cache: the first visit after a change reads every id of the list once."""

    # Pages are kept in chunks, so a request reads the count and its own page's chunk, not the
    # 5,000 pages of a 100,000-story list.
    chunk_pages = 100

    def __init__(self, object_list, per_page, *, list_key, shows, **kwargs):
        """`shows`: the names of the list (`freshness.shown`), which its membership changes touch."""
        super().__init__(object_list, per_page, **kwargs)
        self.shows = shows
        # Which list this is (its address and query, not the page): the queryset itself is no
        # key, it holds the time of the request.
        self.list_key, self.per_page_key = list_key, per_page

    def _keys(self, *parts):
        return freshness.keys("paging", [(self.list_key, self.per_page_key, part) for part in parts])

    @cached_property
    def count(self):
        stored = freshness.load(self._keys("count")[0])
        return self._store()[0] if stored is freshness.MISSING else stored

    def page(self, number):
        number = self.validate_number(number)
        chunk, index = divmod(number - 1, self.chunk_pages)
        pages = freshness.load(self._keys(chunk)[0], None)
        if pages is None:
            pages = self._store()[1][chunk] if self.count else [[]]
        # Stories known by their id alone (any other field loads when read): render_cards
        # fetches what a card shows for the cards missing from the cache.
        model, db = self.object_list.model, self.object_list.db
        return Page([model.from_db(db, ["id"], (pk,)) for pk in pages[index]], number, self)

    def _store(self):
        """Read the list's ids once; keep its count and pages until content changes or the next
        scheduled story goes live."""
        ids = list(self.object_list.order_by("-published_at", "-id").values_list("id", flat=True))
        pages = [ids[i : i + self.per_page] for i in range(0, len(ids), self.per_page)]
        step = self.chunk_pages
        chunks = [pages[i : i + step] for i in range(0, len(pages), step)]
        count_key, *chunk_keys = self._keys("count", *range(len(chunks)))
        entries = {count_key: len(ids), **dict(zip(chunk_keys, chunks, strict=True))}
        freshness.store_many({k: (v, self.shows) for k, v in entries.items()})
        freshness.shows(*self.shows)
        self.count = len(ids)  # what was just read, whatever the cache had
        return len(ids), chunks


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
        self.list_key = list_key

    @cached_property
    def ids(self):
        newest = self.object_list.order_by("-published_at", "-id").values_list("id", flat=True)
        return freshness.kept(
            freshness.key("search", self.list_key), lambda: list(newest[: self.cap + 1]), [shown.SEARCH]
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
