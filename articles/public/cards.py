"""Story cards, kept until what they show changes.

A card's HTML depends only on its story, section and byline, so it is kept until one of those
changes (`freshness`). Built from nothing, a card is read as plain rows (`CardStory`), two
queries for a whole page of them: building model instances and their prefetches was, measured,
twice the cost of rendering the cards.
"""

from django.template import engines
from django.utils.functional import cached_property
from django.utils.safestring import mark_safe
from django.utils.translation import get_language

from .. import freshness, renditions
from ..addresses import address
from ..freshness import shown
from ..models import Article, Byline


def render_cards(articles, level=2, lead=False) -> list[str]:
    """The card HTML of each article, in order, from the cache where it is there."""
    return render_card_groups([(articles, level, lead)])[0]


def render_result_meta(articles) -> list[str]:
    """The byline and date line of each search result, cached as cards are."""
    return render_card_groups([(articles, 0, False)], template="cards/result_meta.html")[0]


def render_card_groups(groups, template="cards/card.html") -> list[list[str]]:
    """Cards for several (articles, heading level, is lead) groups, as render_cards gives them,
    with one cache read and at most one fetch for them all.

    Articles may be bare (only their ids loaded): what a card shows is fetched, in two
    queries, for the cards missing from the cache alone."""
    language = get_language()
    wanted = [(a, level, lead) for articles, level, lead in groups for a in articles]
    card_keys = iter(freshness.keys("card", [(language, template, lv, int(ld), a.pk) for a, lv, ld in wanted]))
    keyed = [[(next(card_keys), a) for a in articles] for articles, _, _ in groups]
    found = freshness.load_many([key for group in keyed for key, _ in group])
    complete = _with_card_fields([a for group in keyed for key, a in group if key not in found])
    missing = {}
    rendered = []
    for group, (_, level, lead) in zip(keyed, groups, strict=True):
        cards = []
        for key, article in group:
            if key in found:
                html = found[key]
            elif key in missing:
                html = missing[key][0]
            elif article.pk not in complete:
                html = ""  # deleted since the list was read: its change renews the list too
            else:
                story = complete[article.pk]
                html = (
                    engines["jinja2"].get_template(template).render({"article": story, "level": level, "is_lead": lead})
                )
                missing[key] = (html, _card_shows(story))
                freshness.shows(*missing[key][1])
            cards.append(mark_safe(html))  # rendered by our own template, escaped there
        rendered.append(cards)
    if missing:
        freshness.store_many(missing)
    return rendered


def _card_shows(story) -> list[str]:
    names = [shown.article(story.pk), *(shown.author(a.pk) for a in story.byline)]
    return names + ([shown.section(story.category_id)] if story.category_id else [])


class CardPart:
    """A section or author as a card shows it: a name and an address (and an author's role)."""

    __slots__ = ("pk", "name", "url", "role")

    def __init__(self, pk, name, url, role=""):
        self.pk, self.name, self.url, self.role = pk, name, url, role

    def get_absolute_url(self):
        return self.url


class CardStory:
    """What a card shows of a story, from plain rows; the addresses and pictures come from the
    same rules as Article's."""

    def __init__(self, pk, title, slug, standfirst, published_at, created_at, image, image_url, sizes, category):
        self.pk, self.title, self.slug, self.standfirst = pk, title, slug, standfirst
        self.published_at, self.created_at = published_at, created_at
        self._image, self._image_url, self.lead_renditions = image, image_url, sizes
        self.category_id, self.category = (category.pk, category) if category else (None, None)
        self.byline = []

    def get_absolute_url(self):
        return Article.url_for(self.slug, self.published_at or self.created_at)

    @cached_property
    def lead_image_src(self):
        if not self._image:
            return self._image_url
        storage = Article._meta.get_field("lead_image").storage
        return renditions.largest_url(self.lead_renditions, storage) or storage.url(self._image)

    @cached_property
    def lead_picture(self):
        return renditions.picture(self.lead_renditions)


def _with_card_fields(articles) -> dict:
    """{id: CardStory} of the given stories still there, in two queries."""
    ids = {a.pk for a in articles}
    if not ids:
        return {}
    columns = ["id", "title", "slug", "standfirst", "published_at", "created_at", "lead_image", "lead_image_url"]
    columns += ["lead_renditions", "category_id", "category__name", "category__path"]
    stories = {}
    for *fields, category_id, name, path in Article.objects.filter(pk__in=ids).values_list(*columns):
        section = CardPart(category_id, name, address("articles:category", path=path)) if category_id else None
        stories[fields[0]] = CardStory(*fields, section)
    bylines = Byline.objects.filter(article_id__in=ids).order_by("article_id", "position", "pk")
    rows = bylines.values_list("article_id", "author_id", "author__name", "author__slug", "role")
    for article_id, pk, name, slug, role in rows:
        stories[article_id].byline.append(CardPart(pk, name, address("articles:author", slug=slug), role))
    return stories
