"""Structured data for search engines and link previews."""

import json

from django.conf import settings
from django.utils import timezone
from django.utils.safestring import mark_safe

from .. import bylines
from ..images import first_body_image
from ..languages import language_tag
from ..text import plain_text

# As django.utils.html.json_script escapes: the JSON sits inside a <script> element.
_SCRIPT_SAFE = {ord("<"): "\\u003C", ord(">"): "\\u003E", ord("&"): "\\u0026"}


def news_article_json_ld(article, request) -> str:
    """schema.org NewsArticle for `article`, ready to place in a <script type="application/ld+json">."""

    def absolute(url):
        return url if url.startswith(("http://", "https://")) else request.build_absolute_uri(url)

    def people(entries):
        return [{"@type": "Person", "name": e.name, "url": absolute(e.get_absolute_url())} for e in entries]

    publisher = {"@type": "Organization", "name": settings.SITE_NAME, "url": absolute("/")}
    data = {
        "@context": "https://schema.org",
        "@type": "NewsArticle",
        "headline": article.title[:110],
        "description": article.standfirst,
        "mainEntityOfPage": absolute(article.get_absolute_url()),
        "datePublished": timezone.localtime(article.published_at).isoformat() if article.published_at else None,
        "dateModified": timezone.localtime(article.last_substantive_change).isoformat(),
        # Who wrote it; photographers, translators and editors contributed (and translated). A
        # story no one is named as writing (only its photographer, or nobody) is the publisher's.
        "author": people(bylines.authors(article.byline)) or [publisher],
        "contributor": people(bylines.contributors(article.byline)) or None,
        "translator": people(e for e in article.byline if e.role == bylines.TRANSLATED) or None,
        "publisher": dict(publisher),
        "inLanguage": language_tag(article.language),
    }
    if settings.CORRECTIONS_POLICY_URL:
        data["publisher"]["correctionsPolicy"] = absolute(settings.CORRECTIONS_POLICY_URL)
    if images := image_objects(article, absolute):
        data["image"] = images
    if corrections := [c for c in article.shown_corrections if c.kind in c.CORRECTS]:
        data["correction"] = [correction_comment(c) for c in corrections]
    data = {key: value for key, value in data.items() if value not in (None, "")}
    return mark_safe(json.dumps(data, ensure_ascii=False).translate(_SCRIPT_SAFE))


def image_objects(article, absolute) -> list[dict]:
    """schema.org ImageObjects for NewsArticle `image`: the lead image's 16:9, 4:3 and square
    crops (Google asks for the three, at least 1,200 px wide), each with its credit and rights;
    the lead image as it is while its crops are being made or when it is remote; else the
    body's first image, so that no story with a picture goes without one."""
    rights = {
        "caption": article.lead_image_caption,
        "creditText": article.lead_image_credit,
        "copyrightNotice": article.lead_image_copyright,
        "license": article.lead_image_license_url,
        "acquireLicensePage": article.lead_image_acquire_license_url,
    }
    rights = {key: value for key, value in rights.items() if value}
    if crops := article.lead_crops:
        return [
            {"@type": "ImageObject", "url": absolute(c["url"]), "width": c["width"], "height": c["height"], **rights}
            for c in crops
        ]
    if article.lead_image_src:
        return [{"@type": "ImageObject", "url": absolute(article.lead_image_src), **rights}]
    if src := first_body_image(article.body):
        return [{"@type": "ImageObject", "url": absolute(src)}]
    return []


def correction_comment(correction) -> dict:
    """schema.org CorrectionComment: what a story's `correction` lists."""
    comment = {
        "@type": "CorrectionComment",
        "text": correction.text,
        "datePublished": timezone.localtime(correction.published_at).isoformat(),
    }
    if correction.amended_at:
        comment["dateModified"] = timezone.localtime(correction.amended_at).isoformat()
    return comment


def live_blog_json_ld(article, request, live) -> str:
    """schema.org LiveBlogPosting for a live story (or one once live): the NewsArticle's
    properties, its coverage times, and the entries its page shows first as `liveBlogUpdate`s
    (Google's live-blog rich result reads those)."""
    data = json.loads(str(news_article_json_ld(article, request)))
    data["@type"] = "LiveBlogPosting"
    data["coverageStartTime"] = timezone.localtime(article.coverage_start).isoformat()
    if article.coverage_end:
        data["coverageEndTime"] = timezone.localtime(article.coverage_end).isoformat()
    page = request.build_absolute_uri(article.get_absolute_url())
    data["liveBlogUpdate"] = [
        {
            "@type": "BlogPosting",
            "headline": plain_text(entry.body)[:110] or article.title[:110],
            "articleBody": plain_text(entry.body),
            "datePublished": timezone.localtime(entry.posted_at).isoformat(),
            "url": f"{page}#entry-{entry.pk}",
            **({"author": {"@type": "Person", "name": entry.author.name}} if entry.author else {}),
        }
        for entry in [*live["pinned"], *live["entries"]]
    ]
    return mark_safe(json.dumps(data, ensure_ascii=False).translate(_SCRIPT_SAFE))
