"""The editors' admin for articles: roles, the workflow buttons, list filters and bulk actions.

`ArticleAdmin` mixes `WorkflowAdminMixin` in; the rules themselves live in `permissions` and
`workflow`. Everything is enforced here on the server — hiding a button is only a courtesy."""

from django import forms
from django.conf import settings
from django.contrib import admin, messages
from django.contrib.admin import helpers
from django.contrib.admin.utils import unquote
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.db.models import Exists, F, OuterRef, Q
from django.http import Http404, HttpResponseRedirect
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils import timezone
from django.utils.decorators import method_decorator
from django.utils.text import smart_split, unescape_string_literal
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext
from django.views.decorators.http import require_POST

from . import pagecache, permissions, search, workflow
from .models import Article, Author, Byline, Category, Tag, TaggedArticle


class StateListFilter(admin.SimpleListFilter):
    title = gettext_lazy("state")
    parameter_name = "state"

    def lookups(self, request, model_admin):
        return [
            ("draft", _("Draft")),
            ("review", _("In review")),
            ("scheduled", _("Scheduled")),
            ("live", _("Published (live)")),
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


class ScheduleForm(forms.Form):
    publish_at = forms.DateTimeField(
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M"),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # Naive input is read in the current time zone (the site's TIME_ZONE); say which.
        self.fields["publish_at"].label = _("Publication time (%(zone)s)") % {
            "zone": timezone.get_current_timezone_name()
        }

    def clean_publish_at(self):
        when = self.cleaned_data["publish_at"]
        if when <= timezone.now():
            raise forms.ValidationError(_("The publication time must be in the future."))
        return when


class SendBackForm(forms.Form):
    note = forms.CharField(
        label=gettext_lazy("Note to the writer"),
        widget=forms.Textarea(attrs={"rows": 3, "cols": 60}),
        max_length=5000,
    )


class MoveToCategoryForm(forms.Form):
    category = forms.ModelChoiceField(
        label=gettext_lazy("Section"), queryset=Category.objects.only("pk", "full_name", "name")
    )


class AddTagForm(forms.Form):
    name = forms.CharField(label=gettext_lazy("Tag"), max_length=100)

    def clean_name(self):
        return " ".join(self.cleaned_data["name"].split())


class WorkflowAdminMixin:
    """Role rules, workflow views and bulk actions for `ArticleAdmin`."""

    change_form_template = "admin/articles/article/change_form.html"
    workflow_readonly_fields = ["status", "published_at", "featured"]  # writers cannot publish by form
    actions = ["publish_selected", "unpublish_selected", "move_to_category", "add_tag"]

    def get_search_results(self, request, queryset, search_term):
        """Articles matching every word, in their text (through the site's search index, so
        100,000 bodies are not scanned) or in an author's name (a subquery, so no join repeats rows and needs a DISTINCT)."""
        words = Q()
        for word in smart_split(search_term):
            if word[0] in "\"'" and word[-1] == word[0] and len(word) > 1:
                word = unescape_string_literal(word)
            # IN, not EXISTS: the bylines are matched once, not probed for every article.
            by_author = Q(pk__in=Byline.objects.filter(author__name__icontains=word).values("article_id"))
            in_text = search.matches(word)  # a set probed while walking the list's order
            words &= by_author if in_text is None else Q(in_text) | by_author
        return queryset.filter(words), False

    # --- roles -----------------------------------------------------------------------------

    def get_queryset(self, request):
        """Editors see every article; writers see what is published and their own."""
        return super().get_queryset(request).visible_to(request.user)

    def has_change_permission(self, request, obj=None):
        allowed = super().has_change_permission(request, obj)
        return allowed and (obj is None or permissions.can_change(request.user, obj))

    def has_publish_permission(self, request):
        return permissions.can_publish(request.user)

    def get_readonly_fields(self, request, obj=None):
        fields = list(super().get_readonly_fields(request, obj))
        if not permissions.can_publish(request.user):
            fields += [f for f in self.workflow_readonly_fields if f not in fields]
        return fields

    def save_model(self, request, obj, form, change):
        if not change:
            obj.created_by = request.user
        elif "published_at" in form.initial and "published_at" not in form.changed_data:
            # The form shows whole seconds; saving what it showed must not move the first publication time.
            obj.published_at = form.initial["published_at"]
        if not permissions.can_change(request.user, obj):  # whatever the form let through
            raise PermissionDenied
        super().save_model(request, obj, form, change)

    def get_formset_kwargs(self, request, obj, inline, prefix):
        """A new article's byline starts with the user's own Author (shown, not yet saved)."""
        kwargs = super().get_formset_kwargs(request, obj, inline, prefix)
        if inline.model is Byline and obj.pk is None and request.method == "GET":
            author = Author.objects.filter(user=request.user).only("pk").first()
            if author:
                kwargs["initial"] = [{"author": author.pk, "position": 0}]
        return kwargs

    def save_related(self, request, form, formsets, change):
        super().save_related(request, form, formsets, change)
        article = form.instance
        if not change and not article.bylines.exists():  # nobody named: the byline is the user's
            author = Author.objects.filter(user=request.user).first()
            if author:
                Byline.objects.create(article=article, author=author, position=0)

    # --- the change form's workflow buttons ------------------------------------------------

    def render_change_form(self, request, context, add=False, change=False, form_url="", obj=None):
        if obj is not None and obj.pk:
            # As stored: a form that failed validation has already put its values on `obj`.
            stored = Article.objects.only("slug", "published_at", "created_at").get(pk=obj.pk)
            context.update(
                preview_url=stored.get_absolute_url(),
                workflow_actions=workflow.allowed_actions(request.user, obj),
                schedule_form=ScheduleForm(),
                send_back_form=SendBackForm(),
            )
        return super().render_change_form(request, context, add, change, form_url, obj)

    def get_urls(self):
        return [
            path(
                "<path:object_id>/workflow/<slug:action>/",
                self.admin_site.admin_view(self.workflow_view),
                name="articles_article_workflow",
            ),
            *super().get_urls(),
        ]

    @method_decorator(require_POST)
    @method_decorator(transaction.atomic)
    def workflow_view(self, request, object_id, action):
        """One workflow step on one article (POST only; admin_view adds CSRF and staff checks)."""
        article = (
            self.get_queryset(request).defer(None).select_for_update(of=("self",)).filter(pk=unquote(object_id)).first()
        )
        if article is None:
            raise Http404
        try:
            match action:
                case "submit":
                    done = workflow.submit_for_review(article, request.user)
                case "send_back":
                    form = SendBackForm(request.POST)
                    note = form.cleaned_data["note"] if form.is_valid() else ""
                    done = workflow.send_back(article, request.user, note)
                case "publish":
                    done = workflow.publish_now(article, request.user)
                case "schedule":
                    form = ScheduleForm(request.POST)
                    if not permissions.can_publish(request.user):
                        raise PermissionDenied
                    if not form.is_valid():
                        raise workflow.WorkflowError(" ".join(form.errors["publish_at"]))
                    done = workflow.schedule(article, request.user, form.cleaned_data["publish_at"])
                case "unpublish":
                    done = workflow.unpublish(article, request.user)
                case _:
                    raise Http404
        except workflow.WorkflowError as refusal:
            self.message_user(request, str(refusal), messages.ERROR)
        else:
            self.message_user(request, done, messages.SUCCESS)
        return HttpResponseRedirect(reverse("admin:articles_article_change", args=[article.pk]))

    # --- bulk actions (editors only: allowed_permissions) ----------------------------------

    @admin.action(description=gettext_lazy("Publish selected articles now"), permissions=["publish"])
    def publish_selected(self, request, queryset):
        self._apply_step(request, queryset, workflow.publish_now, _("published"))

    @admin.action(description=gettext_lazy("Unpublish selected articles"), permissions=["publish"])
    def unpublish_selected(self, request, queryset):
        self._apply_step(request, queryset, workflow.unpublish, _("unpublished"))

    def _apply_step(self, request, queryset, step, verb):
        done = skipped = 0
        with transaction.atomic():
            for article in queryset.defer(None).prefetch_related(None).select_for_update(of=("self",)):
                try:
                    step(article, request.user)
                except workflow.WorkflowError:
                    skipped += 1
                else:
                    done += 1
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
        with transaction.atomic():
            # edit_version too: a form opened before this must not save the old section back.
            moved = queryset.update(category=category, updated_at=timezone.now(), edit_version=F("edit_version") + 1)
            pagecache.invalidate_on_commit()  # update() sends no signals
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
        with transaction.atomic():
            tag, _created = Tag.objects.get_or_create(name=name)
            untagged = list(queryset.exclude(tagged_items__tag=tag).values_list("pk", flat=True))
            TaggedArticle.objects.bulk_create(TaggedArticle(content_object_id=pk, tag=tag) for pk in untagged)
            Article.objects.filter(pk__in=untagged).update(
                updated_at=timezone.now(), edit_version=F("edit_version") + 1
            )
            pagecache.invalidate_on_commit()  # bulk writes send no signals
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
