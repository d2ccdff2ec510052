"""`{% byline authors %}` in Django templates: the byline as the card templates give it (one
home: `articles.bylines.byline`)."""

from django import template

from ..bylines import byline as render_byline

register = template.Library()


@register.simple_tag
def byline(authors, authors_only=False):
    return render_byline(authors, authors_only=authors_only)
