"""Live coverage for readers (issue 14): a live story's entries on its page, its older updates
by keyset, and the small cacheable endpoint its open pages poll for new entries.

Entries show `shown.live_entries(article)`: an entry posted, edited, pinned or deleted makes
the page, its older-updates pages and the endpoint stale at once (and purges the edge); the
endpoint shows the article too, since ending coverage (a save of the article) tells pages to
stop polling. The page cache, ConditionalGetMiddleware and the edge do the rest: the endpoint is
a reader page like any other (ETag, 304, kept until what it shows changes)."""

from django.conf import settings
from django.http import Http404, JsonResponse
from django.shortcuts import get_object_or_404
from django.template.loader import render_to_string
from django.urls import reverse
from django.views.generic import TemplateView

from .. import freshness
from ..freshness import shown
from ..models import Article, LiveEntry

ENTRIES_PER_PAGE = 20
# At most this many new entries in one answer: a page left open for hours asks for the rest
# on its next poll, so one answer stays small whatever the gap.
NEW_ENTRIES_AT_MOST = 50


def entry_id(value: str) -> str:
    """The canonical form of an entry cursor (`?after=`, `?before=`): a positive integer or nothing."""
    return value if value.isdigit() and len(value) <= 12 and int(value) > 0 else ""


def _entries(article):
    return (
        LiveEntry.objects.public().filter(article=article).select_related("author").only(*_ENTRY_FIELDS).newest_first()
    )


_ENTRY_FIELDS = (
    "id",
    "article_id",
    "body",
    "image",
    "image_alt",
    "quote",
    "quote_source",
    "posted_at",
    "pinned",
    "key_event",
    "author_id",
    "author__name",
    "author__slug",
)


def _showing(entries) -> list:
    """The entries, having declared their authors' names (a renamed author renews them)."""
    freshness.shows(*{shown.author(entry.author_id) for entry in entries if entry.author_id})
    return entries


def first_page(article) -> dict:
    """What a live story's page shows of its entries: the pinned ones, then the newest
    `ENTRIES_PER_PAGE` others, and where older ones start. Two queries, however many entries
    (each walks the newest-first index)."""
    freshness.shows(shown.live_entries(article.pk))
    entries = _entries(article)
    pinned = _showing(list(entries.filter(pinned=True)))
    latest = _showing(list(entries.filter(pinned=False)[: ENTRIES_PER_PAGE + 1]))
    older = latest[ENTRIES_PER_PAGE - 1] if len(latest) > ENTRIES_PER_PAGE else None
    latest = latest[:ENTRIES_PER_PAGE]
    newest = max((entry for entry in pinned + latest), key=lambda e: (e.posted_at, e.pk), default=None)
    return {
        "pinned": pinned,
        "entries": latest,
        "older_url": older and f"{_address(article, 'live-older')}?before={older.pk}",
        "newest_id": newest.pk if newest else 0,
        "updates_url": _address(article, "live-updates"),
        "poll_seconds": settings.LIVE_POLL_SECONDS,
    }


def _address(article, name) -> str:
    local = article.get_absolute_url().rstrip("/").split("/")
    year, month, day, slug = local[-4:]
    return reverse(f"articles:{name}", kwargs={"year": year, "month": month, "day": day, "slug": slug})


class LiveStoryMixin:
    """The published live story at the address (or once live: its entries stay)."""

    def live_story(self):
        article = get_object_or_404(
            Article.objects.published().only(
                "id", "title", "slug", "status", "published_at", "created_at", "coverage_start", "coverage_end"
            ),
            slug=self.kwargs["slug"],
        )
        if not article.has_live_coverage:
            raise Http404("Not a live story.")
        freshness.shows(shown.article(article.pk), shown.live_entries(article.pk))
        return article

    def cursor(self, name):
        """The entry a keyset cursor names, or None when it is not one of the story's (any
        more: a deleted entry leaves its readers' cursor behind)."""
        pk = self.request.GET.get(name)
        if not pk:
            return None
        return LiveEntry.objects.public().filter(article=self.article, pk=pk).only("id", "posted_at").first()


class LiveUpdatesView(LiveStoryMixin, TemplateView):
    """`…/<slug>/updates.json?after=<id>`: the entries posted after entry `id`, newest first,
    as HTML ready to insert, and whether coverage has ended (the page stops polling). Every
    open page asks the same question, so the page cache and the edge answer nearly all."""

    query_parameters = {"after": entry_id}
    template_name = "articles/live_update.html"

    def get(self, request, *args, **kwargs):
        self.article = self.live_story()
        # No cursor, or one that is gone (a deleted entry): nothing new to say; a reload shows
        # what is there.
        after = self.cursor("after")
        oldest_first = _entries(self.article).after(after).order_by("posted_at", "id") if after else []
        new = _showing(list(oldest_first[:NEW_ENTRIES_AT_MOST])[::-1])  # the next poll asks after the last
        data = {
            "ended": not self.article.is_live,
            "newest": new[0].pk if new else (after.pk if after else 0),
            "entries": [
                {"id": entry.pk, "pinned": entry.pinned, "html": render_to_string(self.template_name, {"entry": entry})}
                for entry in new
            ],
        }
        return JsonResponse(data)


class OlderUpdatesView(LiveStoryMixin, TemplateView):
    """`…/<slug>/updates/?before=<id>`: a page of older entries, by keyset (the same cost on
    page 50 as on page 2)."""

    query_parameters = {"before": entry_id}
    template_name = "articles/live_older.html"

    def get(self, request, *args, **kwargs):
        self.article = self.live_story()
        self.before = self.cursor("before")
        if self.before is None:
            raise Http404("No such entry.")
        return super().get(request, *args, **kwargs)

    def get_context_data(self, **kwargs):
        older_entries = _entries(self.article).filter(pinned=False).before(self.before)
        entries = _showing(list(older_entries[: ENTRIES_PER_PAGE + 1]))
        older = entries[ENTRIES_PER_PAGE - 1] if len(entries) > ENTRIES_PER_PAGE else None
        return super().get_context_data(
            article=self.article,
            entries=entries[:ENTRIES_PER_PAGE],
            older_url=older and f"{_address(self.article, 'live-older')}?before={older.pk}",
            **kwargs,
        )
