"""What a retracted story's addresses answer: 410 Gone, not 404 (it was published, and is
withdrawn for good, so search engines drop it at once). A retraction shows its headline, its
date and the editors' note, in the site's design and never indexed; a takedown shows nothing."""

from django.http import HttpResponseGone
from django.template.response import TemplateResponse

from ..models import Retraction


def gone(request, article):
    """The 410 for `article` (retracted) at any of its addresses."""
    try:
        retraction = article.retraction  # read with the article where the caller could
    except Retraction.DoesNotExist:
        retraction = None
    if retraction is None or retraction.is_takedown:  # no record: say nothing rather than too much
        return HttpResponseGone(b"")
    response = TemplateResponse(
        request, "articles/retracted.html", {"article": article, "retraction": retraction}, status=410
    )
    return response.render()
