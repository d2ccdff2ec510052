"""Linked translations: the versions of one story in other languages share a translation key
(`Article.translation_key`), one article a language. Readers' pages link the published ones
(`Article.objects.published()`), search engines get them as `hreflang` alternates, editors
link and unlink them in the admin (`link`), and the importer reads them from front matter and
folder layouts (`frontmatter.mapping`)."""

import uuid
from dataclasses import dataclass

from django.conf import settings
from django.db import transaction
from django.utils.translation import gettext

from . import freshness
from .freshness import shown
from .languages import language_tag, native_name
from .models import Article

# What a link to another version shows of it.
LINKED_FIELDS = ("title", "slug", "published_at", "created_at", "status", "language", "translation_key")
X_DEFAULT = "x-default"


@dataclass(frozen=True)
class Version:
    """One version of a story, as a language switcher and an `hreflang` link name it."""

    article: Article
    current: bool = False

    @property
    def tag(self) -> str:
        return language_tag(self.article.language)

    @property
    def name(self) -> str:
        return native_name(self.article.language)


class Shown(list):
    """A list that says what it shows each time it is read, not only when it is made: two kept
    fragments of a page read it (the head's links, the switcher), and each is kept with them."""

    def __init__(self, items=(), names=()):
        super().__init__(items)
        self.names = tuple(names)

    def __iter__(self):
        freshness.shows(*self.names)
        return super().__iter__()

    def __bool__(self):
        freshness.shows(*self.names)
        return len(self) > 0


def versions(article) -> Shown:
    """`article` and its published translations, the original first, for its page; empty when
    none is published (one query; none without a key). It shows each version, and the group,
    which a story joining it or published into it touches."""
    if not article.translation_key:
        return Shown()
    others = list(Article.objects.published().translations_of(article).only(*LINKED_FIELDS))
    names = [shown.translation_group(article.translation_key), *shown.of_articles(others)]
    if not others:
        return Shown(names=names)
    everyone = sorted([article, *others], key=_original_first)
    return Shown([Version(a, current=a.pk == article.pk) for a in everyone], names)


def alternates(versions_, absolute) -> Shown:
    """`hreflang` alternates of the published versions, plus `x-default` (the version in the
    site's language, else the original), as Django's sitemap template reads them:
    {"lang_code", "location"}. `absolute` makes a path an absolute address."""
    published = [v.article for v in versions_ if v.article.is_published()]
    names = getattr(versions_, "names", ())
    if len(published) < 2:
        return Shown(names=names)
    links = [{"lang_code": language_tag(a.language), "location": absolute(a.get_absolute_url())} for a in published]
    default = x_default(published)
    return Shown([*links, {"lang_code": X_DEFAULT, "location": absolute(default.get_absolute_url())}], names)


def x_default(articles):
    """The version for readers whose language none is in: the site's language (the same tag,
    else the same language in another region or script), else the original."""
    site = language_tag(settings.LANGUAGE_CODE)
    for same in (lambda tag: tag == site, lambda tag: tag.split("-")[0] == site.split("-")[0]):
        if match := [a for a in articles if same(language_tag(a.language))]:
            return match[0]
    return min(articles, key=_original_first)


def groups_of(articles) -> dict[str, list[Article]]:
    """{translation key: its published versions, the original first} for `articles` (a sitemap
    page's): one query for all of them, none when no article has a key."""
    keys = {a.translation_key for a in articles if a.translation_key}
    if not keys:
        return {}
    found = {}
    for version in Article.objects.published().filter(translation_key__in=keys).only(*LINKED_FIELDS):
        found.setdefault(version.translation_key, []).append(version)
    return {key: sorted(group, key=_original_first) for key, group in found.items()}


def _original_first(article):
    return (article.published_at or article.created_at, article.pk)


def language_clash(articles) -> str:
    """Why `articles` cannot be one group, or "": two of them in one language (as `lang` tags
    read them: `zh_cn` is `zh-cn`, an empty language is the site's)."""
    seen = {}
    for article in articles:
        tag = language_tag(article.language)
        if tag in seen:
            return gettext(
                "“%(one)s” and “%(other)s” are both in %(language)s: a story has one version a language."
            ) % {
                "one": seen[tag].title,
                "other": article.title,
                "language": native_name(article.language),
            }
        seen[tag] = article
    return ""


@dataclass(frozen=True)
class Linking:
    """What linking an article to a chosen set of translations writes (`plan`)."""

    key: str  # the group's key ("" when none is chosen: the article leaves its group)
    joining: frozenset  # ids given the key
    leaving: frozenset  # ids of its old group not chosen again: unlinked
    group: tuple  # every article of the group afterwards (the article too), for `language_clash`


def plan(article, translations) -> Linking:
    """Make `translations` `article`'s other versions: those chosen join its group (the
    article's own key, else a chosen one's, whose other versions stay; else a new one), and
    those of its group no longer chosen leave it. None chosen: the article leaves its group,
    and the others stay each other's versions."""
    chosen = [a for a in translations if a.pk != article.pk]
    if not chosen:
        return Linking("", frozenset(), frozenset(), (article,))
    before = list(Article.objects.translations_of(article)) if article.pk else []
    key = article.translation_key or next((a.translation_key for a in chosen if a.translation_key), "")
    key = key or f"newsroom-{uuid.uuid4().hex[:16]}"
    staying = [a for a in Article.objects.filter(translation_key=key).exclude(pk=article.pk)]
    chosen_ids = {a.pk for a in chosen}
    leaving = {a.pk for a in before} - chosen_ids
    group = {a.pk: a for a in [*staying, *chosen] if a.pk not in leaving}
    joining = chosen_ids - {a.pk for a in staying}
    return Linking(key, frozenset(joining), frozenset(leaving), (article, *group.values()))


def link(article, linking: Linking) -> None:
    """Write a `plan` for `article`, already saved with `linking.key`: each other article it
    changes is edited (`bulk_edit`: its pages, its group's, and a form opened before it)."""
    with transaction.atomic():
        if linking.joining:
            Article.objects.filter(pk__in=linking.joining).bulk_edit(translation_key=linking.key)
        if linking.leaving:
            Article.objects.filter(pk__in=linking.leaving).bulk_edit(translation_key="")
