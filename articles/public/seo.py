"""Structured data for search engines and link previews."""

import json

from django.conf import settings
from django.utils import timezone
from django.utils.safestring import mark_safe

from ..languages import language_tag

# As django.utils.html.json_script escapes: the JSON sits inside a <script> element.
_SCRIPT_SAFE = {ord("<"): "\\u003C", ord(">"): "\\u003E", ord("&"): "\\u0026"}


def news_article_json_ld(article, request) -> str:
    """schema.org NewsArticle for `article`, ready to place in a <script type="application/ld+json">."""

    def absolute(url):
        return url if url.startswith(("http://", "https://")) else request.build_absolute_uri(url)

    data = {
        "@context": "https://schema.org",
        "@type": "NewsArticle",
        "headline": article.title[:110],
        "description": article.standfirst,
        "mainEntityOfPage": absolute(article.get_absolute_url()),
        "datePublished": timezone.localtime(article.published_at).isoformat() if article.published_at else None,
        "dateModified": timezone.localtime(article.last_substantive_change).isoformat(),
        "author": [
            {"@type": "Person", "name": author.name, "url": absolute(author.get_absolute_url())}
            for author in article.byline
        ],
        "publisher": {"@type": "Organization", "name": settings.SITE_NAME, "url": absolute("/")},
        "inLanguage": language_tag(article.language),
    }
    if settings.CORRECTIONS_POLICY_URL:
        data["publisher"]["correctionsPolicy"] = absolute(settings.CORRECTIONS_POLICY_URL)
    if article.lead_image_src:
        data["image"] = [absolute(article.lead_image_src)]
    if corrections := [c for c in article.shown_corrections if c.kind in c.CORRECTS]:
        data["correction"] = [correction_comment(c) for c in corrections]
    data = {key: value for key, value in data.items() if value not in (None, "")}
    return mark_safe(json.dumps(data, ensure_ascii=False).translate(_SCRIPT_SAFE))


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
