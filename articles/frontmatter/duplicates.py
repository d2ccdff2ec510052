"""Likely duplicates among imported articles: listed for an editor, never merged."""

from django.db.models import Count

from ..models import Article, Byline


def likely_duplicates(article_ids: list[int]) -> list[tuple[str, list[str]]]:
    """Groups of source paths that look like one story: an identical body, or the same first
    byline, publication time and lead image (hexo-news re-publishes stories under new titles)."""
    touched = set(article_ids)
    groups = []
    same_body = (
        Article.objects.exclude(body_hash="")
        .values("body_hash")
        .annotate(n=Count("id"))
        .filter(n__gt=1)
        .values_list("body_hash", flat=True)
    )
    for body_hash in same_body:
        members = list(Article.objects.filter(body_hash=body_hash).values_list("id", "source_path"))
        if touched & {pk for pk, _ in members}:
            groups.append(("identical body", sorted(path or f"article {pk}" for pk, path in members)))
    same_story = (
        Byline.objects.filter(position=0)
        .exclude(article__lead_image_url="")
        .exclude(article__published_at=None)
        .values("author_id", "article__published_at", "article__lead_image_url")
        .annotate(n=Count("article_id"))
        .filter(n__gt=1)
    )
    for row in same_story:
        members = list(
            Article.objects.filter(
                bylines__position=0,
                bylines__author_id=row["author_id"],
                published_at=row["article__published_at"],
                lead_image_url=row["article__lead_image_url"],
            ).values_list("id", "source_path")
        )
        paths = sorted(path or f"article {pk}" for pk, path in members)
        if touched & {pk for pk, _ in members} and ("identical body", paths) not in groups:
            groups.append(("same byline, time and lead image", paths))
    return groups
