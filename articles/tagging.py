"""Merging tags: one home for the rule, so the admin action (and any later command) share it."""

from dataclasses import dataclass

from django.db import transaction

from . import freshness
from .models import Article, Tag, TaggedArticle


@dataclass
class MergeResult:
    moved: int  # articles that gained the surviving tag
    already_tagged: int  # articles that had it already (their duplicate tagging is dropped)
    deleted: list[str]  # names of the tags merged away


def merge_tags(survivor: Tag, others) -> MergeResult:
    """Every article tagged with one of `others` ends up tagged once with `survivor`; `others`
    are deleted. All or nothing."""
    others = [tag for tag in others if tag.pk != survivor.pk]
    with transaction.atomic(), freshness.batch():
        tagged = set(
            TaggedArticle.objects.filter(tag__in=others).values_list("content_object_id", flat=True).distinct()
        )
        has_it = set(
            TaggedArticle.objects.filter(tag=survivor, content_object_id__in=tagged).values_list(
                "content_object_id", flat=True
            )
        )
        TaggedArticle.objects.bulk_create(
            [TaggedArticle(tag=survivor, content_object_id=pk) for pk in sorted(tagged - has_it)]
        )
        Tag.objects.filter(pk__in=[tag.pk for tag in others]).delete()
        # A form opened before the merge would save the merged-away tag back: it is an edit.
        Article.objects.filter(pk__in=tagged).bulk_edit(regrouped=True)
    return MergeResult(
        moved=len(tagged - has_it), already_tagged=len(tagged & has_it), deleted=[t.name for t in others]
    )
