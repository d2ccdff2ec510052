"""The article admin's history pages: list revisions, compare two, restore one.

Mixed into ArticleAdmin, so that class keeps only what is about articles' fields. The rules
(what a revision holds, how a restore rebuilds an article) live in `articles.history`.
"""

import reversion
from django.contrib import messages
from django.contrib.admin.utils import unquote
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpResponseRedirect
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils.translation import gettext as _

from .. import history
from .locking import _opened, saved_at, saved_by, stale_edit_message


class ArticleHistoryAdmin:
    """Revisions for every save through the admin; history lists them, compare diffs two,
    restore brings one back. Only users who may change the article compare or restore it."""

    object_history_template = "admin/articles/article/object_history.html"
    compare_template = "admin/articles/article/history_compare.html"

    def get_urls(self):
        view = self.admin_site.admin_view
        return [
            path(
                "<path:object_id>/history/compare/",
                view(self.history_compare_view),
                name="articles_article_history_compare",
            ),
            path(
                "<path:object_id>/history/<int:version_id>/restore/",
                view(self.history_restore_view),
                name="articles_article_history_restore",
            ),
            *super().get_urls(),
        ]

    def get_fieldsets(self, request, obj=None):
        fieldsets = super().get_fieldsets(request, obj)
        if obj is None or not fieldsets or not self.has_change_permission(request, obj):
            return fieldsets  # a read-only view has nothing to lock
        (name, options), *rest = fieldsets
        return [(name, {**options, "fields": [*options["fields"], "opened_version"]}), *rest]

    def changeform_view(self, request, object_id=None, form_url="", extra_context=None):
        # Manually: the article is added once its byline and tags are saved (save_related), so
        # the revision holds the state the editor saved, not the one before the inlines.
        with reversion.create_revision(manage_manually=True):
            reversion.set_user(request.user)
            return super().changeform_view(request, object_id, form_url, extra_context)

    def changelist_view(self, request, extra_context=None):
        if request.method != "POST":  # only actions change anything; a listing needs no revision
            return super().changelist_view(request, extra_context)
        # Bulk actions that save articles leave a revision too (reversion follows post_save here).
        with reversion.create_revision():
            reversion.set_user(request.user)
            reversion.set_comment(_("Changed from the article list."))
            return super().changelist_view(request, extra_context)

    def _add_to_revision(self, obj):
        """The revision holds the article as saved with everything `save_related` did, every
        mixin's fallbacks included (a writer's own byline): the admin logs after all of it."""
        # Fresh from the database: the admin's queryset prefetched the byline as it was before.
        reversion.add_to_revision(self.model._default_manager.get(pk=obj.pk))

    def log_addition(self, request, obj, message):
        entry = super().log_addition(request, obj, message)
        if reversion.is_active():
            self._add_to_revision(obj)
            reversion.set_comment(entry.get_change_message() or _("Added."))
        return entry

    def log_change(self, request, obj, message):
        entry = super().log_change(request, obj, message)
        if reversion.is_active():
            self._add_to_revision(obj)
            reversion.set_comment(entry.get_change_message() or _("No fields changed."))
        return entry

    def history_view(self, request, object_id, extra_context=None):
        article = self.get_object(request, unquote(object_id))
        versions = list(history.versions_of(article)) if article else []
        context = {
            "versions": versions,
            "can_restore": bool(article) and self.has_change_permission(request, article),
            **(extra_context or {}),
        }
        return super().history_view(request, object_id, context)

    def _article_for_history(self, request, object_id):
        article = self.get_object(request, unquote(object_id))
        if article is None:
            raise Http404(_("No article with that id."))
        if not self.has_change_permission(request, article):
            raise PermissionDenied
        return article

    def _version(self, article, version_id):
        try:
            return history.versions_of(article).get(pk=version_id)
        except (history.Version.DoesNotExist, ValueError, TypeError):
            raise Http404(_("This article has no such revision.")) from None

    def history_compare_view(self, request, object_id):
        article = self._article_for_history(request, object_id)
        old = self._version(article, request.GET.get("old"))
        new = self._version(article, request.GET.get("new"))
        if old.pk > new.pk:  # always older on the left, whichever radio was which
            old, new = new, old
        return self._render_compare(
            request,
            article,
            history.snapshot(old),
            history.snapshot(new),
            title=_("Changes to “%(title)s”") % {"title": article.title},
            labels=(saved_by(old), saved_by(new)),
        )

    def history_restore_view(self, request, object_id, version_id):
        article = self._article_for_history(request, object_id)
        version = self._version(article, version_id)
        if request.method == "POST":
            if str(article.edit_version) != request.POST.get("opened_version"):
                # Someone saved since this page showed "Now": restoring would overwrite that unseen.
                messages.error(request, stale_edit_message(article, _opened(request)))
                return HttpResponseRedirect(request.path)
            restored = history.restore(article, version, request.user)
            when = saved_at(version)
            self.log_change(request, restored.article, _("Restored revision from %(when)s") % {"when": when})
            messages.success(request, _("The article is back as it was at %(when)s.") % {"when": when})
            if restored.missing_authors:
                messages.warning(
                    request, _("Some authors of that revision were deleted since; the byline leaves them out.")
                )
            if restored.left_out_tags:
                messages.warning(
                    request,
                    _(
                        "That revision's tags %(names)s were deleted since, and only editors make tags: the article goes without them."
                    )
                    % {"names": ", ".join(f"“{n}”" for n in restored.left_out_tags)},
                )
            if restored.kept_category:
                messages.warning(
                    request, _("That revision's section was deleted since; the article keeps its current one.")
                )
            if restored.kept_lead_image:
                messages.warning(
                    request,
                    _("That revision's lead image has no alt text; the live story keeps its current lead image."),
                )
            if restored.kept_slug:
                messages.warning(
                    request, _("Another article has that revision's slug now; the article keeps its current one.")
                )
            return HttpResponseRedirect(reverse("admin:articles_article_change", args=[article.pk]))
        when = saved_at(version)
        return self._render_compare(
            request,
            article,
            history.current_snapshot(article),
            history.restored_snapshot(article, version),
            title=_("Restore “%(title)s” as it was at %(when)s?") % {"title": article.title, "when": when},
            labels=(_("Now"), _("After restoring (as saved %(when)s)") % {"when": when}),
            restore_version=version,
        )

    def _render_compare(self, request, article, old, new, title, labels, restore_version=None):
        opts = self.model._meta
        context = {
            **self.admin_site.each_context(request),
            "opts": opts,
            "object": article,
            "title": title,
            "old": old,
            "new": new,
            "changes": history.compare(old, new),
            "old_label": labels[0],
            "new_label": labels[1],
            "restore_version": restore_version,
        }
        request.current_app = self.admin_site.name
        return TemplateResponse(request, self.compare_template, context)
