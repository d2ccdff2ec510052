"""The editorial workflow: draft → in review → published (scheduled while its time is ahead).

Each step checks who asks (`permissions`) and the state it starts from, then saves through
`Article.save`, so the save policy (rendered body, search index, page-cache invalidation) holds
for the admin's buttons and bulk actions alike. `published_at` is the first publication time:
a step never moves it back, except that publishing or scheduling an article that has not yet
gone live sets it to the moment it will.

A live story can also be retracted, or taken down (`retract`): that is the end of its road. No
step leads back from it, so no button, bulk action, form or restore republishes it."""

import reversion
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from . import permissions
from .models import Article, Retraction

Status = Article.Status


class WorkflowError(Exception):
    """A step that does not apply to the article in its current state; the message says why."""


class PublicationRefused(WorkflowError):
    """The article is not ready for readers (`Article.publication_refusal`): the editor must fix it."""


def _require_publishable(article):
    if refusal := article.publication_refusal():
        raise PublicationRefused(refusal)


def allowed_actions(user, article) -> list[str]:
    """The steps `user` may take on `article` now, in the order the change form offers them."""
    actions = []
    if article.status == Status.DRAFT and permissions.can_change(user, article):
        actions.append("submit")
    if permissions.can_publish(user):
        if article.status == Status.REVIEW:
            actions.append("send_back")
        if not article.is_published() and not article.is_retracted:
            actions += ["publish", "schedule"]
        if article.status == Status.PUBLISHED:
            actions.append("unpublish")
    if permissions.can_retract(user) and article.is_published():
        actions.append("retract")
    return actions


def submit_for_review(article, user):
    if not permissions.can_change(user, article):
        raise PermissionDenied
    if article.status != Status.DRAFT:
        raise WorkflowError(_("Only a draft can be submitted for review."))
    article.status = Status.REVIEW
    article.review_note = ""
    article.save()
    return _("“%(title)s” was submitted for review.") % {"title": article.title}


def send_back(article, user, note):
    _require_editor(user)
    if article.status != Status.REVIEW:
        raise WorkflowError(_("Only an article in review can be sent back."))
    note = note.strip()
    if not note:
        raise WorkflowError(_("Say what the writer should change: the note is required."))
    article.status = Status.DRAFT
    article.review_note = note
    article.save()
    return _("“%(title)s” was sent back to draft with your note.") % {"title": article.title}


def publish_now(article, user):
    _require_editor(user)
    _refuse_retracted(article)
    if article.is_published():
        raise WorkflowError(_("“%(title)s” is already live.") % {"title": article.title})
    _require_publishable(article)
    now = timezone.now()
    if article.published_at is None or article.published_at > now:  # never live before: live from now
        article.published_at = now
    article.status = Status.PUBLISHED
    article.save()
    return _("“%(title)s” is now live.") % {"title": article.title}


def schedule(article, user, when):
    _require_editor(user)
    _refuse_retracted(article)
    if article.is_published():
        raise WorkflowError(_("“%(title)s” is already live: unpublish it first.") % {"title": article.title})
    if when <= timezone.now():
        raise WorkflowError(_("The publication time must be in the future."))
    _require_publishable(article)
    article.status = Status.PUBLISHED
    article.published_at = when
    article.save()
    return _("“%(title)s” is scheduled for %(when)s.") % {
        "title": article.title,
        "when": f"{timezone.localtime(when):%Y-%m-%d %H:%M %Z}",
    }


def unpublish(article, user):
    _require_editor(user)
    if article.status != Status.PUBLISHED:
        raise WorkflowError(_("“%(title)s” is not published.") % {"title": article.title})
    article.status = Status.DRAFT
    article.save()
    return _("“%(title)s” was unpublished and is a draft again.") % {"title": article.title}


def retract(article, user, kind, note):
    """Withdraw a live story from readers, for good: every address it had answers 410 Gone (with
    its headline, date and `note` for a retraction; nothing for a takedown), and it leaves every
    list, feed, sitemap and search at once, as an unpublished story does (its status is no
    longer published: `ArticleQuerySet.published`). Recorded (`Retraction`: who, when, which
    kind, the note) and kept in the article's history."""
    if not permissions.can_retract(user):
        raise PermissionDenied
    if not article.is_published():
        raise WorkflowError(
            _("Only a live story can be retracted: “%(title)s” is not live.") % {"title": article.title}
        )
    note = note.strip()
    if kind == Retraction.Kind.RETRACTION and not note:
        raise WorkflowError(_("Tell readers why the story was retracted: the note is required."))
    with transaction.atomic(), reversion.create_revision(manage_manually=True):
        article.status = Status.RETRACTED
        article.save()
        record = Retraction.objects.create(article=article, kind=kind, note=note, retracted_by=user)
        reversion.add_to_revision(article)
        reversion.set_user(user)
        if record.is_takedown:
            reversion.set_comment(_("Taken down."))
        else:
            reversion.set_comment(_("Retracted: %(note)s") % {"note": note})
    if record.is_takedown:
        return _("“%(title)s” was taken down: its addresses answer 410 Gone.") % {"title": article.title}
    return _("“%(title)s” was retracted: its addresses answer 410 Gone with your note.") % {"title": article.title}


def _refuse_retracted(article):
    if article.is_retracted:
        raise WorkflowError(_("“%(title)s” was retracted: it cannot be published again.") % {"title": article.title})


def _require_editor(user):
    if not permissions.can_publish(user):
        raise PermissionDenied
