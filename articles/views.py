from urllib.parse import unquote

from django.db.models import Prefetch
from django.shortcuts import get_object_or_404, redirect
from django.views.generic import DetailView, ListView

from .models import Article, Author, Byline, Category, Tag


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
            **kwargs,
        )


class TagView(PublishedListMixin, ListView):
    def get(self, request, *args, **kwargs):
        self.tag = get_object_or_404(Tag, slug=kwargs["slug"])
        return super().get(request, *args, **kwargs)

    def get_queryset(self):
        return super().get_queryset().filter(tagged_items__tag=self.tag)

    def get_context_data(self, **kwargs):
        return super().get_context_data(heading=f"Tagged “{self.tag.name}”", tag=self.tag, **kwargs)


class AuthorView(PublishedListMixin, ListView):
    template_name = "articles/author_detail.html"

    def get(self, request, *args, **kwargs):
        self.author = get_object_or_404(Author, slug=kwargs["slug"])
        return super().get(request, *args, **kwargs)

    def get_queryset(self):
        return super().get_queryset().filter(bylines__author=self.author)

    def get_context_data(self, **kwargs):
        return super().get_context_data(heading=self.author.name, author=self.author, **kwargs)


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
