"""Story cards rendered once per content change.

Rendering the card template is most of what a list page costs (its SQL is a few queries);
a card's HTML depends only on its article, section and byline, so it is kept in the cache under
the page cache's generation, which any change to those bumps.
"""

from django.core.cache import cache
from django.template.loader import render_to_string
from django.utils.safestring import mark_safe
from django.utils.translation import get_language

from . import pagecache


def render_cards(articles, level=2, lead=False) -> list[str]:
    """The card HTML of each article, in order, from the cache where it is there."""
    articles = list(articles)
    if not articles:
        return []
    prefix = f"card:{pagecache.generation()}:{get_language()}:{level}:{int(lead)}:"
    found = cache.get_many([prefix + str(a.pk) for a in articles])
    missing = {}
    cards = []
    for article in articles:
        html = found.get(prefix + str(article.pk))
        if html is None:
            html = render_to_string("includes/card.html", {"article": article, "level": level, "is_lead": lead})
            missing[prefix + str(article.pk)] = html
        cards.append(mark_safe(html))  # rendered by our own template, escaped there
    if missing:
        cache.set_many(missing, timeout=3600)
    return cards
