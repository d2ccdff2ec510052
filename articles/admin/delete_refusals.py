"""Deletes that would take articles with them are refused, with the reason and what to do."""

from django.urls import reverse
from django.utils.html import format_html
from django.utils.translation import ngettext

LISTED = 5  # articles named in a refusal; the rest are counted


class ExplainedProtectedDeleteMixin:
    """Where Django would list "protected related objects" (bylines, sections…), say instead why
    the delete is refused and what to do, naming a few of the articles concerned. `deletion_blockers`
    returns, per object, (sentence, queryset of articles or sections in the way)."""

    def deletion_blockers(self, obj):
        return []

    def get_deleted_objects(self, objs, request):
        deleted, model_count, perms_needed, protected = super().get_deleted_objects(objs, request)
        if protected:
            explained = []
            for obj in objs:
                for sentence, in_the_way in self.deletion_blockers(obj):
                    explained += [sentence, [_admin_link(item) for item in in_the_way[:LISTED]]]
                    if (more := in_the_way.count() - LISTED) > 0:
                        explained[-1].append(
                            ngettext("… and %(count)d more", "… and %(count)d more", more) % {"count": more}
                        )
            protected = explained or protected
        return deleted, model_count, perms_needed, protected


def _admin_link(obj):
    opts = obj._meta
    return format_html(
        '<a href="{}">{}</a>', reverse(f"admin:{opts.app_label}_{opts.model_name}_change", args=[obj.pk]), obj
    )


def author_blockers(author):
    from ..models import Article

    articles = Article.objects.filter(bylines__author=author).order_by("-published_at", "-pk")
    count = articles.count()
    if not count:
        return []
    sentence = ngettext(
        "Can’t delete %(name)s: %(count)d article still credits it — reassign it first.",
        "Can’t delete %(name)s: %(count)d articles still credit it — reassign them first.",
        count,
    ) % {"name": author, "count": count}
    return [(sentence, articles)]


def category_blockers(category):
    from ..models import Article, Category

    blockers = []
    articles = Article.objects.filter(category=category).order_by("-published_at", "-pk")
    if count := articles.count():
        sentence = ngettext(
            "Can’t delete %(name)s: %(count)d article is filed under it — move it to another section first.",
            "Can’t delete %(name)s: %(count)d articles are filed under it — move them to another section first.",
            count,
        ) % {"name": category, "count": count}
        blockers.append((sentence, articles))
    children = Category.objects.filter(parent=category)
    if count := children.count():
        sentence = ngettext(
            "Can’t delete %(name)s: %(count)d section sits under it — move or delete it first.",
            "Can’t delete %(name)s: %(count)d sections sit under it — move or delete them first.",
            count,
        ) % {"name": category, "count": count}
        blockers.append((sentence, children))
    return blockers
