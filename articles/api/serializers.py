"""What the API says of a story, a section, an author and a tag: readers' content only (the
sanitised body, the byline with its roles, renditions, the corrections as they read now)."""

from django.conf import settings
from django.db.models import Prefetch
from django.db.models.functions import Coalesce, Greatest
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from .. import bylines, renditions
from ..models import Article, Author, Byline, Category, Correction, Tag


def absolute(url: str, context) -> str:
    """An address readers can follow: from the request when there is one (the API), else from
    SITE_DOMAIN (a webhook's payload, built by a job)."""
    if not url or url.startswith(("http://", "https://")):
        return url
    if request := context.get("request"):
        return request.build_absolute_uri(url)
    scheme = "https" if settings.SECURE_SSL_REDIRECT else "http"
    return f"{scheme}://{settings.SITE_DOMAIN}{url}"


@extend_schema_field(OpenApiTypes.URI)
class AddressField(serializers.Field):
    """The object's reader address (`get_absolute_url`), absolute."""

    def __init__(self, **kwargs):
        super().__init__(source="*", read_only=True, **kwargs)

    def to_representation(self, instance):
        return absolute(instance.get_absolute_url(), self.context)


class SectionSerializer(serializers.ModelSerializer):
    url = AddressField()
    parent = serializers.PrimaryKeyRelatedField(read_only=True, allow_null=True)

    class Meta:
        model = Category
        fields = ["id", "name", "slug", "path", "full_name", "parent", "description", "url"]


class SectionBriefSerializer(serializers.ModelSerializer):
    url = AddressField()

    class Meta:
        model = Category
        fields = ["id", "name", "path", "full_name", "url"]


class AuthorSerializer(serializers.ModelSerializer):
    url = AddressField()
    photo = serializers.SerializerMethodField()
    website = serializers.CharField(source="safe_website", read_only=True)

    class Meta:
        model = Author
        fields = ["id", "name", "slug", "bio", "photo", "website", "url"]

    @extend_schema_field(serializers.URLField(allow_null=True))
    def get_photo(self, author):
        return absolute(author.photo.url, self.context) if author.photo else None


class AuthorBriefSerializer(serializers.ModelSerializer):
    url = AddressField()

    class Meta:
        model = Author
        fields = ["id", "name", "slug", "url"]


class TagSerializer(serializers.ModelSerializer):
    url = AddressField()

    class Meta:
        model = Tag
        fields = ["id", "name", "slug", "url"]


class BylineEntrySerializer(serializers.Serializer):
    """One name on the byline (an author carrying its role on this story)."""

    author = AuthorBriefSerializer(source="*")
    role = serializers.CharField(
        help_text="Empty for a plain author; a known role in English, or as the editor typed it."
    )
    is_author = serializers.SerializerMethodField(help_text="Whether they wrote it (else they contributed).")

    def get_is_author(self, entry) -> bool:
        return bylines.is_author(entry)


class CorrectionSerializer(serializers.ModelSerializer):
    class Meta:
        model = Correction
        fields = ["id", "kind", "text", "published_at"]


class ImageSerializer(serializers.Serializer):
    width = serializers.IntegerField()
    height = serializers.IntegerField()
    url = serializers.URLField()


class LeadImageSerializer(serializers.Serializer):
    src = serializers.CharField(help_text="The largest copy readers are served (or the remote image).")
    alt = serializers.CharField(help_text="Empty when the image is decorative or has no alt text yet.")
    decorative = serializers.BooleanField()
    caption = serializers.CharField()
    credit = serializers.CharField()
    copyright = serializers.CharField()
    license_url = serializers.CharField()
    renditions = ImageSerializer(many=True, help_text="Reader-size copies, narrowest first.")
    crops = ImageSerializer(many=True, help_text="16:9, 4:3 and square crops around the focal point.")


class ArticleSerializer(serializers.ModelSerializer):
    """`fields` (a set of names) leaves out every other field: `?fields=`."""

    url = AddressField()
    section = SectionBriefSerializer(source="category", allow_null=True)
    byline = BylineEntrySerializer(many=True)
    tags = serializers.SerializerMethodField()
    lead_image = serializers.SerializerMethodField()
    corrections = CorrectionSerializer(source="current_corrections", many=True)
    updated_at = serializers.DateTimeField(
        source="updated_after_publication", allow_null=True, help_text='The "Updated" time readers see, if any.'
    )
    modified_at = serializers.DateTimeField(
        source="last_modified", help_text="The last change of any kind (what `modified_since` compares)."
    )

    class Meta:
        model = Article
        fields = [
            "id",
            "url",
            "title",
            "slug",
            "standfirst",
            "body",
            "language",
            "published_at",
            "updated_at",
            "modified_at",
            "section",
            "byline",
            "tags",
            "lead_image",
            "corrections",
            "featured",
        ]
        extra_kwargs = {"body": {"help_text": "Sanitised HTML, as readers get it."}}

    def __init__(self, *args, fields=None, **kwargs):
        super().__init__(*args, **kwargs)
        if fields is not None:
            for name in set(self.fields) - set(fields):
                self.fields.pop(name)

    @extend_schema_field(TagSerializer(many=True))
    def get_tags(self, article):
        tags = sorted(article.tags.all(), key=lambda tag: tag.name.casefold())  # prefetched
        return TagSerializer(tags, many=True, context=self.context).data

    @extend_schema_field(LeadImageSerializer(allow_null=True))
    def get_lead_image(self, article):
        src = article.lead_image_src
        if not src:
            return None
        copies = [
            {**copy, "url": absolute(copy["url"], self.context)} for copy in renditions.copies(article.lead_renditions)
        ]
        crops = [{**crop, "url": absolute(crop["url"], self.context)} for crop in article.lead_crops]
        return {
            "src": absolute(src, self.context),
            "alt": article.lead_image_alt_text,
            "decorative": article.lead_image_decorative,
            "caption": article.lead_image_caption,
            "credit": article.lead_image_credit,
            "copyright": article.lead_image_copyright,
            "license_url": article.lead_image_license_url,
            "renditions": copies,
            "crops": crops,
        }


ARTICLE_FIELDS = ArticleSerializer.Meta.fields


def published_articles(fields=ARTICLE_FIELDS):
    """What the API (and a webhook's payload) lists: the publication rule, with what `fields`
    show read in a fixed number of queries, whatever the number of stories."""
    queryset = Article.objects.published().annotate(
        last_modified=Greatest("updated_at", Coalesce("substantively_updated_at", "updated_at"))
    )
    if "section" in fields:
        queryset = queryset.select_related("category")
    if "byline" in fields:
        queryset = queryset.prefetch_related(Prefetch("bylines", queryset=Byline.objects.select_related("author")))
    if "tags" in fields:
        queryset = queryset.prefetch_related("tags")
    if "corrections" in fields:
        current = Correction.objects.current().order_by("published_at", "pk")
        queryset = queryset.prefetch_related(Prefetch("corrections", queryset=current, to_attr="current_corrections"))
    return queryset.defer("body_source", "extra", "missing_images")
