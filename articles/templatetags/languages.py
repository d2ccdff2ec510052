"""`{{ code|language_tag }}`: an article's language as a `lang` attribute (`articles.languages`)."""

from django import template

from .. import languages

register = template.Library()
register.filter("language_tag", languages.language_tag)
