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


def top_sections() -> ShownSections:
    """The sections the navigation lists (and the home page's rails): the top ones published
    stories use."""
    return ShownSections(Category.objects.public_children())


def site(request):
    """Site name, and the top-level sections for the navigation (queried only if a template
    asks: the header is a kept fragment)."""
    return {"site_name": settings.SITE_NAME, "top_sections": top_sections}
