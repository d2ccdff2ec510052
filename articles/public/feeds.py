"""RSS 2.0 and Atom feeds for the site and for each section, tag and author, with full
(sanitised) content and the lead image as an enclosure."""

import copy
import mimetypes

from django.conf import settings
from django.contrib.syndication.views import Feed
from django.db.models import Prefetch
from django.shortcuts import get_object_or_404
from django.urls import reverse
from django.utils.feedgenerator import Atom1Feed, Enclosure
from django.utils.html import linebreaks
from django.utils.translation import gettext

from .. import bylines, freshness
from ..freshness import shown
from ..models import Article, Author, Byline, Category, Correction, Tag

FEED_LENGTH = 30


class ArticleFeed(Feed):
    """The whole site's latest published articles (RSS 2.0)."""

    query_parameters = {}  # the page cache drops any (middleware)

    def title(self, obj=None):
        return f"{obj} · {settings.SITE_NAME}" if obj else settings.SITE_NAME

    def link(self, obj=None):
        return obj.get_absolute_url() if obj else "/"

    def description(self, obj=None):
        return f"Latest stories from {settings.SITE_NAME}" + (f": {obj}" if obj else "")

    def get_object(self, request, **kwargs):
        return None

    def filter(self, articles, obj):
        return articles

    def list_shows(self, obj) -> list[str]:
        """The feed's list and title (`freshness.shown`)."""
        return [shown.ALL]

    def items(self, obj=None):
        articles = (
            Article.objects.published()
            .select_related("category")
            .prefetch_related(Prefetch("bylines", queryset=Byline.objects.select_related("author")), "tags")
        )
        items = list(self.filter(articles, obj)[:FEED_LENGTH])
        freshness.shows(*self.list_shows(obj), *shown.of_articles(items))
        freshness.shows(*(shown.author(b.author_id) for a in items for b in a.bylines.all()))
        freshness.shows(*(shown.tag(t.pk) for a in items for t in a.tags.all()))
        return items

    def item_title(self, article):
        return article.title

    def item_description(self, article):
        return article.body  # already sanitised on save

    def item_pubdate(self, article):
        return article.published_at

    def item_updateddate(self, article):
        return article.last_substantive_change

    def item_author_name(self, article):
        return ", ".join(author.name for author in bylines.authors(article.byline)) or None

    def item_categories(self, article):
        return [tag.name for tag in article.tags.all()]

    def item_enclosures(self, article):
        url = article.lead_image_src
        if not url:
            return []
        mime_type = mimetypes.guess_type(url.split("?")[0])[0] or "image/jpeg"
        return [Enclosure(self.request_uri(url), "0", mime_type)]

    def get_feed(self, obj, request):
        # The feed object serves every request; a copy per request carries that request safely.
        bound = copy.copy(self)
        bound.request = request
        return super(ArticleFeed, bound).get_feed(obj, request)

    def request_uri(self, url):
        return url if url.startswith(("http://", "https://")) else self.request.build_absolute_uri(url)


class AtomMixin:
    feed_type = Atom1Feed

    def subtitle(self, obj=None):
        return self.description(obj)


class CategoryFeed(ArticleFeed):
    def get_object(self, request, path):
        return get_object_or_404(Category.objects.public(), path=path)

    def filter(self, articles, category):
        return articles.in_category(category)

    def list_shows(self, category):
        return [shown.section_list(category.pk), shown.section(category.pk)]


class TagFeed(ArticleFeed):
    def get_object(self, request, slug):
        return get_object_or_404(Tag.objects.public(), slug=slug)

    def filter(self, articles, tag):
        return articles.filter(tagged_items__tag=tag)

    def list_shows(self, tag):
        return [shown.tag_list(tag.pk), shown.tag(tag.pk)]


class AuthorFeed(ArticleFeed):
    def get_object(self, request, slug):
        return get_object_or_404(Author.objects.public(), slug=slug)

    def filter(self, articles, author):
        return articles.filter(bylines__author=author)

    def list_shows(self, author):
        return [shown.author_list(author.pk), shown.author(author.pk)]


class AtomArticleFeed(AtomMixin, ArticleFeed):
    pass


class AtomCategoryFeed(AtomMixin, CategoryFeed):
    pass


class AtomTagFeed(AtomMixin, TagFeed):
    pass


class AtomAuthorFeed(AtomMixin, AuthorFeed):
    pass


class CorrectionFeed(Feed):
    """The latest corrections, clarifications and editor's notes on published stories (RSS 2.0),
    each linking to where it stands on its story; an amended one comes again, as a new item."""

    query_parameters = {}

    def title(self):
        return f"{gettext('Corrections and clarifications')} · {settings.SITE_NAME}"

    def link(self):
        return reverse("articles:corrections")

    def description(self):
        return gettext("Corrections, clarifications and editor’s notes from %(site)s") % {"site": settings.SITE_NAME}

    def items(self):
        items = list(
            Correction.objects.public().select_related("article").order_by("-published_at", "-pk")[:FEED_LENGTH]
        )
        freshness.shows(shown.CORRECTIONS, shown.ALL, *shown.of_articles(c.article for c in items))
        return items

    def item_title(self, correction):
        return f"{correction.get_kind_display()}: {correction.article.title}"

    def item_description(self, correction):
        return linebreaks(correction.text, autoescape=True)  # plain text, as the story shows it

    def item_pubdate(self, correction):
        return correction.published_at

    def item_updateddate(self, correction):
        return correction.created_at
