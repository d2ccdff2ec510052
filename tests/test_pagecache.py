import datetime as dt
import time
from collections import Counter

import pytest
from django.core.cache import caches
from django.core.cache.backends.locmem import LocMemCache
from django.urls import reverse
from django.utils import timezone
from django.utils.http import http_date

from articles import freshness
from articles.models import Article
from tests.factories import ArticleFactory, AuthorFactory, CategoryFactory
from tests.utils import run_import, write

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def page_cache(settings):
    settings.PAGE_CACHE_SECONDS = 300


def test_a_hit_runs_no_query(client, django_assert_num_queries):
    ArticleFactory(title="Cached story")
    first = client.get(reverse("articles:home"))
    assert first["X-Page-Cache"] == "miss"
    with django_assert_num_queries(0):
        second = client.get(reverse("articles:home"))
    assert second["X-Page-Cache"] == "hit"
    assert second.content == first.content
    assert "public" in second["Cache-Control"] and "max-age=60" in second["Cache-Control"]


@pytest.mark.parametrize(
    "change",
    [
        lambda a: setattr(a, "title", "Changed headline") or a.save(),
        lambda a: a.bylines.first().author.__class__.objects.filter(pk=a.bylines.first().author_id).first().save(),
        lambda a: a.category.save(),
        lambda a: a.tags.add("new-tag"),
        lambda a: ArticleFactory(title="Another story"),
    ],
)
def test_any_change_readers_could_see_refreshes_pages(client, change):
    article = ArticleFactory(title="Original headline", tags=["t"])
    client.get(reverse("articles:list"))
    assert client.get(reverse("articles:list"))["X-Page-Cache"] == "hit"
    change(article)
    assert client.get(reverse("articles:list"))["X-Page-Cache"] == "miss"


def test_publishing_shows_at_once(client):
    draft = ArticleFactory(title="Breaking", status=Article.Status.DRAFT, published_at=None)
    assert "Breaking" not in client.get(reverse("articles:home")).content.decode()
    draft.status = Article.Status.PUBLISHED
    draft.save()
    assert "Breaking" in client.get(reverse("articles:home")).content.decode()


def test_imports_refresh_pages(client, tmp_path):
    client.get(reverse("articles:list"))
    write(tmp_path, "a.md", "---\ntitle: Imported now\n---\nBody")
    run_import(tmp_path)
    assert "Imported now" in client.get(reverse("articles:list")).content.decode()


def test_scheduled_story_appears_on_time_on_cached_pages(client, monkeypatch):
    ArticleFactory(title="Now")
    ArticleFactory(title="At nine", published_at=timezone.now() + dt.timedelta(minutes=5))
    assert "At nine" not in client.get(reverse("articles:home")).content.decode()
    assert client.get(reverse("articles:home"))["X-Page-Cache"] == "hit"
    later = timezone.now() + dt.timedelta(minutes=6)
    monkeypatch.setattr(timezone, "now", lambda: later)
    response = client.get(reverse("articles:home"))
    assert response["X-Page-Cache"] == "miss" and "At nine" in response.content.decode()


def test_signed_in_users_and_previews_are_never_cached(superuser):
    draft = ArticleFactory(status=Article.Status.DRAFT)
    response = superuser.get(draft.get_absolute_url())
    assert "X-Page-Cache" not in response
    assert "X-Page-Cache" not in superuser.get(reverse("articles:home"))


def test_conditional_get_answers_304(client):
    article = ArticleFactory(title="Etag story")
    first = client.get(article.get_absolute_url())
    assert first["ETag"]
    again = client.get(article.get_absolute_url(), HTTP_IF_NONE_MATCH=first["ETag"])
    assert again.status_code == 304
    article.title = "Edited"
    article.save()
    assert client.get(article.get_absolute_url(), HTTP_IF_NONE_MATCH=first["ETag"]).status_code == 200


def test_404s_are_not_cached(client):
    assert client.get("/tag/nothing/").status_code == 404
    AuthorFactory()  # unrelated; the 404 must be computed afresh anyway
    CategoryFactory()
    assert "X-Page-Cache" not in client.get("/tag/nothing/")


def test_another_process_changing_content_is_seen(client, settings):
    """With the local-memory cache, a change made by another process (an import, the shell)
    reaches this one through the stamp file."""
    import os
    import time
    from pathlib import Path

    ArticleFactory()
    client.get(reverse("articles:list"))
    assert client.get(reverse("articles:list"))["X-Page-Cache"] == "hit"
    if isinstance(caches["default"], LocMemCache):
        stamp = Path(settings.PAGE_CACHE_STAMP)
        later = time.time_ns() + 10**9
        os.utime(stamp, ns=(later, later))  # what invalidate() does in the other process
    else:
        freshness.invalidate({freshness.shown.ALL})  # a shared cache: the other process's change is there
    assert client.get(reverse("articles:list"))["X-Page-Cache"] == "miss"


def test_unknown_parameters_share_the_page_and_other_hosts_do_not(client, settings):
    settings.ALLOWED_HOSTS = ["testserver", "www.example.com"]
    ArticleFactory()
    first = client.get("/articles/")
    tagged = client.get("/articles/", {"utm_source": "x"})
    assert tagged["X-Page-Cache"] == "hit" and tagged.content == first.content
    other = client.get("/articles/", HTTP_HOST="www.example.com")
    assert other["X-Page-Cache"] == "miss"


def test_pages_are_cached_again_after_a_scheduled_story_goes_live(client, monkeypatch):
    ArticleFactory(published_at=timezone.now() + dt.timedelta(minutes=5))
    client.get(reverse("articles:home"))
    later = timezone.now() + dt.timedelta(minutes=6)
    monkeypatch.setattr(timezone, "now", lambda: later)
    assert client.get(reverse("articles:home"))["X-Page-Cache"] == "miss"
    assert client.get(reverse("articles:home"))["X-Page-Cache"] == "hit"


# Requests that cost us, not the attacker (issue 12)


def kept_kinds(redis_client) -> Counter:
    """How many entries of each kind (`page`, `paging`, `search`, …) the cache holds."""
    kinds = (key.decode().split(":")[2] for key in redis_client.scan_iter(":1:*"))
    return Counter(kind for kind in kinds if kind != "freshness")


def reader_pages(section, tag, author, article):
    return [
        reverse("articles:home"),
        reverse("articles:list"),
        section.get_absolute_url(),
        reverse("articles:tag", kwargs={"slug": tag}),
        author.get_absolute_url(),
        article.get_absolute_url(),
        reverse("articles:feed"),
        reverse("sitemap-section", kwargs={"section": "articles"}),
    ]


def test_parameters_a_page_does_not_read_make_no_entries_and_cost_nothing(
    private_redis, client, django_assert_num_queries
):
    """`?q=<junk>` on a list page (or any parameter a page does not read) is that page, as
    kept: no entry, no query, not one list read again."""
    author, section = AuthorFactory(), CategoryFactory()
    article = ArticleFactory(authors=[author], category=section, tags=["harbour"])
    pages = reader_pages(section, "harbour", author, article)
    canonical = {url: client.get(url).content for url in pages}
    before = kept_kinds(private_redis)
    with django_assert_num_queries(0):
        for n in range(20):
            for url in pages:
                response = client.get(url, {"q": f"junk {n}", "utm_source": f"x{n}", "page": "1"})
                assert response["X-Page-Cache"] == "hit", url
                assert response.content == canonical[url], url
    assert kept_kinds(private_redis) == before


def test_a_page_number_spelled_differently_is_the_same_page(private_redis, client):
    for _ in range(21):
        ArticleFactory()
    client.get(reverse("articles:list"))
    second = client.get(reverse("articles:list"), {"page": "2"})
    before = kept_kinds(private_redis)
    for spelling in ("02", " 2", "+2", "0002"):
        response = client.get(reverse("articles:list"), {"page": spelling})
        assert response["X-Page-Cache"] == "hit" and response.content == second.content, spelling
    assert client.get(reverse("articles:list"), {"page": "1"})["X-Page-Cache"] == "hit"  # the list's own address
    assert kept_kinds(private_redis) == before


def test_each_search_costs_a_bounded_entry_and_never_a_kept_page(private_redis, client, django_assert_num_queries):
    """Distinct searches keep no whole page; each keeps at most its capped matches, once per
    set of words however they are written; a huge query is cut before it is searched."""
    for n in range(3):
        ArticleFactory(title=f"Ferry and tram {n}")
    freshness.next_publication()
    client.get(reverse("articles:search"), {"q": "ferry tram"})
    with django_assert_num_queries(1):  # the page's rows: the matches of these words are kept
        response = client.get(reverse("articles:search"), {"q": "  TRAM,   ferry "})
    assert "X-Page-Cache" not in response and response.context["query"] == "TRAM, ferry"
    for n in range(30):
        client.get(reverse("articles:search"), {"q": f"ferry word{n}"})
    kinds = kept_kinds(private_redis)
    assert kinds["page"] == 0 and kinds["search"] == 31
    started = time.monotonic()
    response = client.get(reverse("articles:search"), {"q": "ferry " + "字" * 100_000})
    assert time.monotonic() - started < 1  # well under a second: 200 characters, 32 terms at most
    assert response.status_code == 200 and len(response.context["query"]) == 200


@pytest.mark.parametrize("takedown", ["unpublish", "delete", "move"])
def test_a_story_taken_down_is_gone_for_a_client_revalidating(client, takedown):
    """Feeds, sitemaps and pages never answer 304 to validators from before a story was taken
    down: no Last-Modified that goes backwards or stays, and an ETag that changes."""
    harbour, elsewhere = CategoryFactory(name="Harbour"), CategoryFactory(name="Elsewhere")
    older = ArticleFactory(title="Older story", category=harbour, published_at=timezone.now() - dt.timedelta(days=2))
    newest = ArticleFactory(title="Newest story", category=harbour, tags=["ferries"])
    urls = [
        harbour.get_absolute_url(),
        reverse("articles:category-feed", kwargs={"path": harbour.path}),
        reverse("articles:category-feed-atom", kwargs={"path": harbour.path}),
        older.get_absolute_url(),  # links the newest as its next story
    ]
    if takedown != "move":
        urls += [
            reverse("articles:list"),
            reverse("articles:feed"),
            reverse("articles:feed-atom"),
            reverse("sitemap-section", kwargs={"section": "articles"}),
            reverse("articles:news-sitemap"),
        ]
    address = newest.get_absolute_url()
    asked_at = http_date(time.time() + 1)
    seen = {}
    for url in urls:
        response = client.get(url)
        assert address in response.content.decode(), url
        seen[url] = response
    if takedown == "unpublish":
        newest.status = Article.Status.DRAFT
        newest.save()
    elif takedown == "delete":
        newest.delete()
    else:
        newest.category = elsewhere
        newest.save()
    for url, before in seen.items():
        validators = {"HTTP_IF_MODIFIED_SINCE": before.get("Last-Modified", asked_at)}
        for headers in (validators, {**validators, "HTTP_IF_NONE_MATCH": before["ETag"]}):
            response = client.get(url, **headers)
            assert response.status_code == 200, (url, headers)
            assert address not in response.content.decode(), url
            assert "Last-Modified" not in response, url
