"""What happens after articles are written, whatever wrote them: `Article.save` (the admin, the
workflow, a restore, the shell), the importer's bulk writer, and bulk edits
(`ArticleQuerySet.bulk_edit`: moves, tags, tag merges). One home, so no path forgets a step:

- the search index follows the article's text;
- an address that moved (a changed slug or date of a published story) keeps answering, 301;
- cached pages and fragments are invalidated, now and again on commit (`freshness`).

Changes to what articles show but that are not articles (authors, sections, tags, bylines,
taggings, old addresses) invalidate through the signals `connect_signals` wires up.
"""

from . import freshness, search
from .redirects import record_move

# Models whose saves and deletes readers can see: any of them invalidates cached pages.
SHOWN_WITH_ARTICLES = ("Author", "Category", "Tag", "Byline", "TaggedArticle", "OldAddress")


def after_write(written, *, documents=None, text_changed=True) -> None:
    """`written`: the saved Article objects, or the ids of articles changed by a queryset update.

    `documents`: (id, search document) pairs when the caller already made them (the importer's
    workers do); `text_changed=False` when no title, standfirst or body changed (bulk edits)."""
    written = list(written)
    articles = [a for a in written if not isinstance(a, int)]
    if text_changed:
        if documents is None:
            documents = [(a.pk, search.document(a.title, a.standfirst, a.body)) for a in articles]
        search.index_rows(documents)
    for article in articles:
        _record_address_move(article)
    freshness.invalidate_on_commit()


def _record_address_move(article) -> None:
    """A published story whose address changed leaves its old address redirecting to it."""
    old, new = getattr(article, "_saved_address", None), article._address()
    if old and new and old[0] == article.Status.PUBLISHED and old[1:] != new[1:]:
        record_move(article, article.url_for(*old[1:]))
    article._saved_address = new


def connect_signals() -> None:
    """Called from AppConfig.ready."""
    from django.db.models.signals import post_delete, post_save

    for model in SHOWN_WITH_ARTICLES:
        post_save.connect(freshness.invalidate_on_commit, sender=f"articles.{model}", weak=False)
        post_delete.connect(freshness.invalidate_on_commit, sender=f"articles.{model}", weak=False)
    # Deletes through querysets skip Model.delete(); the signal still fires for each row.
    post_delete.connect(_article_deleted, sender="articles.Article", weak=False)


def _article_deleted(instance, **kwargs) -> None:
    search.unindex([instance.pk])
    freshness.invalidate_on_commit()
