from django.conf import settings

from .. import freshness
from ..freshness import shown
from ..models import Category


class ShownSections(list):
    """Sections that declare themselves shown wherever they are gone through: in the kept
    header fragment as in the view that read them."""

    def __iter__(self):
        freshness.shows(shown.NAVIGATION, *(shown.section(s.pk) for s in list.__iter__(self)))
        return super().__iter__()


def top_sections(sections=None) -> ShownSections:
    """The sections the navigation lists (and the home page's rails): the top ones published
    stories use (or those of `sections`, a view's `public_children_of(None, …)`)."""
    return ShownSections(sections if sections is not None else Category.objects.public_children_of(None)[0])


def site(request):
    """Site name, and the top-level sections for the navigation (queried only if a template
    asks: the header is a kept fragment)."""
    return {"site_name": settings.SITE_NAME, "top_sections": top_sections}
