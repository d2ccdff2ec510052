"""What happens after articles are written, whatever wrote them: `Article.save` (the admin, the
workflow, a restore, the shell), the importer's bulk writer, and bulk edits
(`ArticleQuerySet.bulk_edit`: moves, tags, tag merges). One home, so no path forgets a step:

- the search index follows the article's text;
- an address that moved (a changed slug or date of a published story) keeps answering, 301;
- what showed the articles goes stale, now and again on commit, and only that
  (`freshness.shown.article_changes`: the article's page and card, the lists it left or
  joined, its neighbours; `translation_changes`: the pages of the translation group it joined,
  or whose published versions it joined or left);
- a new lead image gets its renditions from a background job (newsroom/jobs.py), recorded in
  the same transaction;
- registered webhook endpoints hear of stories published, updated, unpublished or retracted
  (`api.webhooks.report`: jobs, sent after commit; a scheduled story's at its time);
- a deleted article that came from an import is remembered (`DeletedArticle`), whatever deleted
  it, so the next run of the same import does not bring it back (issue 12).

Changes to what articles show but that are not articles (authors, sections, tags, bylines,
taggings, corrections, live entries, the front page's arrangements and slots), and to what every page
shows (the sections chosen for the header, the breaking-news banner), invalidate what shows
them through the signals `connect_signals` wires up; a scheduled arrangement also moves the
next publication clock and gets its edge purge at its time, as a scheduled story does.
"""

import contextlib
import contextvars

from newsroom import jobs

from . import freshness, renditions, search
from .api import webhooks
from .freshness import shown
from .freshness.shown import UNKNOWN, Listing
from .redirects import record_move

UNMOVED = Listing("", None, None, False)
RENDITIONS = "articles.lead_renditions"
_deleting_user = contextvars.ContextVar("deleting_user", default=None)


@contextlib.contextmanager
def deleting_as(user):
    """Deletes inside are recorded as `user`'s (the admin says who; the shell cannot)."""
    token = _deleting_user.set(user)
    try:
        yield
    finally:
        _deleting_user.reset(token)


def after_write(written, *, before=None, documents=None, text_changed=True, regrouped=False, groups=()) -> None:
    """`written`: the saved Article objects, or the ids of articles changed by a queryset update.

    `before`: for ids, {id: Listing} as `listings` read them before the update, or None when
    the update moved nothing between lists (renditions). `documents`: (id, search document)
    pairs when the caller already made them (the importer's workers do); `text_changed=False`
    when no title, standfirst or body changed (bulk edits); `regrouped` when their tags or
    bylines were written in bulk, with no signal per row."""
    written = list(written)
    articles = [a for a in written if not isinstance(a, int)]
    ids = [a for a in written if isinstance(a, int)]
    if text_changed:
        if documents is None:
            documents = [(a.pk, search.document(a.title, a.standfirst, a.body)) for a in articles]
        search.index_rows(documents)
    changes, translated, keys_unknown = [], set(), []
    for article in articles:
        _record_address_move(article)
        if article._renditions_due:
            jobs.enqueue(RENDITIONS, article.pk, key=f"{RENDITIONS}:{article.pk}")
            article._renditions_due = False
        after = Listing.of(article) or UNKNOWN
        saved = getattr(article, "_saved_listing", None)
        changes.append((article.pk, saved, after))
        article._saved_listing = after
        key = article.__dict__.get("translation_key", UNKNOWN)
        if key is UNKNOWN:
            keys_unknown.append((article.pk, saved, after))
        else:
            translated |= shown.translation_changes(getattr(article, "_saved_translation_key", None), key, saved, after)
            article._saved_translation_key = key
    if ids and before is not None:
        now = listings(ids)
        moved = [(pk, before.get(pk), now.get(pk)) for pk in ids]
        changes += moved
        keys_unknown += moved
    elif ids:  # nothing that places them changed: the same (any) listing before and after
        changes += [(pk, UNMOVED, UNMOVED) for pk in ids]
    if shown.reschedules(changes):
        freshness.schedule_changed()
        freshness.purge_edge_when_live(changes)
    webhooks.report(changes)
    names = shown.article_changes(changes)
    if names is not None:
        names |= translated | _translation_groups(keys_unknown)
        names |= {name for key in groups for name in shown.translation_changes(None, key, UNKNOWN, UNKNOWN)}
    if regrouped and names is not None:
        names |= shown.grouping_changes(a.pk for a in articles) | shown.grouping_changes(ids)
    _invalidate(names)


def _translation_groups(changes) -> set[str]:
    """The translation groups of stories whose key was not loaded, for those that were
    published or withdrawn (one query, none when none was)."""
    flipped = [pk for pk, was, now in changes if shown.went_in_or_out(was, now)]
    if not flipped:
        return set()
    from .models import Article

    keys = Article.objects.filter(pk__in=flipped).exclude(translation_key="").values_list("translation_key", flat=True)
    return {name for key in set(keys) for name in shown.translation_changes(None, key, UNKNOWN, UNKNOWN)}


@jobs.job(RENDITIONS)
def make_lead_renditions(article_id: int) -> None:
    """Idempotent: an article whose renditions already show its current image is left alone,
    and copies are stored under names made from the image's."""
    from .models import Article

    article = (
        Article.objects.filter(pk=article_id)
        .only("id", "lead_image", "lead_renditions", "lead_image_focus_x", "lead_image_focus_y")
        .first()
    )
    if article is None or not article.lead_image:
        return
    if renditions.describe(article.lead_renditions, article.lead_image.name, article.lead_image_focus):
        return
    made = renditions.make(article.lead_image.name, storage=article.lead_image.storage, focus=article.lead_image_focus)
    # Stored only if the image and its focal point are still the ones they were made from (an
    # editor may have changed them since).
    same = {"lead_image": article.lead_image.name, "lead_image_focus_x": made["focus"][0]}
    if Article.objects.filter(pk=article_id, lead_image_focus_y=made["focus"][1], **same).update(lead_renditions=made):
        after_write([article_id], before=None, text_changed=False)


def listings(ids) -> dict:
    """{id: Listing} of articles as they are now: read before a queryset update, for `before`."""
    from .models import Article

    rows = Article.objects.filter(pk__in=list(ids)).values_list("pk", "status", "published_at", "category", "featured")
    return {pk: Listing(status, when, category, featured) for pk, status, when, category, featured in rows}


def _invalidate(names) -> None:
    """`names` None: the reach is not known, everything goes stale (now and on commit)."""
    freshness.invalidate_on_commit(names)


def _record_address_move(article) -> None:
    """A published story whose address changed leaves its old address redirecting to it (or, once
    retracted, answering 410 as the new one does)."""
    old, new = getattr(article, "_saved_address", None), article._address()
    answering = (article.Status.PUBLISHED, article.Status.RETRACTED)
    if old and new and old[0] in answering and old[1:] != new[1:]:
        record_move(article, article.url_for(*old[1:]))
    article._saved_address = new


def connect_signals() -> None:
    """Called from AppConfig.ready."""
    from django.db.models.signals import post_delete, post_save, pre_save

    def on(model, names_of):
        def receiver(instance, **kwargs):
            _invalidate(names_of(instance))

        post_save.connect(receiver, sender=f"articles.{model}", weak=False)
        post_delete.connect(receiver, sender=f"articles.{model}", weak=False)

    on("Author", lambda author: shown.author_changes(author.pk))
    on("Tag", lambda tag: shown.tag_changes(tag.pk))
    on("Byline", lambda byline: shown.byline_changes(byline.article_id, byline.author_id))
    on("TaggedArticle", lambda tagging: shown.tagging_changes(tagging.content_object_id, tagging.tag_id))
    on("Correction", lambda correction: shown.correction_changes(correction.article_id))
    post_save.connect(_correction_saved, sender="articles.Correction", weak=False)
    post_delete.connect(_correction_saved, sender="articles.Correction", weak=False)  # a removal updates it too
    on("FrontPageSlot", lambda slot: shown.front_page_changes())
    on("LiveEntry", lambda entry: shown.live_entry_changes(entry.article_id))
    post_save.connect(_live_entry_saved, sender="articles.LiveEntry", weak=False)
    pre_save.connect(_note_schedule, sender="articles.FrontPage", weak=False)
    post_save.connect(_front_page_saved, sender="articles.FrontPage", weak=False)
    post_delete.connect(_front_page_deleted, sender="articles.FrontPage", weak=False)
    post_save.connect(_banner_written, sender="articles.Banner", weak=False)
    post_delete.connect(_banner_written, sender="articles.Banner", weak=False)
    pre_save.connect(_note_parent, sender="articles.Category", weak=False)
    post_save.connect(_section_saved, sender="articles.Category", weak=False)
    post_delete.connect(_section_deleted, sender="articles.Category", weak=False)
    # Deletes through querysets skip Model.delete(); the signal still fires for each row.
    post_delete.connect(_article_deleted, sender="articles.Article", weak=False)


def _note_parent(instance, **kwargs) -> None:
    """Where a section was, so its old place's lists renew when it moves, and its place in the
    navigation, so the header renews when editors choose or order sections."""
    from .models import Category

    if not instance._state.adding:
        before = Category.objects.filter(pk=instance.pk).values_list("parent", "in_navigation", "navigation_order")
        row = before.first()
        instance._parent_before, *navigation = row if row else (UNKNOWN, UNKNOWN, UNKNOWN)
        instance._navigation_before = tuple(navigation) if row else UNKNOWN


def _section_saved(instance, created, **kwargs) -> None:
    parent_before = instance.parent_id if created else getattr(instance, "_parent_before", UNKNOWN)
    navigation_before = getattr(instance, "_navigation_before", UNKNOWN)
    _invalidate(shown.category_changes(instance, parent_before, placed=created, navigation_before=navigation_before))


def _banner_written(instance, **kwargs) -> None:
    """A banner set, changed or removed: every page's banner, now and at the edge; its expiry is
    the next time pages change by themselves (`freshness.schedule_changed`), and a job purges
    the edge then."""
    _invalidate(shown.banner_changes())
    freshness.schedule_changed()
    freshness.purge_edge_when_expired(instance)


def _section_deleted(instance, **kwargs) -> None:
    _invalidate(shown.category_changes(instance, instance.parent_id, placed=True))


def _article_deleted(instance, **kwargs) -> None:
    from .models import DeletedArticle

    if instance.source_key:
        DeletedArticle.objects.remember(instance, by=_deleting_user.get())
    search.unindex([instance.pk])
    before = getattr(instance, "_saved_listing", None) or Listing.of(instance) or UNKNOWN
    if shown.reschedules([(instance.pk, before, None)]):
        freshness.schedule_changed()
    webhooks.report([(instance.pk, before, None)])
    _invalidate(shown.article_changes([(instance.pk, before, None)]))


def _correction_saved(instance, **kwargs) -> None:
    """A correction is an update of its story (if it is live: the event's job checks)."""
    webhooks.report_updated(instance.article_id)


def _live_entry_saved(instance, **kwargs) -> None:
    """A published entry is an update of its story (if it is live: the event's job checks)."""
    if instance.status == instance.Status.PUBLISHED:
        webhooks.report_updated(instance.article_id)


def _note_schedule(instance, **kwargs) -> None:
    """Whether the arrangement was scheduled before this save: unscheduling moves the clock too."""
    from .models import FrontPage

    before = None if instance._state.adding else FrontPage.objects.filter(pk=instance.pk).first()
    instance._was_scheduled = before is not None and before.is_scheduled


def _front_page_saved(instance, **kwargs) -> None:
    if instance.is_scheduled or getattr(instance, "_was_scheduled", True):
        freshness.schedule_changed()
        freshness.purge_edge_when_front_page_live(instance)
    _invalidate(shown.front_page_changes())


def _front_page_deleted(instance, **kwargs) -> None:
    if instance.is_scheduled:
        freshness.schedule_changed()
    _invalidate(shown.front_page_changes())
