"""Bulk actions on the article change list (editors only: `allowed_permissions`): publish,
unpublish, move to a section, add a tag. Each runs in one transaction and reports a count."""

from django.contrib import admin, messages
from django.contrib.admin import helpers
from django.db import transaction
from django.template.response import TemplateResponse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext

from .. import freshness, workflow
from ..models import Article, Tag, TaggedArticle
from .forms import AddTagForm, MoveToCategoryForm


class BulkActionsMixin:
    actions = ["publish_selected", "unpublish_selected", "move_to_category", "add_tag"]

    @admin.action(description=gettext_lazy("Publish selected articles now"), permissions=["publish"])
    def publish_selected(self, request, queryset):
        self._apply_step(request, queryset, workflow.publish_now, _("published"))

    @admin.action(description=gettext_lazy("Unpublish selected articles"), permissions=["publish"])
    def unpublish_selected(self, request, queryset):
        self._apply_step(request, queryset, workflow.unpublish, _("unpublished"))

    def _apply_step(self, request, queryset, step, verb):
        done = skipped = 0
        refused = []  # why the articles an editor must fix first were left (lead image alt text)
        with transaction.atomic(), freshness.batch():
            for article in queryset.defer(None).prefetch_related(None).select_for_update(of=("self",)):
                try:
                    step(article, request.user)
                except workflow.PublicationRefused as refusal:
                    skipped += 1
                    refused.append(str(refusal))
                except workflow.WorkflowError:
                    skipped += 1
                else:
                    done += 1
        for reason in refused[:20]:
            self.message_user(request, reason, messages.ERROR)
        message = ngettext("%(count)d article %(verb)s.", "%(count)d articles %(verb)s.", done) % {
            "count": done,
            "verb": verb,
        }
        if skipped:
            message += " " + ngettext("%(count)d left as it was.", "%(count)d left as they were.", skipped) % {
                "count": skipped
            }
        self.message_user(request, message, messages.SUCCESS if done else messages.WARNING)

    @admin.action(description=gettext_lazy("Move selected articles to a section…"), permissions=["publish"])
    def move_to_category(self, request, queryset):
        form = MoveToCategoryForm(request.POST if "apply" in request.POST else None)
        if not form.is_valid():
            return self._bulk_form(request, queryset, form, _("Move articles to a section"), "move_to_category")
        category = form.cleaned_data["category"]
        with transaction.atomic(), freshness.batch():
            moved = queryset.bulk_edit(category=category)
        self.message_user(
            request,
            ngettext("%(count)d article moved to %(section)s.", "%(count)d articles moved to %(section)s.", moved)
            % {"count": moved, "section": category.full_name},
            messages.SUCCESS,
        )

    @admin.action(description=gettext_lazy("Add a tag to selected articles…"), permissions=["publish"])
    def add_tag(self, request, queryset):
        form = AddTagForm(request.POST if "apply" in request.POST else None)
        if not form.is_valid():
            return self._bulk_form(request, queryset, form, _("Add a tag to articles"), "add_tag")
        name = form.cleaned_data["name"]
        with transaction.atomic(), freshness.batch():
            tag, _created = Tag.objects.get_or_create(name=name)
            untagged = list(queryset.exclude(tagged_items__tag=tag).values_list("pk", flat=True))
            TaggedArticle.objects.bulk_create(TaggedArticle(content_object_id=pk, tag=tag) for pk in untagged)
            Article.objects.filter(pk__in=untagged).bulk_edit(regrouped=True)
        self.message_user(
            request,
            ngettext(
                "Tag “%(tag)s” added to %(count)d article.", "Tag “%(tag)s” added to %(count)d articles.", len(untagged)
            )
            % {"tag": tag.name, "count": len(untagged)},
            messages.SUCCESS,
        )

    def _bulk_form(self, request, queryset, form, title, action):
        """The intermediate page of a bulk action: its form, and the articles it will change."""
        context = {
            **self.admin_site.each_context(request),
            "title": title,
            "opts": self.model._meta,
            "form": form,
            "action": action,
            "articles": queryset.select_related(None).prefetch_related(None).only("pk", "title")[:100],
            "count": queryset.count(),
            "selected": request.POST.getlist(helpers.ACTION_CHECKBOX_NAME),
            "select_across": request.POST.get("select_across", "0"),
        }
        return TemplateResponse(request, "admin/articles/article/bulk_action_form.html", context)
