"""`{% byline authors %}` in Django templates: the byline the cards show (one home:
`articles.public.jinja2.byline`)."""

from django import template

from ..public.jinja2 import byline as render_byline

register = template.Library()


@register.simple_tag
def byline(authors):
    return render_byline(authors)
