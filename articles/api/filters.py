"""The API's query parameters: read, checked (a bad one is a 400 naming it and why, never a
500), and applied to a queryset. Its cursor pagination, with the same care."""

from base64 import b64decode
from datetime import UTC
from urllib.parse import parse_qs

from django.conf import settings
from django.db.models import Q
from django.utils.dateparse import parse_datetime
from django.utils.translation import gettext_lazy as _
from rest_framework import serializers
from rest_framework.exceptions import NotFound, ValidationError
from rest_framework.pagination import CursorPagination

from ..models import Author, Category, Tag
from .serializers import ARTICLE_FIELDS


def _representable(when):
    """A time every database can compare (a far year with an offset overflows on the way to UTC)."""
    try:
        when.astimezone(UTC)
    except (OverflowError, ValueError):
        return False
    return 1900 <= when.year <= 9998


class FieldsParameter(serializers.Serializer):
    fields = serializers.CharField(
        required=False,
        help_text="Comma-separated names of the fields to answer with (all when absent): " + ", ".join(ARTICLE_FIELDS),
    )

    def validate_fields(self, value):
        names = [name.strip() for name in value.split(",") if name.strip()]
        unknown = sorted(set(names) - set(ARTICLE_FIELDS))
        if unknown:
            raise serializers.ValidationError(
                _("Unknown field(s): %(unknown)s. Choose from: %(known)s.")
                % {"unknown": ", ".join(unknown), "known": ", ".join(ARTICLE_FIELDS)}
            )
        return names

    def chosen(self) -> list[str]:
        return self.validated_data.get("fields") or list(ARTICLE_FIELDS)


class ArticleFilters(FieldsParameter):
    section = serializers.CharField(
        required=False, max_length=500, help_text="A section's path (`news/city`): its stories and those below it."
    )
    tag = serializers.CharField(required=False, max_length=100, help_text="A tag's slug.")
    author = serializers.CharField(
        required=False, max_length=120, help_text="An author's slug: stories with them anywhere on the byline."
    )
    language = serializers.CharField(
        required=False, max_length=20, help_text="A language tag (`zh-hans`), or its language alone (`zh`)."
    )
    modified_since = serializers.DateTimeField(
        required=False, help_text="Only stories changed at or after this time (ISO 8601)."
    )

    def validate_section(self, value):
        section = Category.objects.filter(path=value.strip("/")).first()
        if section is None:
            raise serializers.ValidationError(_("No section has the path “%(path)s”.") % {"path": value})
        return section

    def validate_tag(self, value):
        tag = Tag.objects.filter(slug=value).first()
        if tag is None:
            raise serializers.ValidationError(_("No tag has the slug “%(slug)s”.") % {"slug": value})
        return tag

    def validate_author(self, value):
        author = Author.objects.filter(slug=value).first()
        if author is None:
            raise serializers.ValidationError(_("No author has the slug “%(slug)s”.") % {"slug": value})
        return author

    def validate_modified_since(self, value):
        if not _representable(value):
            raise serializers.ValidationError(_("Give a time between the years 1900 and 9998."))
        return value

    def filter(self, queryset):
        given = self.validated_data
        if section := given.get("section"):
            queryset = queryset.in_category(section)
        if tag := given.get("tag"):
            queryset = queryset.filter(tagged_items__tag=tag)
        if author := given.get("author"):
            queryset = queryset.filter(bylines__author=author)
        if language := given.get("language"):
            queryset = queryset.filter(Q(language__iexact=language) | Q(language__istartswith=f"{language}-"))
        if (since := given.get("modified_since")) is not None:
            queryset = queryset.filter(last_modified__gte=since)
        return queryset


class Cursor(CursorPagination):
    """Keyset pagination: each page continues from the last row of the one before, so a page
    costs the same at any depth and a story published meanwhile never shifts what follows."""

    page_size_query_param = "page_size"
    invalid_cursor_message = _("This cursor is not one the API gave: start again without it.")

    def get_page_size(self, request):
        raw = request.query_params.get(self.page_size_query_param)
        if raw is None:
            return settings.API_PAGE_SIZE
        try:
            size = int(raw)
        except ValueError:
            size = 0
        if size < 1:
            raise ValidationError({self.page_size_query_param: [_("Give a whole number of at least 1.")]})
        return min(size, settings.API_MAX_PAGE_SIZE)

    def decode_cursor(self, request):
        try:
            cursor = super().decode_cursor(request) if self._well_formed(request) else False
        except NotFound:
            cursor = False
        if cursor is None:
            return None
        if cursor is False or (cursor.position is not None and not self.valid_position(cursor.position)):
            raise ValidationError({self.cursor_query_param: [self.invalid_cursor_message]})
        return cursor

    def _well_formed(self, request) -> bool:
        """What `encode_cursor` writes: base64 of a query string of o, r and p, no other."""
        encoded = request.query_params.get(self.cursor_query_param)
        if encoded is None:
            return True
        try:
            tokens = parse_qs(b64decode(encoded.encode("ascii"), validate=True).decode("ascii"), keep_blank_values=True)
        except (ValueError, UnicodeError):
            return False
        return bool(tokens) and set(tokens) <= {"o", "r", "p"}

    def valid_position(self, position: str) -> bool:
        return "\x00" not in position  # PostgreSQL refuses NUL in text


class StoryCursor(Cursor):
    ordering = ("-published_at", "-id")

    def valid_position(self, position: str) -> bool:
        try:
            when = parse_datetime(position) if super().valid_position(position) else None
        except ValueError:  # well formed, not a time (month 13)
            return False
        return when is not None and _representable(when)


class NamedCursor(Cursor):
    """Sections, authors and tags, in the order of a unique field (`ordering`)."""
