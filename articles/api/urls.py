from django.urls import path, re_path
from drf_spectacular.views import SpectacularAPIView

from . import views

app_name = "api"

urlpatterns = [
    path("articles/", views.ArticleList.as_view(), name="articles"),
    # Any integer, so that a negative one is the API's 404 (JSON), not the site's page.
    re_path(r"^articles/(?P<pk>-?[0-9]{1,20})/$", views.ArticleDetail.as_view(), name="article"),
    path("sections/", views.SectionList.as_view(), name="sections"),
    path("authors/", views.AuthorList.as_view(), name="authors"),
    path("tags/", views.TagList.as_view(), name="tags"),
    path("schema/", SpectacularAPIView.as_view(), name="schema"),
    # Anything else under the API is the API's 404 (JSON, as its clients read), not the site's page.
    re_path(r"", views.not_found),
]
