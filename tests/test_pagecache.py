import datetime as dt

import pytest
from django.core.cache import caches
from django.core.cache.backends.locmem import LocMemCache
from django.urls import reverse
from django.utils import timezone

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
    assert first["ETag"] and first["Last-Modified"]
    again = client.get(article.get_absolute_url(), HTTP_IF_NONE_MATCH=first["ETag"])
    assert again.status_code == 304
    since = client.get(article.get_absolute_url(), HTTP_IF_MODIFIED_SINCE=first["Last-Modified"])
    assert since.status_code == 304
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


def test_unknown_parameters_and_other_hosts_do_not_share_entries(client, settings):
    settings.ALLOWED_HOSTS = ["testserver", "www.example.com"]
    ArticleFactory()
    client.get("/articles/")
    assert "X-Page-Cache" not in client.get("/articles/", {"utm_source": "x"})
    other = client.get("/articles/", HTTP_HOST="www.example.com")
    assert other["X-Page-Cache"] == "miss"


def test_pages_are_cached_again_after_a_scheduled_story_goes_live(client, monkeypatch):
    ArticleFactory(published_at=timezone.now() + dt.timedelta(minutes=5))
    client.get(reverse("articles:home"))
    later = timezone.now() + dt.timedelta(minutes=6)
    monkeypatch.setattr(timezone, "now", lambda: later)
    assert client.get(reverse("articles:home"))["X-Page-Cache"] == "miss"
    assert client.get(reverse("articles:home"))["X-Page-Cache"] == "hit"
