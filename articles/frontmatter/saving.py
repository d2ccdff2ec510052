"""Writing mapped files to the database: a batch in one transaction, and when a batch fails, each
file in its own, so one bad file leaves nothing half-written and costs the others nothing."""

from dataclasses import dataclass, field
from pathlib import Path

from django.db import DatabaseError, IntegrityError, transaction

from ..after_write import after_write
from ..models import Article, Author, Byline, Category, Tag, TaggedArticle
from ..redirects import old_address, save_old_addresses
from ..slugs import slug_from_text, unique_slug
from .mapping import ArticleData, ImportOptions

CREATED, UPDATED, UNCHANGED, SKIPPED, FAILED, CHECKED = (
    "created", "updated", "unchanged", "skipped", "failed", "checked",
)  # fmt: skip

# Fields an import writes on an article it updates.
IMPORTED_FIELDS = [
    "title", "slug", "standfirst", "body_source", "body_format", "body", "body_hash", "status",
    "published_at", "modified_at", "expires_at", "category", "lead_image", "lead_image_url",
    "lead_renditions", "lead_image_caption", "lead_image_credit",
    "language", "keywords", "featured", "extra", "source_key", "source_path", "source_hash",
    "imported_at", "updated_at", "edit_version",
]  # fmt: skip


@dataclass
class Outcome:
    """What happened to one file; the command prints it and the --report file lists it."""

    path: str
    outcome: str
    reason: str = ""
    warnings: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    article_id: int | None = None
    source_key: str = ""


class Writer:
    """Resolves bylines, sections and tags through caches that live as long as one import run."""

    def __init__(self, options: ImportOptions, now):
        self.options, self.now = options, now
        self._forget()

    def _forget(self):
        self.authors, self.categories, self.tags = {}, {}, {}

    def write(self, items: list[ArticleData], retry=True) -> list[Outcome]:
        try:
            with transaction.atomic():
                return self._write(items)
        except DatabaseError as exc:
            self._forget()  # rows created in the rolled-back transaction are gone
            if len(items) > 1:
                return [outcome for item in items for outcome in self.write([item])]
            if retry and isinstance(exc, IntegrityError):
                return self.write(items, retry=False)  # another import just wrote it: now it is found
            reason = f"could not be saved: {exc}".splitlines()[0]
            return [Outcome(items[0].source_path, FAILED, reason, items[0].warnings, items[0].notes)]
        except Exception as exc:  # noqa: BLE001 - one file's surprise must not stop the run
            self._forget()
            if len(items) > 1:
                return [outcome for item in items for outcome in self.write([item])]
            reason = f"unexpected error, please report it: {type(exc).__name__}: {exc}"
            return [Outcome(items[0].source_path, FAILED, reason, items[0].warnings, items[0].notes)]

    def _write(self, items: list[ArticleData]) -> list[Outcome]:
        existing = self._existing(items)
        outcomes, new, changed = {}, [], []
        for item in items:
            article = existing.get(item.source_key)
            if item.clash:
                reason = f"same identity ({item.source_key}) as {item.clash}, which still exists: not imported"
                outcomes[id(item)] = Outcome(item.source_path, FAILED, reason, item.warnings)
            elif article is None:
                new.append(item)
            elif article.source_hash == item.content_hash and article.source_path == item.source_path:
                outcomes[id(item)] = Outcome(item.source_path, UNCHANGED, article_id=article.pk)
            elif article.updated_at > article.imported_at and not self.options.overwrite:
                outcomes[id(item)] = Outcome(
                    item.source_path,
                    SKIPPED,
                    "an editor changed this article after it was imported; --overwrite replaces it",
                    article_id=article.pk,
                )
            else:
                changed.append((item, article))

        created, updated = self._create(new), self._update(changed)
        updated_ids = {article.pk for _, article in updated}
        self._replace_bylines_and_tags(created + updated, updated_ids)
        # Bulk writes: what Article.save would do after a write, once for the batch.
        after_write(
            [article for _, article in created + updated],
            documents=[(article.pk, item.search_document) for item, article in created + updated],
        )
        self._add_aliases(created + updated)
        for item, article in created + updated:
            outcomes[id(item)] = Outcome(
                item.source_path,
                UPDATED if article.pk in updated_ids else CREATED,
                warnings=item.warnings,
                notes=item.notes,
                article_id=article.pk,
                source_key=item.source_key,
            )
        return [outcomes[id(item)] for item in items]

    def _existing(self, items) -> dict[str, Article]:
        """Articles these files imported before, by the identity rule (README): the source key;
        an article another still-existing file owns is not this file's (a second site's
        `_posts/welcome.md`): the file is then known by its absolute path; and, for an archive
        that moved, the same content under the same file name whose old file is gone."""
        fields = ["id", "source_key", "source_hash", "source_path", "slug", "status", "published_at"]
        fields += ["created_at", "updated_at", "imported_at", "edit_version"]
        keys = {key for item in items for key in (item.source_key, absolute_key(item))}
        by_key = {a.source_key: a for a in Article.objects.filter(source_key__in=keys).only(*fields)}
        found, missing = {}, []
        for item in items:
            own = by_key.get(absolute_key(item))
            shared = by_key.get(item.source_key)
            if own is not None:
                item.source_key = own.source_key
                found[item.source_key] = own
            elif shared is not None and (shared.source_path == item.source_path or _gone(shared.source_path)):
                found[item.source_key] = shared
            elif shared is not None:
                if item.source_key.startswith("id:"):
                    item.clash = shared.source_path
                else:
                    item.source_key = absolute_key(item)
            else:
                missing.append(item)
        if missing:
            by_hash = {}
            for article in Article.objects.filter(source_hash__in=[i.content_hash for i in missing]).only(*fields):
                by_hash.setdefault(article.source_hash, []).append(article)
            for item in missing:
                name = Path(item.source_path).name
                for article in by_hash.get(item.content_hash, []):
                    if Path(article.source_path).name == name and _gone(article.source_path):
                        found[item.source_key] = article
                        break
        return found

    def _fill(self, article: Article, item: ArticleData, slug: str):
        article.title = item.title
        article.slug = slug
        article.standfirst = item.standfirst
        article.body_source = item.body_source
        article.body_format = item.body_format
        article.status = item.status
        # An undated file keeps the time its article first got: its address must not move.
        article.published_at = item.published_at or article.published_at
        article.modified_at = item.modified_at
        article.expires_at = item.expires_at
        paths = item.category_paths
        # Every section a file names exists; the article files under the first (one primary
        # section), and the rest stay listed in its extra data.
        sections = [self.category_for(path) for path in paths]
        article.category = sections[0] if sections else None
        article.lead_image = item.lead_image_file
        article.lead_renditions = item.lead_renditions
        article.lead_image_url = item.lead_image_url
        article.lead_image_caption = item.lead_image_caption
        article.lead_image_credit = item.lead_image_credit
        article.language = item.language
        article.keywords = item.keywords
        article.featured = item.featured
        article.extra = {**item.extra, **({"categories": paths} if len(paths) > 1 else {})}
        article.source_key = item.source_key
        article.source_path = item.source_path
        article.source_hash = item.content_hash
        article.imported_at = self.now
        article.prepare_for_save(now=self.now, rendered_body=item.body)
        article._import_item = item

    def _create(self, items):
        slugs = self._unique_slugs([slug_from_text(i.slug or i.title) for i in items])
        articles = []
        for item, slug in zip(items, slugs, strict=True):
            article = Article()
            self._fill(article, item, slug)
            articles.append(article)
        Article.objects.bulk_create(articles)
        return [(a._import_item, a) for a in articles]

    def _update(self, pairs):
        results = []
        for item, article in pairs:
            wanted = slug_from_text(item.slug) if item.slug else article.slug
            slug = wanted if wanted == article.slug else self._unique_slugs([wanted], exclude=article.pk)[0]
            self._fill(article, item, slug)  # a move of its address is recorded by after_write
            results.append((item, article))
        Article.objects.bulk_update([a for _, a in results], IMPORTED_FIELDS, batch_size=200)
        return results

    def _unique_slugs(self, wanted: list[str], exclude=None) -> list[str]:
        """Slugs for a batch in one query; only a collision's suffixed candidates cost another."""
        others = Article.objects.exclude(pk=exclude)
        checked = set(wanted)
        taken = set(others.filter(slug__in=checked).values_list("slug", flat=True))
        result = []
        for slug in wanted:
            chosen = unique_slug(slug, lambda s: s in taken or (s not in checked and others.filter(slug=s).exists()))
            taken.add(chosen)
            result.append(chosen)
        return result

    def _replace_bylines_and_tags(self, pairs, updated_ids):
        if updated_ids:
            Byline.objects.filter(article_id__in=updated_ids).delete()
            TaggedArticle.objects.filter(content_object_id__in=updated_ids).delete()
        bylines, tagged = [], []
        for item, article in pairs:
            authors = list(dict.fromkeys(self.author_for(entry) for entry in item.authors))
            bylines += [Byline(article_id=article.pk, author_id=a, position=n) for n, a in enumerate(authors)]
            tags = dict.fromkeys(self.tag_for(name) for name in item.tags)
            tagged += [TaggedArticle(content_object_id=article.pk, tag_id=t) for t in tags]
        Byline.objects.bulk_create(bylines)
        TaggedArticle.objects.bulk_create(tagged)

    def _add_aliases(self, pairs):
        save_old_addresses(old_address(article, alias) for item, article in pairs for alias in item.aliases)

    def author_for(self, entry: dict) -> int:
        slug = slug_from_text(entry["name"], fallback="author")
        if slug not in self.authors:
            author, _ = Author.objects.get_or_create(
                slug=slug, defaults={"name": entry["name"], "email": entry["email"], "website": entry["website"][:500]}
            )
            self.authors[slug] = author.pk
        return self.authors[slug]

    def category_for(self, names: list[str]) -> Category:
        key = tuple(names)
        if key not in self.categories:
            parent = self.category_for(names[:-1]) if len(names) > 1 else None
            # By name: "C#" and "C++" share a slug but are two sections (the new one's slug gets a suffix).
            self.categories[key], _ = Category.objects.get_or_create(parent=parent, name=names[-1][:200])
        return self.categories[key]

    def tag_for(self, name: str) -> int:
        name = name[: Tag._meta.get_field("name").max_length]
        key = name.lower()
        if key not in self.tags:
            tag = Tag.objects.filter(name__iexact=name).first()
            if tag is None:
                try:
                    with transaction.atomic():
                        tag = Tag.objects.create(name=name)
                except IntegrityError:  # another import created it a moment ago
                    tag = Tag.objects.get(name__iexact=name)
            self.tags[key] = tag.pk
        return self.tags[key]


def absolute_key(item: ArticleData) -> str:
    """The identity a file falls back to when its source key belongs to another file."""
    from .mapping import source_key

    return source_key(Path(item.source_path), None, item.language, anchored=False)


def _gone(path: str) -> bool:
    return not path or not Path(path).exists()
