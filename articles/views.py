from urllib.parse import unquote

from django.conf import settings
from django.contrib.sites.shortcuts import get_current_site
from django.db.models import Prefetch
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.views.generic import DetailView, ListView

from . import search
from .models import Article, Author, Byline, Category, Tag
from .sitemaps import news_articles


class PublishedListMixin:
    """The readers' view of articles: published only, with what a card shows prefetched."""

    paginate_by = 20
    template_name = "articles/article_list.html"
    context_object_name = "articles"

    def get_queryset(self):
        return Article.objects.published().for_cards()


class HomeView(PublishedListMixin, ListView):
    template_name = "articles/home.html"
    paginate_by = None
    latest_count = 15

    def get_queryset(self):
        return super().get_queryset()[: self.latest_count + 1]

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        stories = list(context["articles"])
        lead = next((a for a in stories if a.featured), stories[0] if stories else None)
        context["lead"] = lead
        context["articles"] = [a for a in stories if a is not lead][: self.latest_count]
        return context


class ArticleListView(PublishedListMixin, ListView):
    extra_context = {"heading": "All stories"}


class CategoryView(PublishedListMixin, ListView):
    def get(self, request, *args, **kwargs):
        self.category = get_object_or_404(Category, path=kwargs["path"])
        return super().get(request, *args, **kwargs)

    def get_queryset(self):
        return super().get_queryset().in_category(self.category)

    def get_context_data(self, **kwargs):
        return super().get_context_data(
            heading=self.category.name,
            description=self.category.description,
            category=self.category,
            breadcrumb=self.category.ancestors(),
            children=self.category.children.all(),
            feed_url=reverse("articles:category-feed", kwargs={"path": self.category.path}),
            **kwargs,
        )


class TagView(PublishedListMixin, ListView):
    def get(self, request, *args, **kwargs):
        self.tag = get_object_or_404(Tag, slug=kwargs["slug"])
        return super().get(request, *args, **kwargs)

    def get_queryset(self):
        return super().get_queryset().filter(tagged_items__tag=self.tag)

    def get_context_data(self, **kwargs):
        return super().get_context_data(
            heading=f"Tagged “{self.tag.name}”",
            tag=self.tag,
            feed_url=reverse("articles:tag-feed", kwargs={"slug": self.tag.slug}),
            **kwargs,
        )


class AuthorView(PublishedListMixin, ListView):
    template_name = "articles/author_detail.html"

    def get(self, request, *args, **kwargs):
        self.author = get_object_or_404(Author, slug=kwargs["slug"])
        return super().get(request, *args, **kwargs)

    def get_queryset(self):
        return super().get_queryset().filter(bylines__author=self.author)

    def get_context_data(self, **kwargs):
        return super().get_context_data(
            heading=self.author.name,
            author=self.author,
            feed_url=reverse("articles:author-feed", kwargs={"slug": self.author.slug}),
            **kwargs,
        )


class SearchView(PublishedListMixin, ListView):
    """`/search/?q=`: published articles containing every word of the query, newest first."""

    template_name = "articles/search.html"

    def get_queryset(self):
        self.query = " ".join(self.request.GET.get("q", "").split())[:200]
        matches = search.matching_ids(self.query)
        if matches is None:
            return Article.objects.none()
        return super().get_queryset().filter(pk__in=matches)

    def get_context_data(self, **kwargs):
        context = super().get_context_data(query=self.query, heading="Search", **kwargs)
        for article in context["articles"]:
            article.title_html = search.highlight(article.title, self.query, width=300)
            article.snippet_html = search.highlight(article.standfirst, self.query)
        return context


class ArticleDetailView(DetailView):
    context_object_name = "article"

    def get_queryset(self):
        return (
            Article.objects.published()
            .select_related("category")
            .prefetch_related(Prefetch("bylines", queryset=Byline.objects.select_related("author")), "tags")
        )

    def get(self, request, *args, **kwargs):
        self.object = self.get_object()
        canonical = self.object.get_absolute_url()
        if request.path != unquote(canonical):
            return redirect(canonical, permanent=True)
        context = self.get_context_data(object=self.object)
        return self.render_to_response(context)

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        category = self.object.category
        context["breadcrumb"] = [*category.ancestors(), category] if category else []
        return context


def news_sitemap(request):
    return render(
        request,
        "articles/news_sitemap.xml",
        {
            "articles": news_articles(),
            "base": f"{request.scheme}://{get_current_site(request).domain}",
            "language": settings.LANGUAGE_CODE.split("-")[0],
        },
        content_type="application/xml",
    )


def robots_txt(request):
    base = f"{request.scheme}://{get_current_site(request).domain}"
    lines = [
        "User-agent: *",
        "Disallow: /admin/",
        f"Sitemap: {base}{reverse('sitemap')}",
        f"Sitemap: {base}{reverse('articles:news-sitemap')}",
    ]
    return HttpResponse("\n".join(lines) + "\n", content_type="text/plain")
