import datetime as dt

from django.contrib import admin
from django.core.exceptions import PermissionDenied
from django.db import models
from django.db.models import Count, Prefetch
from django.http import JsonResponse
from django.urls import path
from django.utils import formats, timezone
from django.utils.html import format_html, format_html_join
from django.utils.translation import gettext_lazy, pgettext
from reversion.admin import VersionAdmin
from taggit.models import Tag as TaggitTag

from .. import bylines, permissions, renditions, translations
from ..after_write import deleting_as
from ..models import Article, Author, Banner, Byline, Category, Correction, OldAddress, Tag
from ..text import plain_text
from .bulk_actions import BulkActionsMixin
from .changelist import ArticleChangeList
from .delete_refusals import ExplainedProtectedDeleteMixin, author_blockers, category_blockers
from .filters import (
    AuthorListFilter,
    CategoryTreeListFilter,
    ImageAltListFilter,
    LanguageListFilter,
    StateListFilter,
    TagListFilter,
)
from .forms import ArticleAdminForm, version_label
from .history_views import ArticleHistoryAdmin
from .live import LiveCoverageActionsMixin
from .tag_merge import merge_selected_tags
from .widgets import ImagePreviewInput
from .workflow_actions import WorkflowAdminMixin


class OldAddressInline(admin.TabularInline):
    model = OldAddress
    extra = 0
    fields = ["path", "created_at"]
    readonly_fields = ["created_at"]
    verbose_name_plural = "Old addresses (answer 301 to this article)"


class BylineInline(admin.TabularInline):
    """The byline in order, each entry with its role: the known roles are offered as
    suggestions (one datalist for every row, added ones included); any text is a role."""

    model = Byline
    extra = 1
    autocomplete_fields = ["author"]
    fields = ["author", "role", "position"]
    verbose_name = "byline author"
    verbose_name_plural = "Byline (in order)"
    template = "admin/articles/article/byline_inline.html"
    role_list_id = "byline-roles"

    def formfield_for_dbfield(self, db_field, request, **kwargs):
        field = super().formfield_for_dbfield(db_field, request, **kwargs)
        if db_field.name == "role":
            field.widget.attrs.update(list=self.role_list_id, autocomplete="off")
        return field

    def role_suggestions(self):
        """(stored value, label in the editor's language) of each known role."""
        return list(bylines.ROLES.items())


class CorrectionInline(admin.StackedInline):
    """A story's corrections, clarifications and editor's notes, as they read now. Editors add
    and amend them (`permissions.can_correct`, checked again on save); an amendment is a new
    dated version and the earlier text stays in the record below it; none is ever deleted."""

    model = Correction
    extra = 0
    can_delete = False
    fields = ["kind", "text", "dated", "record"]
    readonly_fields = ["dated", "record"]
    verbose_name = gettext_lazy("correction, clarification or editor’s note")
    verbose_name_plural = gettext_lazy("Corrections, clarifications and editor’s notes")

    def get_queryset(self, request):
        return super().get_queryset(request).current()

    def has_view_permission(self, request, obj=None):
        return permissions.can_write(request.user)

    def has_add_permission(self, request, obj=None):
        return permissions.can_correct(request.user)

    def has_change_permission(self, request, obj=None):
        return permissions.can_correct(request.user)

    def has_delete_permission(self, request, obj=None):
        return False

    @admin.display(description=gettext_lazy("time"))
    def dated(self, correction):
        if not correction.pk:
            return gettext_lazy("Dated when saved; saving it marks the story updated.")
        when = formats.localize(timezone.localtime(correction.published_at))
        if correction.amended_at:
            amended = formats.localize(timezone.localtime(correction.amended_at))
            return f"{when} ({pgettext('a correction’s text changed', 'amended')} {amended})"
        return when

    @admin.display(description=gettext_lazy("earlier versions"))
    def record(self, correction):
        versions = correction.history() if correction.pk else []
        if not versions:
            return "—"
        return format_html_join(
            "",
            "<p><strong>{}</strong>, {}: {}</p>",
            ((v.get_kind_display(), formats.localize(timezone.localtime(v.created_at)), v.text) for v in versions),
        )


@admin.register(Article)
class ArticleAdmin(
    WorkflowAdminMixin, BulkActionsMixin, LiveCoverageActionsMixin, ArticleHistoryAdmin, admin.ModelAdmin
):
    form = ArticleAdminForm
    actions = [*BulkActionsMixin.actions, *LiveCoverageActionsMixin.live_actions]
    formfield_overrides = {
        models.URLField: {"assume_scheme": "https"},
        models.ImageField: {"widget": ImagePreviewInput},
    }
    inlines = [BylineInline, CorrectionInline, OldAddressInline]
    list_display = ["title", "state", "byline_names", "category_path", "published_at", "thumbnail"]
    list_filter = [
        StateListFilter,
        CategoryTreeListFilter,
        AuthorListFilter,
        TagListFilter,
        "featured",
        LanguageListFilter,
        ImageAltListFilter,
    ]
    list_select_related = ["category"]
    list_per_page = 50
    show_full_result_count = False  # one COUNT per page, not two
    search_fields = ["title", "standfirst", "body_source", "bylines__author__name"]  # as get_search_results reads them
    date_hierarchy = "published_at"
    prepopulated_fields = {"slug": ["title"]}
    autocomplete_fields = ["category"]
    readonly_fields = [
        "rendered_preview",
        "focus_picker",
        "source_key",
        "source_path",
        "imported_at",
        "created_at",
        "updated_at",
    ]
    fieldsets = [
        (
            None,
            {"fields": ["title", "slug", "standfirst", "body_source", "body_format", "rendered_preview", "minor_edit"]},
        ),
        (
            "Publishing",
            {"fields": ["status", "published_at", "featured", "category", "tags", "language", "translations"]},
        ),
        (
            "Lead image",
            {
                "fields": [
                    "lead_image",
                    "lead_image_url",
                    "lead_image_alt",
                    "lead_image_decorative",
                    "lead_image_caption",
                    "lead_image_credit",
                    "lead_image_copyright",
                    "lead_image_license_url",
                    "lead_image_acquire_license_url",
                    ("lead_image_focus_x", "lead_image_focus_y"),
                    "focus_picker",
                ]
            },
        ),
        (
            "Provenance",
            {
                "classes": ["collapse"],
                "fields": ["source_key", "source_path", "imported_at", "extra", "created_at", "updated_at"],
            },
        ),
    ]

    class Media:
        css = {"all": ["css/admin-media.css"]}
        js = ["js/admin-focal-point.js"]

    def get_queryset(self, request):
        return (
            super()
            .get_queryset(request)
            .prefetch_related(Prefetch("bylines", queryset=Byline.objects.select_related("author")))
            .defer("body", "body_source")
        )

    def get_changelist(self, request, **kwargs):
        return ArticleChangeList

    def save_model(self, request, obj, form, change):
        """A change to what readers read, on a live story, is an update they are told of ("Updated",
        dateModified), unless the editor marked it a minor edit."""
        if change and not form.cleaned_data.get("minor_edit") and set(form.changed_data) & set(Article.CONTENT_FIELDS):
            obj.mark_updated()
        linking = getattr(form, "linking", None)
        if linking is not None:
            obj.translation_key = linking.key
        super().save_model(request, obj, form, change)
        if linking is not None:
            translations.link(obj, linking)  # the other versions, once this one is saved

    def save_formset(self, request, form, formset, change):
        if formset.model is not Correction:
            return super().save_formset(request, form, formset, change)
        written = [f for f in formset.forms if f.has_changed()]
        if written and not permissions.can_correct(request.user):  # whatever the form let through
            raise PermissionDenied
        # What the admin's change message reads, as formset.save() would have set them.
        formset.new_objects, formset.changed_objects, formset.deleted_objects = [], [], []
        for correction_form in written:
            kind, text = correction_form.cleaned_data["kind"], correction_form.cleaned_data["text"]
            if correction_form.instance.pk is None:
                made = Correction.objects.create(article=form.instance, kind=kind, text=text, created_by=request.user)
                formset.new_objects.append(made)
            else:  # never written over: a new version in its place
                amended = Correction.objects.get(pk=correction_form.instance.pk).amend(text, kind, by=request.user)
                formset.changed_objects.append((amended, correction_form.changed_data))

    def delete_model(self, request, obj):
        with deleting_as(request.user):  # an imported article stays deleted, recorded as theirs
            super().delete_model(request, obj)

    def delete_queryset(self, request, queryset):
        with deleting_as(request.user):
            super().delete_queryset(request, queryset)

    def get_urls(self):
        return [
            path(
                "tag-autocomplete/",
                self.admin_site.admin_view(self.tag_autocomplete),
                name="articles_article_tag_autocomplete",
            ),
            path(
                "translation-autocomplete/",
                self.admin_site.admin_view(self.translation_autocomplete),
                name="articles_article_translation_autocomplete",
            ),
            *super().get_urls(),
        ]

    def translation_autocomplete(self, request):
        """Articles to link as translations, by title: those the editor may see, newest first."""
        if not (self.has_add_permission(request) or self.has_change_permission(request)):
            raise PermissionDenied
        found = (
            Article.objects.visible_to(request.user)
            .exclude(status=Article.Status.RETRACTED)
            .filter(title__icontains=request.GET.get("term", ""))
            .only("title", "language")
            .order_by("-published_at", "-pk")[:20]
        )
        results = [{"id": a.pk, "text": version_label(a)} for a in found]
        return JsonResponse({"results": results, "pagination": {"more": False}})

    def tag_autocomplete(self, request):
        if not (self.has_add_permission(request) or self.has_change_permission(request)):
            raise PermissionDenied
        tags = Tag.objects.filter(name__icontains=request.GET.get("term", "")).order_by("name")[:20]
        return JsonResponse({"results": [{"id": t.name, "text": t.name} for t in tags], "pagination": {"more": False}})

    @admin.display(description="state", ordering="status")
    def state(self, article):
        return article.state_label

    @admin.display(description="byline")
    def byline_names(self, article):
        return ", ".join(
            author.name if bylines.is_author(author) else f"{author.name} ({bylines.role_label(author.role)})"
            for author in article.byline
        )

    @admin.display(description=gettext_lazy("section"), ordering="category__path")
    def category_path(self, article):
        return article.category.full_name if article.category else "—"

    @admin.display(description=gettext_lazy("image"))
    def thumbnail(self, article):
        src = article.lead_image_src
        if not src:
            return "—"
        return format_html('<img src="{}" width="60" alt="" loading="lazy" referrerpolicy="no-referrer">', src)

    @admin.display(description=gettext_lazy("focal point"))
    def focus_picker(self, article):
        """The stored lead image, to click where its subject is (static/js/admin-focal-point.js
        fills in the two numbers above; without script, type them)."""
        if not article.lead_image:
            return gettext_lazy("Upload a lead image and save to set its focal point.")
        src = renditions.picture(article.lead_renditions) or {"src": article.lead_image.url}
        return format_html(
            '<div class="focus-picker" data-focus-picker data-x="{}" data-y="{}">'
            '<img src="{}" alt="{}"><span class="focus-picker__mark" aria-hidden="true"></span></div>',
            article.lead_image_focus_x,
            article.lead_image_focus_y,
            src["src"],
            gettext_lazy("The lead image: click its subject to set the focal point"),
        )

    @admin.display(description="as readers will see it")
    def rendered_preview(self, article):
        text = plain_text(article.body)
        return text[:300] + ("…" if len(text) > 300 else "") if text else "—"


@admin.register(Author)
class AuthorAdmin(ExplainedProtectedDeleteMixin, VersionAdmin):
    formfield_overrides = {
        models.URLField: {"assume_scheme": "https"},
        models.ImageField: {"widget": ImagePreviewInput},
    }
    list_display = ["name", "slug", "user", "article_count", "public_page"]
    list_filter = [("user", admin.EmptyFieldListFilter)]
    search_fields = ["name", "email"]
    prepopulated_fields = {"slug": ["name"]}
    autocomplete_fields = ["user"]

    def get_queryset(self, request):
        return (
            super()
            .get_queryset(request)
            .select_related("user")
            .annotate(article_count=Count("bylines"))
            .order_by("name")
        )

    @admin.display(description="articles", ordering="article_count")
    def article_count(self, author):
        return author.article_count

    @admin.display(description="public page")
    def public_page(self, author):
        return format_html('<a href="{}">view</a>', author.get_absolute_url())

    def deletion_blockers(self, author):
        return author_blockers(author)


@admin.register(Category)
class CategoryAdmin(ExplainedProtectedDeleteMixin, VersionAdmin):
    # The header's sections are chosen and ordered right in the list: a tick and a number per
    # section, one Save, all by keyboard.
    list_display = ["tree_name", "in_navigation", "navigation_order", "article_count", "slug", "path"]
    list_editable = ["in_navigation", "navigation_order"]
    list_filter = ["in_navigation", ("parent", admin.RelatedOnlyFieldListFilter)]
    search_fields = ["name", "full_name"]
    prepopulated_fields = {"slug": ["name"]}
    autocomplete_fields = ["parent"]
    fields = ["name", "slug", "parent", "description", "in_navigation", "navigation_order"]

    def get_queryset(self, request):
        return super().get_queryset(request).annotate(article_count=Count("articles")).order_by("path")

    @admin.display(description=gettext_lazy("section"), ordering="path")
    def tree_name(self, category):
        """Indented by depth, so the list reads as the tree; the full name is in the tooltip."""
        depth = category.path.count("/")
        return format_html(
            '<span style="padding-left:{}em" title="{}">{}</span>', 1.5 * depth, category.full_name, category.name
        )

    @admin.display(description=gettext_lazy("articles"), ordering="article_count")
    def article_count(self, category):
        return category.article_count

    def deletion_blockers(self, category):
        return category_blockers(category)


admin.site.unregister(TaggitTag)  # Newsroom's own Tag (unicode-safe slugs) replaces taggit's


@admin.register(Tag)
class TagAdmin(VersionAdmin):
    list_display = ["name", "slug", "article_count"]
    actions = [merge_selected_tags]
    search_fields = ["name"]
    prepopulated_fields = {"slug": ["name"]}

    def get_queryset(self, request):
        return super().get_queryset(request).annotate(article_count=Count("tagged_articles")).order_by("name")

    @admin.display(description="articles", ordering="article_count")
    def article_count(self, tag):
        return tag.article_count


BANNER_HOURS = dt.timedelta(hours=2)  # a new banner's expiry unless the editor says otherwise


@admin.register(Banner)
class BannerAdmin(admin.ModelAdmin):
    """Editors (and superusers) set the breaking-news banner; writers hold no banner
    permission, so the admin refuses them every view of it (`permissions`)."""

    list_display = ["text", "link", "expires_at", "is_current", "created_by"]
    fields = ["text", "link", "expires_at"]
    date_hierarchy = "expires_at"

    def get_changeform_initial_data(self, request):
        return {"expires_at": timezone.now() + BANNER_HOURS, **super().get_changeform_initial_data(request)}

    def save_model(self, request, obj, form, change):
        if not change:
            obj.created_by = request.user
        super().save_model(request, obj, form, change)
