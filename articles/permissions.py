"""Who may do what to an article: the newsroom's role rules, written once.

Editors (and superusers) hold `articles.publish_article`: they publish, schedule, unpublish and
change any article. Writers hold `articles.change_article` without it: they change their own
articles (see `ArticleQuerySet.owned_by`) while those are drafts or in review, and submit them.
The groups that grant these are made by migration 0003."""

from .models import Article

PUBLISH = "articles.publish_article"
CHANGE = "articles.change_article"
WRITABLE_STATES = (Article.Status.DRAFT, Article.Status.REVIEW)


def can_publish(user) -> bool:
    return user.has_perm(PUBLISH)


def is_own(user, article) -> bool:
    if article.created_by_id is not None and article.created_by_id == user.pk:
        return True
    return article.pk is not None and Article.objects.owned_by(user).filter(pk=article.pk).exists()


def can_change(user, article) -> bool:
    """Whether `user` may save `article` as it stands (a new one included)."""
    if not user.has_perm(CHANGE):
        return False
    if can_publish(user):
        return True
    return article.status in WRITABLE_STATES and (article.pk is None or is_own(user, article))
