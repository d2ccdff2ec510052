"""Sitemaps for search engines: articles, sections, tags and authors, and a Google News sitemap
of the last two days. Only published articles appear, through `published()`."""

import datetime as dt

from django.contrib.sitemaps import Sitemap
from django.db.models import OuterRef, Q, Subquery, Value
from django.db.models.functions import Concat
from django.utils import timezone

from .. import freshness, translations
from ..freshness import shown
from ..models import Article, Author, Category, Tag


class ShownSitemap(Sitemap):
    """A sitemap page says what it shows: any change to what sitemaps list touches `sitemap`."""

    @property
    def paginator(self):  # what the index and each page read their items through
        freshness.shows(shown.SITEMAP)
        return super().paginator


class ArticleSitemap(ShownSitemap):
    changefreq = "weekly"
    limit = 5000

    def items(self):
        fields = ("slug", "published_at", "created_at", "substantively_updated_at", "status", "translation_key")
        return Article.objects.published().only(*fields)

    def get_urls(self, page=1, site=None, protocol=None):
        """Each translated story with its versions as `xhtml:link` alternates, `x-default` too
        (Google's sitemap form of `hreflang`), read for the whole page in one query."""
        urls = super().get_urls(page=page, site=site, protocol=protocol)
        groups = translations.groups_of(url["item"] for url in urls)
        if groups:
            origin = f"{self.get_protocol(protocol)}://{self.get_domain(site)}"  # as Django builds `loc`

            def absolute(path):
                return origin + path

            for url in urls:
                group = groups.get(url["item"].translation_key, [])
                url["alternates"] = translations.alternates([translations.Version(a) for a in group], absolute)
        return urls

    def lastmod(self, article):
        return article.last_substantive_change  # Google reads lastmod only when it is kept honest


class CategorySitemap(ShownSitemap):
    changefreq = "daily"

    def items(self):
        in_subtree = Article.objects.published().filter(
            Q(category__path=OuterRef("path")) | Q(category__path__startswith=Concat(OuterRef("path"), Value("/")))
        )
        latest = in_subtree.order_by("-published_at").values("published_at")[:1]
        return Category.objects.public().annotate(latest=Subquery(latest))

    def lastmod(self, category):
        return category.latest


class TagSitemap(ShownSitemap):
    changefreq = "daily"

    def items(self):
        return Tag.objects.public().order_by("name")


class AuthorSitemap(ShownSitemap):
    changefreq = "daily"

    def items(self):
        return Author.objects.public()


SITEMAPS = {"articles": ArticleSitemap, "sections": CategorySitemap, "tags": TagSitemap, "authors": AuthorSitemap}


def news_articles():
    """What a Google News sitemap lists: articles published in the last two days."""
    since = timezone.now() - dt.timedelta(days=2)
    freshness.shows(shown.SITEMAP)
    return (
        Article.objects.published()
        .filter(published_at__gte=since)
        .only("title", "slug", "published_at", "created_at", "status", "language")[:1000]
    )
