"""`{% correction c %}` in Django templates: a correction as an article's page shows it (one home:
templates/jinja2/includes/correction.html, rendered by Jinja2 like the article's main part)."""

from django import template
from django.template import engines
from django.utils.safestring import mark_safe

register = template.Library()


@register.simple_tag
def correction(correction):
    html = engines["jinja2"].get_template("includes/correction.html").render({"correction": correction})
    return mark_safe(html)  # our own template, escaped there
