"""The article change list at 100,000 articles: what it counts and lists by date, once per
content change.

Every visit to the change list counts its rows and lists the years or months that have
articles (the date hierarchy); on a large table those are scans (a DISTINCT through a Python
function per row on SQLite). Their answers change only when articles do, so they are kept in
the cache until an article changes or a scheduled story goes live (`freshness`).
"""

import datetime

from django.contrib.admin.views.main import ChangeList
from django.core.exceptions import EmptyResultSet
from django.utils import timezone

from .. import freshness
from ..models import ArticleQuerySet


class ListingQuerySet(ArticleQuerySet):
    """An article queryset whose count, date listing and date range are read once per article
    change for the same query."""

    def _kept(self, what, compute):
        try:
            sql, params = self.query.sql_with_params()
        except EmptyResultSet:
            return compute()
        # The time of this request (the publication rule's "now") is not part of the query's
        # identity: until an article changes or a scheduled story goes live, the answer is the
        # same whatever the time.
        now = timezone.now()
        params = ["now" if _around(p, now) else p for p in params]
        entry = freshness.key("admin-listing", what, sql, repr(params))
        return freshness.kept(entry, compute, [freshness.shown.ANY_ARTICLE])

    def count(self):
        if self._result_cache is not None:
            return len(self._result_cache)
        return self._kept("count", super().count)

    def datetimes(self, field_name, kind, order="ASC", tzinfo=None):
        dates = super().datetimes(field_name, kind, order, tzinfo)
        return self._kept(f"datetimes:{field_name}:{kind}:{order}:{tzinfo}", lambda: list(dates))

    def aggregate(self, *args, **kwargs):
        return self._kept(
            f"aggregate:{args!r}:{kwargs!r}", lambda: super(ListingQuerySet, self).aggregate(*args, **kwargs)
        )


def _around(value, now) -> bool:
    """Whether a query parameter is (about) the time `now`; SQLite's come as text."""
    if isinstance(value, str) and len(value) >= 19 and value[4] == "-" and value[10] in " T":
        try:
            value = datetime.datetime.fromisoformat(value)
        except ValueError:
            return False
        if timezone.is_naive(value):
            value = value.replace(tzinfo=datetime.UTC)
    return isinstance(value, datetime.datetime) and abs((value - now).total_seconds()) < 60


class ArticleChangeList(ChangeList):
    def get_queryset(self, request, exclude_parameters=None):
        queryset = super().get_queryset(request, exclude_parameters)
        queryset = queryset._chain()
        queryset.__class__ = ListingQuerySet
        return queryset
