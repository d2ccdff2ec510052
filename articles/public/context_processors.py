from django.conf import settings

from .. import freshness
from ..freshness import shown
from ..models import Banner, Category


class ShownSections(list):
    """Sections that declare themselves shown wherever they are gone through: in the kept
    header fragment as in the view that read them."""

    def __iter__(self):
        freshness.shows(shown.NAVIGATION, *(shown.section(s.pk) for s in list.__iter__(self)))
        return super().__iter__()


def top_sections() -> ShownSections:
    """The top sections published stories use (the home page's rails), in one plain query."""
    return ShownSections(Category.objects.public_children_of(None)[0])


def navigation_sections() -> ShownSections:
    """The sections the header lists: those editors chose, in their order (or a default)."""
    return ShownSections(Category.objects.navigation())


def banner() -> Banner | None:
    """The breaking-news banner readers see now, if any; every page declares it shows it (or
    its absence), so setting one, or its expiry, makes every page stale."""
    freshness.shows(shown.BANNER)
    return Banner.objects.current().first()


def site(request):
    """Site name, the navigation's sections and the banner (each queried only if a template
    asks: the header is a kept fragment)."""
    return {
        "site_name": settings.SITE_NAME,
        "navigation_sections": navigation_sections,
        "site_banner": banner,
    }
