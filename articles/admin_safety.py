"""Admin pieces that keep editors from losing work: deletes refused with a reason, tag merges."""

from django.contrib import admin, messages
from django.contrib.admin import helpers
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils.html import format_html
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext

from .tagging import merge_tags

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
    from .models import Article

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
    from .models import Article, Category

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


@admin.action(description=gettext_lazy("Merge selected tags into…"), permissions=["change", "delete"])
def merge_selected_tags(modeladmin, request, queryset):
    """Asks which of the selected tags survives, then moves every tagging onto it."""
    tags = sorted(queryset, key=lambda tag: (-getattr(tag, "article_count", 0), tag.name.lower()))
    if len(tags) < 2:
        modeladmin.message_user(request, _("Select at least two tags to merge."), messages.WARNING)
        return None
    survivor = next((tag for tag in tags if str(tag.pk) == request.POST.get("survivor")), None)
    if request.POST.get("post") and survivor is not None:
        result = merge_tags(survivor, tags)
        modeladmin.log_change(request, survivor, _("Merged %(names)s into it.") % {"names": ", ".join(result.deleted)})
        modeladmin.message_user(
            request,
            _(
                "Merged %(names)s into “%(survivor)s”. Articles moved to it: %(moved)d; already tagged with it: "
                "%(already)d; tags deleted: %(deleted)d."
            )
            % {
                "names": ", ".join(f"“{name}”" for name in result.deleted),
                "survivor": survivor,
                "moved": result.moved,
                "already": result.already_tagged,
                "deleted": len(result.deleted),
            },
            messages.SUCCESS,
        )
        return None
    opts = modeladmin.model._meta
    context = {
        **modeladmin.admin_site.each_context(request),
        "title": _("Merge tags"),
        "opts": opts,
        "tags": tags,
        "survivor": survivor or tags[0],
        "action_checkbox_name": helpers.ACTION_CHECKBOX_NAME,
        "action": "merge_selected_tags",
    }
    request.current_app = modeladmin.admin_site.name
    return TemplateResponse(request, "admin/articles/tag/merge_tags.html", context)
