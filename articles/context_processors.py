from django.conf import settings

from .models import Category


def site(request):
    """Site name and the top-level sections for the navigation (queried only if a template asks)."""
    return {
        "site_name": settings.SITE_NAME,
        "top_sections": lambda: list(Category.objects.filter(parent__isnull=True)),
    }
