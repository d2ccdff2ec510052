"""The API's views: Django REST framework's generic views over the querysets the serializers
module plans. Never kept by the page cache (`no-cache`: a scheduled story appears exactly at
its time); every answer has an ETag (ConditionalGetMiddleware), so a client that revalidates
gets a 304 when nothing changed."""

from django.http import JsonResponse
from django.utils.cache import patch_cache_control
from django.utils.translation import gettext as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import generics

from ..models import Author, Category, Tag
from .filters import ArticleFilters, FieldsParameter, NamedCursor, StoryCursor
from .serializers import (
    ArticleSerializer,
    AuthorSerializer,
    SectionSerializer,
    TagSerializer,
    published_articles,
)

# What a refused request gets: {"<parameter>": ["why", …]}, or {"detail": "why"}.
REFUSED = OpenApiResponse(OpenApiTypes.OBJECT, description="A parameter was refused: each named, with why.")
NOT_FOUND = OpenApiResponse(OpenApiTypes.OBJECT, description="No published story has this id.")


class Revalidated:
    def finalize_response(self, request, response, *args, **kwargs):
        response = super().finalize_response(request, response, *args, **kwargs)
        patch_cache_control(response, no_cache=True)
        return response


class ArticleFields:
    """`?fields=`: the serializer answers with those, and the queryset reads only what they need."""

    parameters = FieldsParameter

    def chosen_fields(self):
        if not hasattr(self, "_parameters"):
            self._parameters = self.parameters(data=self.request.query_params)
            self._parameters.is_valid(raise_exception=True)
        return self._parameters.chosen()

    def get_serializer(self, *args, **kwargs):
        return super().get_serializer(*args, fields=self.chosen_fields(), **kwargs)


@extend_schema(
    parameters=[ArticleFilters],
    responses={200: ArticleSerializer, 400: REFUSED},
    summary="Published stories, newest first",
)
class ArticleList(Revalidated, ArticleFields, generics.ListAPIView):
    serializer_class = ArticleSerializer
    pagination_class = StoryCursor
    parameters = ArticleFilters

    def get_queryset(self):
        fields = self.chosen_fields()
        return self._parameters.filter(published_articles(fields))


@extend_schema(
    parameters=[FieldsParameter],
    responses={200: ArticleSerializer, 400: REFUSED, 404: NOT_FOUND},
    summary="One published story",
)
class ArticleDetail(Revalidated, ArticleFields, generics.RetrieveAPIView):
    serializer_class = ArticleSerializer

    def get_queryset(self):
        return published_articles(self.chosen_fields())


@extend_schema(responses={200: SectionSerializer, 400: REFUSED}, summary="Sections readers can see, in tree order")
class SectionList(Revalidated, generics.ListAPIView):
    serializer_class = SectionSerializer
    pagination_class = type("SectionCursor", (NamedCursor,), {"ordering": "path"})
    queryset = Category.objects.public()


@extend_schema(responses={200: AuthorSerializer, 400: REFUSED}, summary="Authors of published stories")
class AuthorList(Revalidated, generics.ListAPIView):
    serializer_class = AuthorSerializer
    pagination_class = type("AuthorCursor", (NamedCursor,), {"ordering": "slug"})
    queryset = Author.objects.public()


@extend_schema(responses={200: TagSerializer, 400: REFUSED}, summary="Tags on published stories")
class TagList(Revalidated, generics.ListAPIView):
    serializer_class = TagSerializer
    pagination_class = type("TagCursor", (NamedCursor,), {"ordering": "slug"})
    queryset = Tag.objects.public()


def not_found(request, *args, **kwargs):
    return JsonResponse({"detail": _("There is nothing at this address in the API.")}, status=404)
