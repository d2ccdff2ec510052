from django.urls import path
from drf_spectacular.views import SpectacularAPIView

from . import views

app_name = "api"

urlpatterns = [
    path("articles/", views.ArticleList.as_view(), name="articles"),
    path("articles/<int:pk>/", views.ArticleDetail.as_view(), name="article"),
    path("sections/", views.SectionList.as_view(), name="sections"),
    path("authors/", views.AuthorList.as_view(), name="authors"),
    path("tags/", views.TagList.as_view(), name="tags"),
    path("schema/", SpectacularAPIView.as_view(), name="schema"),
]
