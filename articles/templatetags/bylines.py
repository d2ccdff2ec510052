"""`{% byline authors %}` in Django templates: the same byline markup the cards render (one
home: templates/jinja2/cards/byline.html)."""

from django import template
from django.template import engines

register = template.Library()


@register.simple_tag
def byline(authors):
    macro = engines["jinja2"].env.get_template("cards/byline.html").module.byline
    return macro(authors)
