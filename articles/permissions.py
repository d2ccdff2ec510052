"""Who may do what to an article: the newsroom's role rules, written once.

Editors (and superusers) hold `articles.publish_article`: they publish, schedule, unpublish and
change any article. Writers hold `articles.change_article` without it: they change their own
articles (see `ArticleQuerySet.owned_by`) while those are drafts or in review, and submit them.
Editors make tags (`articles.add_tag`); writers only pick existing ones. Editors write
corrections; writers see them. Editors retract and take down published stories
(`articles.retract_article`, a permission of its own so a newsroom can keep it to a few).
Editors arrange the front page (`articles.change_frontpage`); writers cannot, not even see it.
The groups that grant these are made by migration 0005_editorial_groups (0010_retraction adds
the retraction permission to Editors, 0015_front_page the front page's, 0016_navigation_banner
the breaking-news banner's). Editors (and superusers) manage the banner (`articles.change_banner`
and its kin); writers do not even see it in the admin. On a live story (0019_live_coverage)
Editors post, approve, pin and delete entries; Writers post drafts only (`can_post_live`)."""

import importlib

from .models import Article

PUBLISH = "articles.publish_article"
CHANGE = "articles.change_article"
ADD_TAG = "articles.add_tag"
RETRACT = "articles.retract_article"
ARRANGE = "articles.change_frontpage"
WRITABLE_STATES = (Article.Status.DRAFT, Article.Status.REVIEW)


def can_publish(user) -> bool:
    return user.has_perm(PUBLISH)


def can_write(user) -> bool:
    """Writers and editors: may change articles (writers only their own, see `can_change`)."""
    return user.has_perm(CHANGE)


def can_create_tags(user) -> bool:
    """Editors make tags; writers pick existing ones. A tag has a public page once a published
    story carries it, so naming one is an editorial decision."""
    return user.has_perm(ADD_TAG)


def can_correct(user) -> bool:
    """Editors add and amend corrections, clarifications and editor's notes: they are the
    publication's public account of its own mistakes, so writing one is an editorial decision."""
    return can_publish(user)


def can_retract(user) -> bool:
    """Retracting (or taking down) a published story is a public, recorded act no edit undoes:
    a permission of its own, held by Editors, never by Writers."""
    return user.has_perm(RETRACT)


def can_arrange_front_page(user) -> bool:
    """The home page's order is the newsroom's editorial voice: Editors (and superusers) set it."""
    return user.has_perm(ARRANGE)


def can_post_live(user) -> bool:
    """Writers and editors post entries on a live story; only an editor's are published as
    posted (and only editors approve, pin, mark key events, delete or end coverage)."""
    return user.has_perm("articles.add_liveentry")


def is_own(user, article) -> bool:
    if article.created_by_id is not None and article.created_by_id == user.pk:
        return True
    return article.pk is not None and Article.objects.owned_by(user).filter(pk=article.pk).exists()


def can_change(user, article) -> bool:
    """Whether `user` may save `article` as it stands (a new one included)."""
    if not can_write(user):
        return False
    if can_publish(user):
        return True
    return article.status in WRITABLE_STATES and (article.pk is None or is_own(user, article))


GROUPS_MIGRATION = ("articles", "0005_editorial_groups")
# The later migrations that grant the groups more, and the function each grants with.
GRANTS = [
    (("articles", "0010_retraction"), "grant_retraction"),
    (("articles", "0015_front_page"), "grant_front_page"),
    (("articles", "0016_navigation_banner"), "grant_banners"),
    (("articles", "0019_live_coverage"), "grant_live_entries"),
]


def restore_editorial_groups() -> None:
    """Make the Writers and Editors groups again, as their migrations did, after something
    emptied the auth tables (`flush`, or a test database reset between browser tests)."""
    from django.db import connection
    from django.db.migrations.loader import MigrationLoader

    loader = MigrationLoader(connection)
    for migration, function in [(GROUPS_MIGRATION, "create_groups"), *GRANTS]:
        state = loader.project_state(migration).apps
        module = importlib.import_module(f"{migration[0]}.migrations.{migration[1]}")
        with connection.schema_editor() as schema_editor:
            getattr(module, function)(state, schema_editor)
