"""Live coverage in the admin (issue 14): editors start and end a story's coverage (actions on
the article list) and post, edit, approve and pin its entries on a page of their own; writers
post drafts for an editor to approve, and change only their own drafts (`permissions`). The
checks are here, server-side: a writer's forged POST publishes nothing."""

from django.contrib import admin, messages
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy, ngettext

from .. import permissions
from ..after_write import after_write
from ..models import Article, LiveEntry


class LiveCoverageActionsMixin:
    """ "Start live coverage" and "End live coverage" on the article list, for editors."""

    live_actions = ["start_live_coverage", "end_live_coverage"]

    @admin.action(description=gettext_lazy("Start live coverage of selected articles"), permissions=["publish"])
    def start_live_coverage(self, request, queryset):
        self._set_coverage(request, queryset.filter(coverage_start__isnull=True), coverage_start=timezone.now())

    @admin.action(description=gettext_lazy("End live coverage of selected articles"), permissions=["publish"])
    def end_live_coverage(self, request, queryset):
        """Freezes the page: readers' pages stop polling, the JSON-LD gains its end time."""
        live = queryset.filter(coverage_start__isnull=False, coverage_end__isnull=True)
        self._set_coverage(request, live, coverage_end=timezone.now())

    def _set_coverage(self, request, queryset, **times):
        with transaction.atomic():
            ids = list(queryset.values_list("pk", flat=True))
            Article.objects.filter(pk__in=ids).update(**times)
            after_write(ids, before=None, text_changed=False)  # their pages and endpoints, now and at the edge
        self.message_user(
            request,
            ngettext("%(count)d article changed.", "%(count)d articles changed.", len(ids)) % {"count": len(ids)},
            messages.SUCCESS if ids else messages.WARNING,
        )


@admin.register(LiveEntry)
class LiveEntryAdmin(admin.ModelAdmin):
    list_display = ["__str__", "article", "status", "posted_at", "pinned", "key_event", "author"]
    list_filter = ["status", "pinned", "key_event"]
    list_select_related = ["article", "author"]
    search_fields = ["body_source", "article__title"]
    fields = [
        "article",
        "body_source",
        "quote",
        "quote_source",
        "image",
        "image_alt",
        "author",
        "pinned",
        "key_event",
        "status",
    ]
    actions = ["approve_selected", "pin_selected", "unpin_selected"]
    date_hierarchy = "posted_at"

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        if db_field.name == "article":  # only stories covered live now take entries
            kwargs["queryset"] = Article.objects.filter(coverage_start__isnull=False, coverage_end__isnull=True)
        return super().formfield_for_foreignkey(db_field, request, **kwargs)

    def get_readonly_fields(self, request, obj=None):
        if permissions.can_publish(request.user):
            return ["article"] if obj else []
        return ["pinned", "key_event", "status", *(["article"] if obj else [])]

    def has_change_permission(self, request, obj=None):
        if not super().has_change_permission(request, obj):
            return False
        if obj is None or permissions.can_publish(request.user):
            return True
        return obj.status == LiveEntry.Status.DRAFT and obj.created_by_id == request.user.pk

    def has_delete_permission(self, request, obj=None):
        return super().has_delete_permission(request, obj) and permissions.can_publish(request.user)

    def has_publish_permission(self, request):
        return permissions.can_publish(request.user)

    def save_model(self, request, obj, form, change):
        if not change:
            obj.created_by = request.user
        if not permissions.can_publish(request.user):
            obj.status = LiveEntry.Status.DRAFT  # a writer's entry waits for an editor
        super().save_model(request, obj, form, change)

    @admin.action(description=gettext_lazy("Approve selected drafts"), permissions=["publish"])
    def approve_selected(self, request, queryset):
        self._each(request, queryset.filter(status=LiveEntry.Status.DRAFT), status=LiveEntry.Status.PUBLISHED)

    @admin.action(description=gettext_lazy("Pin selected entries"), permissions=["publish"])
    def pin_selected(self, request, queryset):
        self._each(request, queryset, pinned=True)

    @admin.action(description=gettext_lazy("Unpin selected entries"), permissions=["publish"])
    def unpin_selected(self, request, queryset):
        self._each(request, queryset, pinned=False)

    def _each(self, request, queryset, **values):
        """One save per entry (not an update): each renews its story's pages and is announced."""
        with transaction.atomic():
            entries = list(queryset.select_related(None).select_for_update())
            for entry in entries:
                for name, value in values.items():
                    setattr(entry, name, value)
                entry.save()
        count = len(entries)
        self.message_user(
            request,
            ngettext("%(count)d entry changed.", "%(count)d entries changed.", count) % {"count": count},
            messages.SUCCESS if count else messages.WARNING,
        )
