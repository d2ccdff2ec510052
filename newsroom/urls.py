from django.conf import settings
from django.conf.urls.static import static
from django.contrib import admin
from django.contrib.sitemaps import views as sitemap_views
from django.templatetags.static import static as static_url
from django.urls import include, path
from django.utils.functional import lazy
from django.views.generic import RedirectView

from articles.public.middleware import reads
from articles.public.paging import page_number
from articles.public.sitemaps import SITEMAPS
from articles.public.views import robots_txt

admin.site.site_header = admin.site.site_title = f"{settings.SITE_NAME} admin"

urlpatterns = [
    path("admin/", admin.site.urls),
    # Browsers ask for /favicon.ico on every page, the admin's included. Lazy: the hashed name
    # exists only after collectstatic, which must not be needed to import the URLconf; temporary,
    # because the hashed name changes with the icon.
    path("favicon.ico", RedirectView.as_view(url=lazy(static_url, str)("favicon.svg"))),
    # An index of one sitemap per kind, each paginated: 5,000 articles a page, all of them listed.
    path(
        "sitemap.xml",
        reads()(sitemap_views.index),
        {"sitemaps": SITEMAPS, "sitemap_url_name": "sitemap-section"},
        name="sitemap",
    ),
    path(
        "sitemaps/<section>.xml",
        reads(p=page_number)(sitemap_views.sitemap),
        {"sitemaps": SITEMAPS},
        name="sitemap-section",
    ),
    path("robots.txt", robots_txt, name="robots"),
    path("api/v1/", include("articles.api.urls")),
    path("", include("articles.public.urls")),
]

if settings.DEBUG:
    urlpatterns += static(settings.MEDIA_URL, document_root=settings.MEDIA_ROOT)
