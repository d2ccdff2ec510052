import datetime as dt
import re
import xml.etree.ElementTree as ET

import pytest
from django.urls import reverse
from django.utils import timezone

from articles.models import Article
from tests.factories import ArticleFactory, AuthorFactory, CategoryFactory

pytestmark = pytest.mark.django_db
SM = "{http://www.sitemaps.org/schemas/sitemap/0.9}"
NEWS = "{http://www.google.com/schemas/sitemap-news/0.9}"
BASE = "http://localhost:8000"


def locations(response):
    assert response.status_code == 200
    return {loc.text for loc in ET.fromstring(response.content).iter(f"{SM}loc")}


def all_locations(client):
    """Every address in the sitemap index's sitemaps."""
    sitemaps = locations(client.get("/sitemap.xml"))
    assert sitemaps == {f"{BASE}/sitemaps/{kind}.xml" for kind in ("articles", "sections", "tags", "authors")}
    return set().union(*(locations(client.get(url.removeprefix(BASE))) for url in sitemaps))


def test_sitemap_lists_only_what_readers_can_see(client):
    top = CategoryFactory(name="News")
    child = CategoryFactory(name="City", parent=top)
    empty = CategoryFactory(name="Empty")
    writer, ghost = AuthorFactory(name="Writer"), AuthorFactory(name="Ghost")
    live = ArticleFactory(category=child, authors=[writer], tags=["trams"])
    draft = ArticleFactory(status=Article.Status.DRAFT, category=empty, authors=[ghost], tags=["secret"])
    scheduled = ArticleFactory(published_at=timezone.now() + dt.timedelta(hours=2), authors=[ghost])
    urls = all_locations(client)
    assert BASE + live.get_absolute_url() in urls
    assert {BASE + top.get_absolute_url(), BASE + child.get_absolute_url()} <= urls
    assert BASE + writer.get_absolute_url() in urls
    assert BASE + reverse("articles:tag", kwargs={"slug": "trams"}) in urls
    for hidden in (draft, scheduled, empty, ghost):
        assert BASE + hidden.get_absolute_url() not in urls
    assert BASE + reverse("articles:tag", kwargs={"slug": "secret"}) not in urls


def test_news_sitemap_has_the_last_two_days(client):
    fresh = ArticleFactory(title="气候新闻", published_at=timezone.now() - dt.timedelta(hours=3), language="zh-hans")
    old = ArticleFactory(published_at=timezone.now() - dt.timedelta(days=3))
    ArticleFactory(status=Article.Status.DRAFT, published_at=timezone.now() - dt.timedelta(hours=1))
    response = client.get(reverse("articles:news-sitemap"))
    assert response["Content-Type"].startswith("application/xml")
    root = ET.fromstring(response.content)
    assert [u.findtext(f"{SM}loc") for u in root.findall(f"{SM}url")] == [BASE + fresh.get_absolute_url()]
    news = root.find(f"{SM}url/{NEWS}news")
    assert news.findtext(f"{NEWS}title") == "气候新闻"
    assert news.findtext(f"{NEWS}publication/{NEWS}language") == "zh-cn"  # Google's code, not ours (zh-hans)
    assert BASE + old.get_absolute_url() not in response.content.decode()


# sitemap-news.xsd: <news:language> is "zh-cn|zh-tw|([a-z]{2,3})" (ISO 639, and two Chinese exceptions).
GOOGLE_NEWS_LANGUAGE = re.compile(r"zh-cn|zh-tw|[a-z]{2,3}")


@pytest.mark.parametrize(
    "ours, googles",
    [("en-us", "en"), ("en", "en"), ("EN-GB", "en"), ("zh-hans", "zh-cn"), ("zh-hant", "zh-tw"), ("zh_cn", "zh-cn"),
     ("zh_tw", "zh-tw"), ("zh-Hant-HK", "zh-tw"), ("zh", "zh-cn"), ("pt-br", "pt"), ("ja", "ja"), ("fil", "fil"),
     ("", "en"), ("not a language", "en")],
)  # fmt: skip
def test_news_sitemap_languages_are_what_googles_schema_accepts(client, ours, googles):
    ArticleFactory(published_at=timezone.now() - dt.timedelta(hours=1), language=ours)
    root = ET.fromstring(client.get(reverse("articles:news-sitemap")).content)
    said = root.findtext(f"{SM}url/{NEWS}news/{NEWS}publication/{NEWS}language")
    assert said == googles and GOOGLE_NEWS_LANGUAGE.fullmatch(said)


def test_robots_txt_points_at_the_sitemaps(client):
    response = client.get("/robots.txt")
    assert response["Content-Type"].startswith("text/plain")
    text = response.content.decode()
    assert "Sitemap: http://localhost:8000/sitemap.xml" in text
    assert "Sitemap: http://localhost:8000/sitemap-news.xml" in text
    assert "Disallow: /admin/" in text


def test_every_article_is_listed_however_many(client, monkeypatch):
    from articles.public.sitemaps import ArticleSitemap

    monkeypatch.setattr(ArticleSitemap, "limit", 2)
    articles = [ArticleFactory() for _ in range(5)]
    index = locations(client.get("/sitemap.xml"))
    assert f"{BASE}/sitemaps/articles.xml?p=3" in index
    listed = set().union(*(locations(client.get(f"/sitemaps/articles.xml?p={p}")) for p in (1, 2, 3)))
    assert listed == {BASE + a.get_absolute_url() for a in articles}
