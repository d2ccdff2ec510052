"""Readers' pages, feeds and sitemaps are gzipped; nothing that could hold a secret is (BREACH)."""

import gzip

import pytest
from django.urls import reverse

from tests.factories import ArticleFactory, Site

pytestmark = pytest.mark.django_db
GZIP = {"HTTP_ACCEPT_ENCODING": "gzip, deflate, br"}


@pytest.fixture
def reader_pages():
    site = Site()
    article = site.ferry
    ArticleFactory(body_source="Long enough to be worth compressing. " * 40)
    return {
        "home": reverse("articles:home"),
        "article": article.get_absolute_url(),
        "list": reverse("articles:list"),
        "section": site.city.get_absolute_url(),
        "tag": site.harbour.get_absolute_url(),
        "author": site.ann.get_absolute_url(),
        "search": reverse("articles:search") + "?q=ferry",
        "feed": reverse("articles:feed"),
        "atom feed": reverse("articles:feed-atom"),
        "sitemap": reverse("sitemap"),
        "news sitemap": reverse("articles:news-sitemap"),
    }


def test_every_reader_page_is_gzipped_and_varies_on_accept_encoding(client, reader_pages):
    for name, url in reader_pages.items():
        plain = client.get(url)
        packed = client.get(url, **GZIP)
        assert packed.status_code == 200, name
        assert packed["Content-Encoding"] == "gzip", name
        assert gzip.decompress(packed.content) == plain.content, name
        assert "Accept-Encoding" in packed["Vary"] and "Accept-Encoding" in plain["Vary"], name
        assert not plain.has_header("Content-Encoding"), name  # a client that does not ask gets plain bytes


def test_reader_pages_carry_no_secret_to_compress(client, reader_pages):
    """What makes compression safe: no CSRF token, no cookie, nothing per user on them."""
    for name, url in reader_pages.items():
        response = client.get(url, **GZIP)
        body = gzip.decompress(response.content).decode()
        assert "csrfmiddlewaretoken" not in body and "csrftoken" not in body, name
        assert not response.cookies, name
        assert "Cookie" in response["Vary"], name


def test_a_page_cache_hit_is_gzipped_and_a_revalidation_with_its_etag_is_a_304(client, settings):
    settings.PAGE_CACHE_SECONDS = 300
    story = ArticleFactory(body_source="The ferry sails at dawn, weather permitting. " * 40)
    miss = client.get(story.get_absolute_url(), **GZIP)
    hit = client.get(story.get_absolute_url(), **GZIP)
    assert (miss["X-Page-Cache"], hit["X-Page-Cache"]) == ("miss", "hit")
    assert hit["Content-Encoding"] == "gzip" and gzip.decompress(hit.content) == gzip.decompress(miss.content)
    assert len(hit.content) * 3 < len(gzip.decompress(hit.content))
    assert hit["Content-Length"] == str(len(hit.content)) and "Accept-Encoding" in hit["Vary"]
    again = client.get(story.get_absolute_url(), **GZIP)
    assert again.content == hit.content  # kept gzipped: not compressed again (random bytes) on each hit
    plain_hit = client.get(story.get_absolute_url())
    assert plain_hit["X-Page-Cache"] == "hit" and not plain_hit.has_header("Content-Encoding")
    assert plain_hit.content == gzip.decompress(hit.content)
    etag = hit["ETag"]
    assert etag.startswith('W/"') and etag == miss["ETag"]  # the same page: the same validator
    assert client.get(story.get_absolute_url(), HTTP_IF_NONE_MATCH=etag, **GZIP).status_code == 304
    plain = client.get(story.get_absolute_url())
    assert client.get(story.get_absolute_url(), HTTP_IF_NONE_MATCH=plain["ETag"], **GZIP).status_code == 304


def test_the_admin_and_signed_in_readers_are_never_compressed(client, editor, reader_pages):
    for url in (reverse("admin:index"), reverse("admin:articles_article_changelist"), reader_pages["article"]):
        response = editor.get(url, **GZIP)
        assert response.status_code == 200, url
        assert not response.has_header("Content-Encoding"), url
    sign_in = client.get(reverse("admin:login"), **GZIP)  # anonymous, but it holds a CSRF token
    assert "csrfmiddlewaretoken" in sign_in.content.decode() and not sign_in.has_header("Content-Encoding")
