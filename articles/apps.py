from django.apps import AppConfig


class ArticlesConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "articles"
    verbose_name = "Newsroom"

    def ready(self):
        from django.db.models.signals import post_migrate

        from . import after_write, history

        history.register_models()  # revisions of articles, bylines, tags, authors and sections
        post_migrate.connect(sync_site, sender=self)
        after_write.connect_signals()


def sync_site(**kwargs):
    """After migrate (and flush): the sites framework's one Site follows SITE_DOMAIN and SITE_NAME
    (feeds, sitemaps and the admin's "view on site" build absolute addresses from it), and the
    search index forgets articles that are gone."""
    from django.conf import settings
    from django.contrib.sites.models import Site

    from . import search

    Site.objects.update_or_create(
        pk=settings.SITE_ID, defaults={"domain": settings.SITE_DOMAIN, "name": settings.SITE_NAME}
    )
    search.prune()
