"""The article admin's roles and workflow buttons (submit, send back, publish, schedule,
unpublish, and retract with its confirmation page), and its search.

`ArticleAdmin` mixes `WorkflowAdminMixin` in; the rules themselves live in `permissions` and
`workflow`. Everything is enforced here on the server — hiding a button is only a courtesy."""

from django.contrib import messages
from django.contrib.admin.utils import unquote
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.db.models import Q
from django.http import Http404, HttpResponseRedirect
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils.decorators import method_decorator
from django.utils.text import smart_split, unescape_string_literal
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from .. import permissions, search, workflow
from ..models import Article, Author, Byline
from .forms import RetractForm, ScheduleForm, SendBackForm


class WorkflowAdminMixin:
    """Role rules and workflow views for `ArticleAdmin`."""

    change_form_template = "admin/articles/article/change_form.html"
    workflow_readonly_fields = ["status", "published_at", "featured"]  # writers cannot publish by form
    # A retracted story's state and address stay as the retraction left them, whoever edits it.
    retracted_readonly_fields = ["status", "published_at", "slug"]

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

    def get_form(self, request, obj=None, **kwargs):
        form = super().get_form(request, obj, **kwargs)
        form.may_create_tags = permissions.can_create_tags(request.user)  # checked again in clean_tags
        form.user = request.user  # the translations it links must be theirs to change (`clean`)
        return form

    def get_readonly_fields(self, request, obj=None):
        fields = list(super().get_readonly_fields(request, obj))
        if not permissions.can_publish(request.user):
            fields += [f for f in self.workflow_readonly_fields if f not in fields]
        if obj is not None and obj.is_retracted:
            fields += [f for f in self.retracted_readonly_fields if f not in fields]
        return fields

    def get_prepopulated_fields(self, request, obj=None):
        if obj is not None and obj.is_retracted:
            return {}  # its slug is read-only: nothing to fill in
        return super().get_prepopulated_fields(request, obj)

    def save_model(self, request, obj, form, change):
        if not change:
            obj.created_by = request.user
        elif "published_at" in form.initial and "published_at" not in form.changed_data:
            # The form shows whole seconds; saving what it showed must not move the first publication time.
            obj.published_at = form.initial["published_at"]
        if not permissions.can_change(request.user, obj):  # whatever the form let through
            raise PermissionDenied
        was_retracted = change and Article.objects.retracted().filter(pk=obj.pk).exists()
        if was_retracted != obj.is_retracted:  # only `workflow.retract` retracts, and nothing un-retracts
            raise PermissionDenied
        super().save_model(request, obj, form, change)

    def get_formset_kwargs(self, request, obj, inline, prefix):
        """A new article's byline starts with the user's own Author (shown, not yet saved)."""
        kwargs = super().get_formset_kwargs(request, obj, inline, prefix)
        if inline.model is Byline and obj.pk is None and request.method == "GET":
            author = Author.objects.of_user(request.user)
            if author:
                kwargs["initial"] = [{"author": author.pk, "position": 0}]
        return kwargs

    def save_related(self, request, form, formsets, change):
        super().save_related(request, form, formsets, change)
        article = form.instance
        if not change and not article.bylines.exists():  # nobody named: the byline is the user's
            author = Author.objects.of_user(request.user)
            if author:
                Byline.objects.create(article=article, author=author, position=0)

    # --- the change form's workflow buttons ------------------------------------------------

    def render_change_form(self, request, context, add=False, change=False, form_url="", obj=None):
        if obj is not None and obj.pk:
            # As stored: a form that failed validation has already put its values on `obj`.
            checked = ("title", "body", "lead_image", "lead_image_url", "lead_image_alt", "lead_image_decorative")
            stored = Article.objects.only("slug", "published_at", "created_at", *checked).get(pk=obj.pk)
            context.update(
                preview_url=stored.get_absolute_url(),
                workflow_actions=workflow.allowed_actions(request.user, obj),
                schedule_form=ScheduleForm(),
                send_back_form=SendBackForm(),
                prepublish_warnings=[]
                if stored.is_retracted
                else stored.prepublish_warnings(),  # never again published
            )
        return super().render_change_form(request, context, add, change, form_url, obj)

    def get_urls(self):
        return [
            path(
                "<path:object_id>/workflow/<slug:action>/",
                self.admin_site.admin_view(self.workflow_view),
                name="articles_article_workflow",
            ),
            path(  # after workflow/: a path converter would take "1/workflow" for an id
                "<path:object_id>/retract/",
                self.admin_site.admin_view(self.retract_view),
                name="articles_article_retract",
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

    def retract_view(self, request, object_id):
        """The retraction's confirmation page (GET), and the retraction (POST): a public act no
        edit undoes, so it is asked for on a page of its own, with what readers will get."""
        article = self.get_queryset(request).filter(pk=unquote(object_id)).first()
        if article is None:
            raise Http404
        if not permissions.can_retract(request.user):
            raise PermissionDenied
        form = RetractForm(request.POST if request.method == "POST" else None)
        if request.method == "POST" and form.is_valid():
            with transaction.atomic():
                article = Article.objects.select_for_update().get(pk=article.pk)
                try:
                    done = workflow.retract(article, request.user, form.cleaned_data["kind"], form.cleaned_data["note"])
                except workflow.WorkflowError as refusal:
                    self.message_user(request, str(refusal), messages.ERROR)
                else:
                    self.message_user(request, done, messages.SUCCESS)
            return HttpResponseRedirect(reverse("admin:articles_article_change", args=[article.pk]))
        context = {
            **self.admin_site.each_context(request),
            "opts": self.model._meta,
            "title": _("Retract “%(title)s”?") % {"title": article.title},
            "article": article,
            "form": form,
            "live": article.is_published(),
        }
        request.current_app = self.admin_site.name
        return TemplateResponse(request, "admin/articles/article/retract.html", context)
