from collections import Counter
from urllib.parse import unquote

from django.contrib.sites.shortcuts import get_current_site
from django.db.models import Count
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.template import engines
from django.urls import reverse
from django.utils.cache import add_never_cache_headers
from django.utils.formats import date_format
from django.utils.functional import SimpleLazyObject
from django.utils.safestring import mark_safe
from django.utils.translation import gettext, gettext_lazy
from django.views.generic import (
    DayArchiveView,
    DetailView,
    ListView,
    MonthArchiveView,
    TemplateView,
    YearArchiveView,
)

from .. import freshness, search, translations
from ..freshness import shown
from ..languages import news_sitemap_language
from ..models import Article, Author, Category, Correction, Tag
from . import front_page, live, seo
from .cards import render_card_groups, render_cards, render_result_meta
from .context_processors import top_sections
from .middleware import reads
from .paging import SearchResultsPaginator, StoredPagesPaginator, page_number
from .retracted import gone
from .sitemaps import news_articles


class PublishedListMixin:
    """The readers' view of articles: published only. A page reads only the ids it lists (from
    the ordering index); the cards come from the cache, and only missing ones are fetched whole."""

    paginate_by = 20
    template_name = "articles/article_list.html"
    context_object_name = "articles"
    shows_cards = True
    query_parameters = {"page": page_number}  # the page cache drops every other (middleware)
    # A section, tag or author readers may not see yet (`public()`: no published story) has no
    # page. Its list being empty says so: the list is that rule, and read anyway, where a
    # `public()` query of its own cost a cold page more than the list.
    empty_is_unknown = False

    def list_shows(self) -> list[str]:
        """The list's names (`freshness.shown`): a story entering or leaving it touches them."""
        return [shown.ALL]

    def header_shows(self) -> list[str]:
        """What the list's header shows besides its address (names of things)."""
        return []

    def get_queryset(self):
        return Article.objects.published().only("id", "published_at")

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        if self.shows_cards:
            context["cards"] = render_cards(context["articles"])
        context["header_shows"] = self.header_shows
        context["list_names"] = ",".join(self.list_shows())  # which list: what its header is keyed by
        return context

    def get_paginator(self, queryset, per_page, orphans=0, allow_empty_first_page=True, **kwargs):
        # The list is what it lists (a section at an address can be replaced by another); no
        # parameter changes it, so none can make it be read and kept again.
        return StoredPagesPaginator(
            queryset,
            per_page,
            list_key=",".join(self.list_shows()),
            shows=self.list_shows(),
            allow_empty_first_page=allow_empty_first_page and not self.empty_is_unknown,
        )


class HomeView(TemplateView):
    """The lead story, the top stories, and a rail per top-level section: as the editors
    arranged them (`front_page`), filled with the latest stories where they left room, all cut
    from one window of recent stories, so the page costs the same few queries always."""

    template_name = "articles/home.html"
    query_parameters = {}
    latest_count = 15
    rail_count = 4
    window = 60

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        slots = front_page.arranged_slots()
        latest = [
            front_page.Story(*row)
            for row in Article.objects.published().values_list("id", "featured", "category__path")[: self.window]
        ]
        freshness.shows(shown.ALL, shown.FRONT_PAGE)
        sections = top_sections()  # the rails (the header lists the sections editors chose)
        lead, top, rails = front_page.arrange(slots, latest, sections, self.latest_count, self.rail_count)
        freshness.shows(*(shown.section_list(section.pk) for section in sections))  # a subsection moving between them
        lead_cards, top_cards, *rail_cards = render_card_groups(
            [([lead] if lead else [], 2, True), (top, 3, False), *((stories, 3, False) for _, stories in rails)]
        )
        context.update(
            lead_card=lead_cards[0] if lead else "",
            cards=top_cards,
            arranged_top=any(place == front_page.Place.TOP for place, _, _ in slots),
            top_sections=sections,
            rails=[(section, cards) for (section, _), cards in zip(rails, rail_cards, strict=True)],
        )
        return context


class SectionListView(TemplateView):
    """`/sections/`: every section readers may see, as the tree it is, with how many stories
    each holds (itself and below): the sections the header has no room for, one click away.
    Two queries whatever the size of the tree: the sections, and the counts."""

    template_name = "articles/section_list.html"
    query_parameters = {}

    def get_context_data(self, **kwargs):
        sections = list(Category.objects.only("id", "name", "slug", "path", "parent"))
        counted = Article.objects.published().filter(category__isnull=False).values_list("category")
        own = dict(counted.annotate(stories=Count("id")).order_by())
        by_path = {section.path: section for section in sections}
        for section in sections:
            section.stories, section.subsections = 0, []
        for section in sections:
            parts = section.path.split("/")
            for depth in range(len(parts)):
                if (above := by_path.get("/".join(parts[: depth + 1]))) is not None:
                    above.stories += own.get(section.pk, 0)
        shown_sections = [section for section in sections if section.stories]  # `Category.public()`
        for section in shown_sections:
            if section.parent_id is not None and (parent := by_path.get(section.path.rsplit("/", 1)[0])):
                parent.subsections.append(section)
        # Counts move with any story entering or leaving any list (`la`); sections come, go
        # and move with the navigation's name (`shown.category_changes`).
        freshness.shows(shown.ALL, shown.NAVIGATION, *shown.sections(shown_sections))
        return super().get_context_data(
            heading=gettext("Sections"), tree=[s for s in shown_sections if s.parent_id is None], **kwargs
        )


class ArticleListView(PublishedListMixin, ListView):
    extra_context = {"heading": gettext_lazy("All stories")}


class CategoryView(PublishedListMixin, ListView):
    empty_is_unknown = True

    def get(self, request, *args, **kwargs):
        self.category = get_object_or_404(Category, path=kwargs["path"])
        return super().get(request, *args, **kwargs)

    def get_queryset(self):
        return super().get_queryset().in_category(self.category)

    def list_shows(self):
        return [shown.section_list(self.category.pk)]

    def header_shows(self):
        # Its subsections come and go with its list's name (`shown.category_changes`).
        names = [shown.section(self.category.pk), shown.section_list(self.category.pk)]
        return names + shown.sections(self.breadcrumb) + shown.sections(self.children)

    def get_context_data(self, **kwargs):
        self.breadcrumb = SimpleLazyObject(self.category.ancestors)
        self.children = SimpleLazyObject(lambda: Category.objects.public_children_of(self.category)[0])
        return super().get_context_data(
            heading=self.category.name,
            description=self.category.description,
            category=self.category,
            breadcrumb=self.breadcrumb,
            children=self.children,
            feed_url=reverse("articles:category-feed", kwargs={"path": self.category.path}),
            atom_feed_url=reverse("articles:category-feed-atom", kwargs={"path": self.category.path}),
            **kwargs,
        )


class TagView(PublishedListMixin, ListView):
    empty_is_unknown = True

    def get(self, request, *args, **kwargs):
        self.tag = get_object_or_404(Tag, slug=kwargs["slug"])
        return super().get(request, *args, **kwargs)

    def get_queryset(self):
        return super().get_queryset().filter(tagged_items__tag=self.tag)

    def list_shows(self):
        return [shown.tag_list(self.tag.pk)]

    def header_shows(self):
        return [shown.tag(self.tag.pk)]

    def get_context_data(self, **kwargs):
        return super().get_context_data(
            heading=gettext("Tagged “%(tag)s”") % {"tag": self.tag.name},
            tag=self.tag,
            feed_url=reverse("articles:tag-feed", kwargs={"slug": self.tag.slug}),
            atom_feed_url=reverse("articles:tag-feed-atom", kwargs={"slug": self.tag.slug}),
            **kwargs,
        )


class AuthorView(PublishedListMixin, ListView):
    template_name = "articles/author_detail.html"
    empty_is_unknown = True

    def get(self, request, *args, **kwargs):
        self.author = get_object_or_404(Author, slug=kwargs["slug"])
        return super().get(request, *args, **kwargs)

    def get_queryset(self):
        return super().get_queryset().filter(bylines__author=self.author)

    def list_shows(self):
        return [shown.author_list(self.author.pk)]

    def header_shows(self):
        return [shown.author(self.author.pk)]

    def get_context_data(self, **kwargs):
        return super().get_context_data(
            heading=self.author.name,
            author=self.author,
            feed_url=reverse("articles:author-feed", kwargs={"slug": self.author.slug}),
            atom_feed_url=reverse("articles:author-feed-atom", kwargs={"slug": self.author.slug}),
            **kwargs,
        )


class ArchiveMixin(PublishedListMixin):
    """Date archives of published stories; empty periods are 404."""

    date_field = "published_at"
    month_format = "%m"
    day_format = "%d"
    allow_future = False

    def get_month(self):
        return f"{int(self.kwargs['month']):02d}"

    def get_day(self):
        return f"{int(self.kwargs['day']):02d}"

    def list_shows(self):
        month, day = self.kwargs.get("month"), self.kwargs.get("day")
        return [shown.archive(int(self.kwargs["year"]), month and int(month), day and int(day))]

    header_shows = list_shows  # a year's header lists its months


class YearArchive(ArchiveMixin, YearArchiveView):
    make_object_list = True

    def get_context_data(self, **kwargs):
        return super().get_context_data(heading=str(self.get_year()), archive_months=True, **kwargs)


class MonthArchive(ArchiveMixin, MonthArchiveView):
    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["heading"] = date_format(context["month"], "F Y")
        return context


class DayArchive(ArchiveMixin, DayArchiveView):
    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["heading"] = date_format(context["day"], "j F Y")
        return context


class SearchView(PublishedListMixin, ListView):
    """`/search/?q=`: published articles containing every word of the query, newest first."""

    template_name = "articles/search.html"
    shows_cards = False  # results show where the words are, around a cached byline line
    query_parameters = {"q": search.canonical_query, "page": page_number}
    # There is no end to distinct searches: one kept whole page each would evict the pages
    # readers ask for. A result page is its kept matches (bounded: SearchResultsPaginator) and
    # one fetch of its rows.
    page_cache_with_query = False

    def get_queryset(self):
        self.query = search.canonical_query(self.request.GET.get("q", ""))
        matches = search.matches(self.query)
        if matches is None:
            return Article.objects.none()
        return Article.objects.published().filter(matches)

    def get_paginator(self, queryset, per_page, orphans=0, allow_empty_first_page=True, **kwargs):
        # The ids are of published stories, renewed whenever publication changes; fetched by id
        # alone (with the publication rule too, SQLite would walk its index instead). The body
        # is needed here: a snippet shows where the words were found.
        rows = Article.objects.only("title", "slug", "standfirst", "body", "status", "published_at", "created_at")
        return SearchResultsPaginator(
            queryset,
            per_page,
            list_key=search.terms_key(self.query),
            rows=rows,
            allow_empty_first_page=allow_empty_first_page,
        )

    def get_context_data(self, **kwargs):
        context = super().get_context_data(query=self.query, heading=gettext("Search"), **kwargs)
        articles = context["articles"]
        for article, meta in zip(articles, render_result_meta(articles), strict=True):
            article.title_html = search.highlight(article.title, self.query, width=300)
            article.snippet_html = search.snippet(article, self.query)
            article.meta_html = meta
        return context


class ArticleDetailView(DetailView):
    context_object_name = "article"
    query_parameters = {}

    def get_queryset(self):
        # The body too: a first visit needs it, and a second query for it cost more than its bytes.
        return Article.objects.visible_to(self.request.user).select_related("category").defer("body_source", "extra")

    def get(self, request, *args, **kwargs):
        try:
            self.object = self.get_object()
        except Http404:
            # Not for readers; a retracted story's address is gone (410), not unknown (404).
            shown = (
                "title",
                "slug",
                "status",
                "published_at",
                "created_at",
                "language",
                "retraction",
            )  # what its 410 page shows
            retracted = (
                Article.objects.retracted()
                .filter(slug=kwargs["slug"])
                .select_related("retraction")
                .only(*shown)
                .first()
            )
            if retracted is None:
                raise
            return gone(request, retracted)
        if self.object.is_retracted:  # staff too: what was withdrawn is not previewed
            return gone(request, self.object)
        canonical = self.object.get_absolute_url()
        if request.path != unquote(canonical):
            return redirect(canonical, permanent=True)
        response = self.render_to_response(self.get_context_data(object=self.object))
        if not self.object.is_published():
            add_never_cache_headers(response)  # a preview must never be kept by a cache
        return response

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        article = self.object
        freshness.shows(shown.article(article.pk), shown.article_page(article.pk))
        # The article's head and main part are kept fragments (`{% fresh %}`); what only they
        # show is computed lazily, and says what it shows, so a kept fragment costs none of
        # these queries and is renewed when any of them changes.
        context["article_shows"] = lambda: article_shows(article)
        context["breadcrumb"] = SimpleLazyObject(lambda: _showing(shown.sections, breadcrumb(article)))
        context["preview"] = not article.is_published()
        tags = context["tags"] = SimpleLazyObject(lambda: _showing(_tag_names, list(article.tags.all())))
        links = SimpleLazyObject(lambda: around(article, tags))
        context["related"] = SimpleLazyObject(lambda: links["related"])
        context["newer"], context["older"] = (
            SimpleLazyObject(lambda: links["newer"]),
            SimpleLazyObject(lambda: links["older"]),
        )
        context["corrections"] = SimpleLazyObject(lambda: placed(article.shown_corrections))
        context["canonical_url"] = self.request.build_absolute_uri(article.get_absolute_url())
        context["json_ld"] = lambda: seo.news_article_json_ld(article, self.request)
        if article.has_live_coverage:  # issue 14: its entries, outside the kept fragments
            entries = context["live"] = SimpleLazyObject(lambda: live.first_page(article))
            context["json_ld"] = lambda: seo.live_blog_json_ld(article, self.request, entries)
        versions = context["versions"] = SimpleLazyObject(lambda: translations.versions(article))
        context["alternates"] = SimpleLazyObject(
            lambda: translations.alternates(versions, self.request.build_absolute_uri)
        )
        # Rendered by Jinja2 (articles/public/jinja2.py): a page built from nothing spent half a
        # millisecond on them in Django's template language. The <head> stays Django's.
        context["article_main"] = lambda: _in_jinja2("articles/article_main.html", context)
        context["article_around"] = lambda: _in_jinja2("articles/article_around.html", context)
        return context


def _in_jinja2(template, context) -> str:
    return mark_safe(engines["jinja2"].get_template(template).render(context))  # escaped there


def placed(corrections) -> dict:
    """A story's corrections by where they go: editor's notes above the body, the rest below
    (`Correction.ABOVE_BODY`)."""
    return {
        "above": [c for c in corrections if c.above_body],
        "below": [c for c in corrections if not c.above_body],
    }


class CorrectionListView(ListView):
    """`/corrections/`: every correction, clarification and editor's note on a published story,
    newest first, each as it reads now."""

    template_name = "articles/correction_list.html"
    context_object_name = "corrections"
    paginate_by = 20
    query_parameters = {"page": page_number}
    extra_context = {"heading": gettext_lazy("Corrections and clarifications")}

    def get_queryset(self):
        stories = ("article__title", "article__slug", "article__published_at", "article__created_at")
        return (
            Correction.objects.public()
            .select_related("article")
            .only("kind", "text", "published_at", "created_at", "supersedes", "article__status", *stories)
            .order_by("-published_at", "-pk")
        )

    def get_context_data(self, **kwargs):
        context = super().get_context_data(feed_url=reverse("articles:corrections-feed"), **kwargs)
        # A story going live or taken down joins or leaves the list (`la`); a headline fix shows here.
        stories = shown.of_articles(c.article for c in context["corrections"])
        freshness.shows(shown.CORRECTIONS, shown.ALL, *stories)
        return context


def _showing(names_of, things):
    freshness.shows(*names_of(things))
    return things


def _tag_names(tags):
    return [shown.tag(t.pk) for t in tags]


def article_shows(article) -> list[str]:
    """What an article's own fragments show of it: itself, its authors, its section."""
    names = [shown.article(article.pk), *(shown.author(a.pk) for a in article.byline)]
    if article.has_live_coverage:
        names.append(shown.live_entries(article.pk))  # its JSON-LD lists the newest entries
    return names + ([shown.section(article.category_id)] if article.category_id else [])


AROUND_SHOWS = ("title", "slug", "published_at", "created_at", "status")  # what a link to a story shows


def around(article, tags) -> dict:
    """The stories linked around `article` (related, newer, older in its section), from ids kept
    until the lists they come from change: another story's headline fix costs one query for
    their rows, not the search for them again. Found afresh, they are read as rows already."""
    rows = Article.objects.published().only(*AROUND_SHOWS)
    found = {}  # rows read while finding the ids
    ids = freshness.kept(freshness.key("around", article.pk), lambda: _around_ids(article, list(tags), rows, found))
    wanted = [pk for pk in (*ids["related"], ids["newer"], ids["older"]) if pk]
    if missing := [pk for pk in wanted if pk not in found]:
        found.update(rows.in_bulk(missing))
    freshness.shows(*(shown.article(pk) for pk in wanted if pk in found))
    return {
        "related": [found[pk] for pk in ids["related"] if pk in found],
        "newer": found.get(ids["newer"]),
        "older": found.get(ids["older"]),
    }


def _around_ids(article, tags, rows, found) -> dict:
    """Which stories are around `article`: renewed when its tags' lists (related), its own
    page's neighbours, or its section's order after a bulk change, change. The rows read on the
    way go into `found`."""
    freshness.shows(shown.article_page(article.pk), *(shown.tag_list(t.pk) for t in tags))
    if article.category_id:
        freshness.shows(shown.section_neighbours(article.category_id))
    neighbours = rows.neighbours(article)
    found.update((row.pk, row) for row in neighbours if row)
    newer, older = (row and row.pk for row in neighbours)
    return {"related": related_ids(article, tags, rows=rows, found=found), "newer": newer, "older": older}


def breadcrumb(article):
    return [*article.category.ancestors(), article.category] if article.category_id else []


def related_ids(article, tags, count=4, window=200, rows=None, found=None) -> list[int]:
    """Published stories sharing the most of `article`'s tags, newest first among equals, found
    among the newest `window` stories of those tags (counting them over a popular tag's whole
    history is what made a cold article page slow); untagged, its section's newest. With
    `found`, the stories' `rows` are read where no count needs ranking, and go into it."""
    rows = rows if found is not None else Article.objects.published()
    published = rows.exclude(pk=article.pk)
    tag_ids = [tag.pk for tag in tags]
    if len(tag_ids) > 1:
        newest = published.filter(tagged_items__tag__in=tag_ids).order_by("-published_at", "-id")
        shared = Counter(newest.values_list("id", flat=True)[:window])  # one row per shared tag
        return sorted(shared, key=lambda pk: -shared[pk])[:count]  # stable: newest first among equals
    if tag_ids:  # each story once: nothing to count, its newest are the answer
        chosen = published.filter(tagged_items__tag=tag_ids[0]).order_by("-published_at", "-id")[:count]
    elif article.category_id:
        freshness.shows(shown.section_list(article.category_id))  # its newest, which a story entering changes
        chosen = published.filter(category=article.category_id)[:count]
    else:
        return []
    if found is None:
        return list(chosen.values_list("id", flat=True))
    found.update((row.pk, row) for row in chosen)
    return [row.pk for row in chosen]


@reads()
def news_sitemap(request):
    return render(
        request,
        "articles/news_sitemap.xml",
        {
            "articles": [(article, news_sitemap_language(article.language)) for article in news_articles()],
            "base": f"{request.scheme}://{get_current_site(request).domain}",
        },
        content_type="application/xml",
    )


@reads()
def robots_txt(request):
    base = f"{request.scheme}://{get_current_site(request).domain}"
    lines = [
        "User-agent: *",
        "Disallow: /admin/",
        f"Sitemap: {base}{reverse('sitemap')}",
        f"Sitemap: {base}{reverse('articles:news-sitemap')}",
    ]
    return HttpResponse("\n".join(lines) + "\n", content_type="text/plain")
