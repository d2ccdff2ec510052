"""The editors' forms: the article form (tags by name, the body editor, edit-version locking)
and the small forms of the workflow buttons and bulk actions."""

from types import SimpleNamespace

from django import forms
from django.conf import settings
from django.contrib import admin
from django.contrib.admin.widgets import AutocompleteSelectMultiple
from django.template.defaultfilters import filesizeformat
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from .. import permissions, translations
from ..languages import language_choices, language_tag
from ..models import Article, Category, Retraction, Tag
from .locking import EditVersionFormMixin
from .widgets import BodyEditor


class TagAutocomplete(AutocompleteSelectMultiple):
    """Django's admin autocomplete, keyed by tag *name* so editors can also type new tags."""

    def __init__(self, admin_site):
        super().__init__(
            Article._meta.get_field("tags"),
            admin_site,
            attrs={"data-tags": "true", "data-token-separators": '[","]', "data-placeholder": "Add tags"},
        )

    def get_url(self):
        return reverse("admin:articles_article_tag_autocomplete")

    def optgroups(self, name, value, attrs=None):
        names = [v for v in value if v]
        return [(None, [self.create_option(name, n, n, True, i) for i, n in enumerate(names)], 0)]


class TranslationAutocomplete(AutocompleteSelectMultiple):
    """Django's admin autocomplete over articles, searched by title (`ArticleAdmin.translation_autocomplete`)."""

    def __init__(self, admin_site):
        super().__init__(SimpleNamespace(model=Article, name="translations"), admin_site)

    def get_url(self):
        return reverse("admin:articles_article_translation_autocomplete")

    def optgroups(self, name, value, attrs=None):
        ids = [v for v in value if str(v).isdigit()]
        chosen = Article.objects.filter(pk__in=ids).only("title", "language")
        return [(None, [self.create_option(name, a.pk, version_label(a), True, i) for i, a in enumerate(chosen)], 0)]


def version_label(article) -> str:
    """How an editor finds a version: its title and its language."""
    return f"{article.title} ({language_tag(article.language)})"


class TagNamesField(forms.Field):
    def to_python(self, value):
        names = [" ".join(str(v).split()) for v in (value or [])]
        return list(dict.fromkeys(n for n in names if n))


class ArticleAdminForm(EditVersionFormMixin, forms.ModelForm):
    tags = TagNamesField(required=False, widget=TagAutocomplete(admin.site))
    minor_edit = forms.BooleanField(
        label=gettext_lazy("Minor edit"),
        required=False,
        help_text=gettext_lazy(
            "A typo or a link: readers see no “Updated” time for it, and search engines no new date."
        ),
    )
    translations = forms.ModelMultipleChoiceField(
        label=gettext_lazy("Translations"),
        queryset=Article.objects.exclude(status=Article.Status.RETRACTED).only("title", "language"),
        required=False,
        widget=TranslationAutocomplete(admin.site),
        help_text=gettext_lazy(
            "This story in other languages, one a language: readers get a language switcher and search engines "
            "the other versions' addresses. Type to search by title; remove one to unlink it."
        ),
    )
    # Set per request by the admin (`permissions.can_create_tags`): writers pick existing tags.
    may_create_tags = True
    # Set per request by the admin: who saves, for the articles a new link also changes.
    user = None
    linking = None  # what the translations field changes (`translations.plan`), once cleaned

    class Meta:
        model = Article
        fields = ["tags"]  # the rest come from ArticleAdmin.fieldsets
        focus = forms.NumberInput(attrs={"min": 0, "max": 100, "step": 1, "class": "vIntegerField"})
        widgets = {"body_source": BodyEditor, "lead_image_focus_x": focus, "lead_image_focus_y": focus}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if status := self.fields.get("status"):  # retracting is a recorded act of its own (`workflow.retract`)
            status.choices = [c for c in status.choices if c[0] != Article.Status.RETRACTED]
        if self.instance.pk and not self.is_bound:
            self.initial["tags"] = [t.name for t in self.instance.tags.all()]
        if self.instance.pk and "translations" in self.fields:  # bound too: what a post changes
            self.initial["translations"] = list(
                Article.objects.translations_of(self.instance).values_list("pk", flat=True)
            )
        if "language" in self.fields:  # a choice, not a code to type; an imported `zh_cn` stays one
            self.fields["language"] = forms.ChoiceField(
                label=gettext_lazy("Language"),
                choices=language_choices(self.instance.language),
                required=False,
                help_text=gettext_lazy(
                    "What the article is written in: its page's language for browsers (hyphenation, the voice "
                    "that reads it aloud) and search engines. An import without one takes it from the text."
                ),
            )
        if not self.may_create_tags:
            widget = self.fields["tags"].widget
            widget.attrs.pop("data-tags", None)
            widget.attrs["data-placeholder"] = _("Pick tags")

    # A change to these on a live story publishes the image anew: it must pass the same rule.
    LEAD_IMAGE_FIELDS = {"lead_image", "lead_image_url", "lead_image_alt", "lead_image_decorative"}

    def _post_clean(self):
        """Publishing from the form (status Published, now or scheduled) is refused as the
        workflow buttons refuse it (`Article.publication_refusal`), and so is a live story's
        new lead image without alt text; other edits of a story imported without one are not."""
        stored_status = self.instance.status if self.instance.pk else None
        super()._post_clean()
        article = self.instance
        if article.status != Article.Status.PUBLISHED:
            return
        if stored_status == Article.Status.PUBLISHED and not (set(self.changed_data) & self.LEAD_IMAGE_FIELDS):
            return
        if refusal := article.publication_refusal():
            self.add_error("lead_image_alt" if "lead_image_alt" in self.fields else None, refusal)

    def clean_body_source(self):
        """Refused before anything renders it: a body's cost to render and sanitise grows faster
        than its size (BODY_MAX_BYTES)."""
        body = self.cleaned_data["body_source"]
        size = len(body.encode())
        if size > settings.BODY_MAX_BYTES:
            raise forms.ValidationError(
                _("The body is %(size)s; the most an article's body may be is %(limit)s. Split it into parts.")
                % {"size": filesizeformat(size), "limit": filesizeformat(settings.BODY_MAX_BYTES)}
            )
        return body

    def clean(self):
        """Linked translations: one version a language, and only versions the editor may change
        (linking writes the key on each of them), whatever a forged request posts."""
        cleaned = super().clean()
        if "translations" not in self.fields or "translations" not in cleaned:
            return cleaned
        if not ({"translations", "language"} & set(self.changed_data)):
            return cleaned
        article = self.instance
        linking = translations.plan(article, list(cleaned["translations"]))
        itself = SimpleNamespace(title=cleaned.get("title", article.title), language=cleaned.get("language", ""))
        if clash := translations.language_clash([itself, *linking.group[1:]]):
            self.add_error("translations", clash)
            return cleaned
        changed = Article.objects.filter(pk__in=linking.joining | linking.leaving)
        if self.user is not None:
            if refused := [a for a in changed if not permissions.can_change(self.user, a)]:
                self.add_error(
                    "translations",
                    _("You may not change “%(title)s”, and linking or unlinking a translation changes it too.")
                    % {"title": refused[0].title},
                )
                return cleaned
        self.linking = linking
        return cleaned

    def clean_tags(self):
        """Whatever the widget allowed, a new name from someone who may not make tags is refused
        (tags match case-insensitively, as taggit saves them)."""
        names = self.cleaned_data["tags"]
        if self.may_create_tags:
            return names
        new = Tag.objects.new_names(names)
        if new:
            raise forms.ValidationError(
                _("Only editors can make new tags: pick existing ones instead of %(names)s.")
                % {"names": ", ".join(f"“{n}”" for n in new)}
            )
        return names


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


class RetractForm(forms.Form):
    kind = forms.ChoiceField(
        label=gettext_lazy("What readers get at its addresses"),
        choices=Retraction.Kind.choices,
        initial=Retraction.Kind.RETRACTION,
        widget=forms.RadioSelect,
    )
    note = forms.CharField(
        label=gettext_lazy("Note to readers"),
        help_text=gettext_lazy("Shown at the story's address with its headline and date. Not shown for a takedown."),
        widget=forms.Textarea(attrs={"rows": 4, "cols": 60}),
        max_length=5000,
        required=False,
    )

    def clean(self):
        cleaned = super().clean()
        if cleaned.get("kind") == Retraction.Kind.RETRACTION and not cleaned.get("note", "").strip():
            self.add_error("note", _("Tell readers why the story was retracted: the note is required."))
        return cleaned


class MoveToCategoryForm(forms.Form):
    category = forms.ModelChoiceField(
        label=gettext_lazy("Section"), queryset=Category.objects.only("pk", "full_name", "name")
    )


class AddTagForm(forms.Form):
    name = forms.CharField(label=gettext_lazy("Tag"), max_length=100)

    def clean_name(self):
        return " ".join(self.cleaned_data["name"].split())
