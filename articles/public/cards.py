"""Story cards rendered once per content change.

Rendering the card template is most of what a list page costs (its SQL is a few queries);
a card's HTML depends only on its article, section and byline, so it is kept until one of
those changes (`freshness`).
"""

from django.template.loader import render_to_string
from django.utils.safestring import mark_safe
from django.utils.translation import get_language

from .. import freshness
from ..freshness import shown
from ..models import Article


def render_cards(articles, level=2, lead=False) -> list[str]:
    """The card HTML of each article, in order, from the cache where it is there."""
    return render_card_groups([(articles, level, lead)])[0]


def render_result_meta(articles) -> list[str]:
    """The byline and date line of each search result, cached as cards are."""
    return render_card_groups([(articles, 0, False)], template="cards/result_meta.html")[0]


def render_card_groups(groups, template="cards/card.html") -> list[list[str]]:
    """Cards for several (articles, heading level, is lead) groups, as render_cards gives them,
    with one cache read and at most one fetch for them all.

    Articles may be bare (only their ids loaded): what a card shows is fetched, in one
    `for_cards()` query, for the cards missing from the cache alone."""
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
                html = render_to_string(template, {"article": story, "level": level, "is_lead": lead}, using="jinja2")
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


def _with_card_fields(articles) -> dict:
    """{id: article} with what a card shows loaded: as given when it is, else from one query."""
    loaded = {a.pk: a for a in articles if "bylines" in getattr(a, "_prefetched_objects_cache", {})}
    bare = {a.pk for a in articles} - loaded.keys()
    return loaded | (Article.objects.for_cards().in_bulk(bare) if bare else {})
