"""The article change list's filters: state, section tree, author, tag, language, images' alt text."""

from django.conf import settings
from django.contrib import admin
from django.db.models import Exists, OuterRef
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from ..models import Article, Author, Byline, Category, Tag, TaggedArticle


class StateListFilter(admin.SimpleListFilter):
    title = gettext_lazy("state")
    parameter_name = "state"

    def lookups(self, request, model_admin):
        return [
            ("draft", _("Draft")),
            ("review", _("In review")),
            ("scheduled", _("Scheduled")),
            ("live", _("Published (live)")),
            ("retracted", _("Retracted")),
        ]

    def queryset(self, request, queryset):
        match self.value():
            case "draft":
                return queryset.filter(status=Article.Status.DRAFT)
            case "review":
                return queryset.filter(status=Article.Status.REVIEW)
            case "scheduled":
                return queryset.scheduled()
            case "live":
                return queryset.published()
            case "retracted":
                return queryset.retracted()
        return queryset


class CategoryTreeListFilter(admin.SimpleListFilter):
    """A section and every section below it."""

    title = gettext_lazy("section (with its subsections)")
    parameter_name = "section"

    def lookups(self, request, model_admin):
        self.categories = {str(c.pk): c for c in Category.objects.only("pk", "path", "full_name")}
        return [(pk, category.full_name) for pk, category in self.categories.items()]

    def queryset(self, request, queryset):
        if self.value() is None:
            return queryset
        category = self.categories.get(self.value())
        return queryset.in_category(category) if category else queryset.none()


class ThroughListFilter(admin.SimpleListFilter):
    """By a related author or tag, through EXISTS on the link table: a join would repeat rows and
    make the admin add a DISTINCT over the whole list (seconds at 100,000 articles). The link
    table's field to the choice is named like `parameter_name`."""

    choice_model = through = article_field = None

    def lookups(self, request, model_admin):
        return [(str(pk), name) for pk, name in self.choice_model.objects.values_list("pk", "name")]

    def queryset(self, request, queryset):
        if self.value() is None:
            return queryset
        links = self.through.objects.filter(**{self.article_field: OuterRef("pk"), self.parameter_name: self.value()})
        return queryset.filter(Exists(links))


class AuthorListFilter(ThroughListFilter):
    title = gettext_lazy("author")
    parameter_name = "author"
    choice_model, through, article_field = Author, Byline, "article"


class TagListFilter(ThroughListFilter):
    title = gettext_lazy("tag")
    parameter_name = "tag"
    choice_model, through, article_field = Tag, TaggedArticle, "content_object"


class LanguageListFilter(admin.SimpleListFilter):
    """The site's languages: listing the languages in use would scan every article."""

    title = gettext_lazy("language")
    parameter_name = "language"

    def lookups(self, request, model_admin):
        return [(code, name) for code, name in settings.LANGUAGES]

    def queryset(self, request, queryset):
        return queryset if self.value() is None else queryset.filter(language=self.value())


class ImageAltListFilter(admin.SimpleListFilter):
    """Stories to give alt text to: imported with a lead image that has none, so they cannot be
    published again until an editor describes the picture."""

    title = gettext_lazy("lead image")
    parameter_name = "lead_image_alt"

    def lookups(self, request, model_admin):
        return [("missing", _("Without alt text"))]

    def queryset(self, request, queryset):
        return queryset.lead_image_without_alt() if self.value() == "missing" else queryset
