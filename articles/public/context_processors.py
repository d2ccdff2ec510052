from django.conf import settings
from django.utils.functional import SimpleLazyObject

from .. import freshness
from ..models import Category


def site(request):
    """Site name, the top-level sections for the navigation (queried only if a template asks),
    and the content generation that keys fragments cached until content changes."""
    return {
        "site_name": settings.SITE_NAME,
        "top_sections": lambda: list(Category.objects.filter(parent__isnull=True)),
        # A fragment keyed by it renews on any change and when a scheduled story goes live.
        "content_generation": SimpleLazyObject(freshness.version),
    }
