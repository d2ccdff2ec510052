"""Optimistic locking: no editor silently overwrites another. The change form carries the
`edit_version` it was opened at; a save (or a restore) from an older one is refused with who
changed the article, when, and a link to compare."""

import json
from urllib.parse import urlencode

from django import forms
from django.core.exceptions import ValidationError
from django.db import transaction
from django.urls import reverse
from django.utils import formats, timezone
from django.utils.html import format_html
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from .. import history
from ..models import Article


class EditVersionFormMixin(forms.Form):
    """Carries the `edit_version` the editor opened; a save from an older one is refused, with a
    link to what changed, instead of overwriting the other editor's work."""

    opened_version = forms.IntegerField(widget=forms.HiddenInput, required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if self.instance.pk:
            self.fields["opened_version"].required = True
            self.fields["opened_version"].error_messages["required"] = gettext_lazy(
                "This form came without the version it was opened at; open the article again."
            )
            self.initial["opened_version"] = self.instance.edit_version

    def clean(self):
        cleaned = super().clean()
        opened = cleaned.get("opened_version")
        if self.instance.pk and opened is not None:
            # Locked until the admin's transaction commits: a second save waits here, then sees
            # the number the first one wrote. SQLite has no row locks; there, of two overlapping
            # write transactions the second fails ("database is locked") rather than overwrite.
            with transaction.atomic():
                current = Article.objects.select_for_update().filter(pk=self.instance.pk).values("edit_version").first()
            if current and current["edit_version"] != opened:
                raise ValidationError(stale_edit_message(self.instance, opened), code="stale")
            if current:
                self.instance.edit_version = current["edit_version"]
        return cleaned


def _opened(request):
    try:
        return int(request.POST.get("opened_version", ""))
    except ValueError:
        return None


def stale_edit_message(article, opened_version):
    fresh = Article.objects.only("pk", "updated_at", "edit_version").get(pk=article.pk)
    versions = list(history.versions_of(article)[:100])
    latest = versions[0] if versions else None
    opened = next((v for v in versions if stored_edit_version(v) == opened_version), None)
    if latest is not None and stored_edit_version(latest) == fresh.edit_version:
        who = history.describe_user(latest.revision.user)
    else:  # changed by something that keeps no revision
        who = _("Someone")
    if opened is not None and latest is not None and opened != latest:
        link = compare_url(article.pk, opened.pk, latest.pk)
    else:
        link = reverse("admin:articles_article_history", args=[article.pk])
    return format_html(
        _(
            "{who} changed this article at {time} after you opened it — your changes were not saved; "
            'see their change: <a href="{link}">compare</a>. Copy what you need from this form, '
            "then open the article again."
        ),
        who=who,
        time=formats.time_format(timezone.localtime(fresh.updated_at), "H:i"),
        link=link,
    )


def saved_at(version):
    return formats.localize(timezone.localtime(version.revision.date_created))


def saved_by(version):
    return _("Saved %(when)s by %(who)s (revision %(id)s)") % {
        "when": saved_at(version),
        "who": history.describe_user(version.revision.user),
        "id": version.revision_id,
    }


def stored_edit_version(version):
    return json.loads(version.serialized_data)[0]["fields"].get("edit_version")


def compare_url(article_id, old_version_id, new_version_id):
    query = urlencode({"old": old_version_id, "new": new_version_id})
    return f"{reverse('admin:articles_article_history_compare', args=[article_id])}?{query}"
