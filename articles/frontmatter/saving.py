"""Writing mapped files to the database: a batch in one transaction, and when a batch fails, each
file in its own, so one bad file leaves nothing half-written and costs the others nothing."""

from dataclasses import dataclass, field
from enum import StrEnum

from django.contrib.auth import get_user_model
from django.core.files.storage import default_storage
from django.db import DatabaseError, IntegrityError, transaction
from django.db.models import Q

from .. import freshness, search
from ..after_write import after_write
from ..api import webhooks
from ..languages import language_tag
from ..models import Article, Author, Byline, Category, DeletedArticle, Retraction, Tag, TaggedArticle
from ..redirects import old_address, save_old_addresses
from ..slugs import slug_from_text, unique_slug
from .budget import OverBudget, time_limit
from .identity import Claimed, Decision, decide, lookup_keys
from .mapping import EXTRA_SECTIONS, ArticleData, ImportOptions, relative_image_references, rewrite_relative_images


class Outcome(StrEnum):
    """What an import did with one file. The members are strings ("created", …): the command's
    summary and the --report file show them as they are."""

    CREATED = "created"
    UPDATED = "updated"
    UNCHANGED = "unchanged"
    SKIPPED = "skipped"
    DELETED = "deleted"  # skipped: its article was deleted, and --restore-deleted was not given
    RETRACTED = "retracted"  # skipped: its article was retracted, which no import undoes (not even --overwrite)
    FAILED = "failed"
    CHECKED = "checked"  # read and mapped by a dry run


# Fields an import writes on an article it updates.
IMPORTED_FIELDS = [
    "title", "slug", "standfirst", "body_source", "body_format", "body", "body_hash", "reading_minutes", "status",
    "published_at", "substantively_updated_at", "expires_at", "category", "lead_image", "lead_image_url",
    "lead_renditions", "lead_image_caption", "lead_image_credit", "lead_image_alt", "lead_image_decorative",
    "lead_image_copyright", "lead_image_license_url", "lead_image_acquire_license_url", "lead_image_focus_x",
    "lead_image_focus_y",
    "language", "translation_key", "keywords", "featured", "extra", "source_key", "source_path", "source_hash",
    "imported_at", "updated_at", "edit_version", "missing_images",
]  # fmt: skip


# What putting back images found since an unchanged file's import writes (`Writer._put_back`).
PUT_BACK_FIELDS = [
    "body_source", "body", "body_hash", "reading_minutes", "lead_image", "lead_renditions", "extra", "missing_images", "edit_version",
]  # fmt: skip


@dataclass
class FileOutcome:
    """What happened to one file; the command prints it and the --report file lists it."""

    path: str
    outcome: Outcome
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

    def write(self, items: list[ArticleData], claimed: Claimed | None = None, retry=True) -> list[FileOutcome]:
        """Write `items`; `claimed` holds the source keys files of this run claimed (`Importer`)."""
        claimed = {} if claimed is None else claimed
        try:
            # One invalidation per batch; the archive's old stories are no news for webhooks.
            with transaction.atomic(), freshness.batch(), webhooks.importing():
                return self._write(items, claimed)
        except DatabaseError as exc:
            self._forget()  # rows created in the rolled-back transaction are gone
            if len(items) > 1:
                return [outcome for item in items for outcome in self.write([item], claimed)]
            if retry and isinstance(exc, IntegrityError):
                return self.write(items, claimed, retry=False)  # another import just wrote it: now it is found
            reason = f"could not be saved: {exc}".splitlines()[0]
            return [FileOutcome(items[0].source_path, Outcome.FAILED, reason, items[0].warnings, items[0].notes)]
        except Exception as exc:  # noqa: BLE001 - one file's surprise must not stop the run
            self._forget()
            if len(items) > 1:
                return [outcome for item in items for outcome in self.write([item], claimed)]
            reason = f"unexpected error, please report it: {type(exc).__name__}: {exc}"
            return [FileOutcome(items[0].source_path, Outcome.FAILED, reason, items[0].warnings, items[0].notes)]

    def _write(self, items: list[ArticleData], claimed: Claimed) -> list[FileOutcome]:
        outcomes, new, changed, restored, found = {}, [], [], [], []
        decisions = self._decide(items, claimed)
        retractions = retraction_reasons(d.article.pk for d in decisions if d.article and d.article.is_retracted)
        for item, decision in zip(items, decisions, strict=True):
            article = decision.article
            if decision.refusal:
                outcomes[id(item)] = FileOutcome(item.source_path, Outcome.FAILED, decision.refusal, item.warnings)
            elif article is not None and article.pk in retractions:
                outcomes[id(item)] = retracted(item.source_path, article.pk, retractions[article.pk])
            elif decision.deletion and not self.options.restore_deleted:
                self._follow(decision.deletion, item)
                reason = decision.deletion.reason
                outcomes[id(item)] = FileOutcome(item.source_path, Outcome.DELETED, reason, source_key=decision.key)
            elif article is None:
                if decision.deletion:
                    restored.append(decision.deletion.pk)
                new.append((item, decision.key))
            elif item.retraction:  # a retraction is an editor's recorded act: no file makes one
                outcomes[id(item)] = FileOutcome(
                    item.source_path,
                    Outcome.SKIPPED,
                    "its file says the story was retracted, and here it is not: an import never retracts "
                    "a story (an editor does, in the admin)",
                    item.warnings,
                    article_id=article.pk,
                )
            elif (article.source_hash, article.source_path) == (item.content_hash, item.source_path):
                if article.missing_images == item.missing_images:  # the same file, and no image it lacked found since
                    outcomes[id(item)] = FileOutcome(item.source_path, Outcome.UNCHANGED, article_id=article.pk)
                else:  # the same file, read again for images it lacked: they are all it brings
                    found.append((item, article))
            elif article.updated_at > article.imported_at and not self.options.overwrite:
                outcomes[id(item)] = FileOutcome(
                    item.source_path,
                    Outcome.SKIPPED,
                    "an editor changed this article after it was imported; --overwrite replaces it",
                    article_id=article.pk,
                )
            else:
                changed.append((item, decision.key, article))

        outcomes |= self._put_back(found)
        self._keep_one_version_a_language(new, changed)
        created, updated = self._create(new), self._update(changed)
        DeletedArticle.objects.filter(pk__in=restored).delete()  # brought back: forgotten, in the same transaction
        updated_ids = {article.pk for _, article in updated}
        self._replace_bylines_and_tags(created + updated, updated_ids)
        # Bulk writes: what Article.save would do after a write, once for the batch.
        after_write(
            [article for _, article in created + updated],
            documents=[(article.pk, item.search_document) for item, article in created + updated],
            regrouped=True,
        )
        self._add_aliases(created + updated)
        for item, article in created + updated:
            outcomes[id(item)] = FileOutcome(
                item.source_path,
                Outcome.UPDATED if article.pk in updated_ids else Outcome.CREATED,
                warnings=item.warnings,
                notes=item.notes,
                article_id=article.pk,
                source_key=article.source_key,
            )
        return [outcomes[id(item)] for item in items]

    @staticmethod
    def _keep_one_version_a_language(new, changed):
        """A file whose translation group already has a version in its language (another file,
        or one before it in this batch) is imported unlinked, with a warning naming that version:
        one query for the batch, none when no file names a group."""
        wanted = [(item, None) for item, _ in new] + [(item, article) for item, _, article in changed]
        wanted = [(item, article) for item, article in wanted if item.translation_key]
        if not wanted:
            return
        keys = {item.translation_key for item, _ in wanted}
        rows = Article.objects.filter(translation_key__in=keys).values_list(
            "pk", "translation_key", "language", "title"
        )
        taken = {(key, language_tag(language)): (pk, title) for pk, key, language, title in rows}
        for item, article in wanted:
            place = (item.translation_key, language_tag(item.language))
            holder = taken.get(place)
            if holder is not None and (article is None or holder[0] != article.pk):
                item.warnings.append(
                    f"translationKey {item.translation_key!r}: “{holder[1]}” is already its {place[1]} version; "
                    "imported without the link"
                )
                item.translation_key = ""
                continue
            taken[place] = (article.pk if article is not None else None, item.title)

    def _decide(self, items: list[ArticleData], claimed: Claimed) -> list[Decision]:
        """Which article each file is (`identity.decide`), from the articles and the deletions the
        database holds under the batch's keys and with its files' bytes, loaded here in three queries."""
        fields = ["id", "source_key", "source_hash", "source_path", "slug", "status", "published_at"]
        fields += ["created_at", "updated_at", "imported_at", "edit_version", "category", "featured", "missing_images"]
        fields += ["translation_key", "language"]
        keys = {key for item in items for key in lookup_keys(item)}
        by_key = {a.source_key: a for a in Article.objects.filter(source_key__in=keys).only(*fields)}
        hashes = {i.content_hash for i in items}
        by_hash = {}
        for article in Article.objects.filter(source_hash__in=hashes).only(*fields):
            by_hash.setdefault(article.source_hash, []).append(article)
        paths = {i.source_path for i in items}
        found = DeletedArticle.objects.filter(
            Q(source_key__in=keys) | Q(source_hash__in=hashes) | Q(source_path__in=paths)
        )
        found = list(found.select_related("deleted_by"))  # few: only what the batch's files were

        def deletions(item):
            mine = lookup_keys(item)
            return [
                d
                for d in found
                if d.source_key in mine or d.source_hash == item.content_hash or d.source_path == item.source_path
            ]

        return [decide(item, claimed, by_key, by_hash, deleted=deletions(item)) for item in items]

    @staticmethod
    def _follow(deletion: DeletedArticle, item: ArticleData):
        """A deletion follows its file as an article would (a move, an edit), so it still knows it next time."""
        if (deletion.source_path, deletion.source_hash) != (item.source_path, item.content_hash):
            deletion.source_path, deletion.source_hash = item.source_path, item.content_hash
            deletion.save(update_fields=["source_path", "source_hash"])

    def _fill(self, article: Article, item: ArticleData, key: str, slug: str):
        article.title = item.title
        article.slug = slug
        article.standfirst = item.standfirst
        article.body_source = item.body_source
        article.body_format = item.body_format
        article.status = item.status
        # An undated file keeps the time its article first got: its address must not move.
        article.published_at = item.published_at or article.published_at
        article.substantively_updated_at = item.modified_at  # the source's `updated`: an import is no update
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
        article.lead_image_alt = item.lead_image_alt
        article.lead_image_decorative = item.lead_image_decorative
        article.lead_image_copyright = item.lead_image_copyright
        article.lead_image_license_url = item.lead_image_license_url
        article.lead_image_acquire_license_url = item.lead_image_acquire_license_url
        article.lead_image_focus_x, article.lead_image_focus_y = item.lead_image_focus
        article.missing_images = item.missing_images
        article.language = item.language
        article.translation_key = item.translation_key
        article.keywords = item.keywords
        article.featured = item.featured
        article.extra = {**item.extra, **({EXTRA_SECTIONS: paths} if len(paths) > 1 else {})}
        article.source_key = key
        article.source_path = item.source_path
        article.source_hash = item.content_hash
        article.imported_at = self.now
        article.prepare_for_save(now=self.now, rendered_body=item.body)

    def _create(self, new):
        """Articles for (item, source key) pairs; (item, article) pairs back."""
        slugs = self._unique_slugs([_slug(item) for item, _ in new])
        results = []
        for (item, key), slug in zip(new, slugs, strict=True):
            article = Article()
            self._fill(article, item, key, slug)
            results.append((item, article))
        Article.objects.bulk_create([article for _, article in results])
        self._record_retractions(results)
        return results

    @staticmethod
    def _record_retractions(created):
        """A retracted story an export brought comes with its record, as it was (who, when, the
        note): the 410 page shows it, and it is what keeps the story retracted."""
        retracted = [(item.retraction, article) for item, article in created if item.retraction]
        if not retracted:
            return
        names = {record["by"] for record, _ in retracted if record["by"]}
        people = get_user_model()
        users = {u.get_username(): u for u in people.objects.filter(**{f"{people.USERNAME_FIELD}__in": names})}
        Retraction.objects.bulk_create(
            Retraction(
                article=article,
                kind=record["kind"],
                note=record["note"],
                retracted_at=record["retracted_at"],
                retracted_by=users.get(record["by"]),
            )
            for record, article in retracted
        )

    def _update(self, changed):
        """(item, source key, article) triples written onto their articles; (item, article) pairs back."""
        results = []
        for item, key, article in changed:
            wanted = _slug(item) if item.slug else article.slug
            slug = wanted if wanted == article.slug else self._unique_slugs([wanted], exclude=article.pk)[0]
            self._fill(article, item, key, slug)  # a move of its address is recorded by after_write
            results.append((item, article))
        Article.objects.bulk_update([a for _, a in results], IMPORTED_FIELDS, batch_size=200)
        return results

    def _put_back(self, found) -> dict:
        """Images an unchanged file's article lacked, found since, put into the article as it is
        now: an editor's changes stay, so this is no import over them (its import time stays, and
        a later change of the file is still theirs to allow, `--overwrite`). Only what the images
        touch is written: the body's references to them and the body rendered again, the lead
        image when it was the one missing, and the list of those still missing. An image found
        but unusable (a warning says why) is no longer looked for. {id(item): FileOutcome}."""
        if not found:
            return {}
        current = Article.objects.select_for_update().in_bulk([article.pk for _, article in found])
        outcomes, written, shown = {}, [], []
        for item, known in found:
            article = current[known.pk]
            found_now = {ref: name for ref, name in item.found_images.items() if ref in article.missing_images}
            addresses = {ref: default_storage.url(name) for ref, name in found_now.items()}
            in_body = set(relative_image_references(article.body_source)) & found_now.keys()
            put_back = [ref for ref in article.missing_images if ref in in_body]
            lead = (article.extra or {}).get("lead_image")
            if lead in found_now and not (article.lead_image or article.lead_image_url):
                article.lead_image, article.lead_renditions = found_now[lead], item.lead_renditions
                article.extra = {key: value for key, value in article.extra.items() if key != "lead_image"}
                article._refresh_lead_renditions()
                put_back += [lead] if lead not in put_back else []
            still_missing = set(item.missing_images)
            article.missing_images = [ref for ref in article.missing_images if ref in still_missing]
            if in_body:
                article.body_source = rewrite_relative_images(
                    article.body_source, lambda ref, _alt, found=addresses: found.get(ref)
                )
                try:
                    with time_limit(self.options.file_seconds):
                        # The file's own body, when the article still has it, was rendered by a worker.
                        article.derive_body(item.body if article.body_source == item.body_source else None)
                except OverBudget:
                    reason = (
                        f"took more than {self.options.file_seconds:g} s to render (IMPORT_FILE_SECONDS): "
                        "the images it lacked are not put back"
                    )
                    outcomes[id(item)] = FileOutcome(item.source_path, Outcome.FAILED, reason, item.warnings)
                    continue
            if put_back:
                article.edit_version += 1  # an admin form opened before is refused, not saved over them
                shown.append(article)
            written.append(article)
            notes = item.notes + [f"image {ref!r} found and put back" for ref in put_back]
            outcomes[id(item)] = FileOutcome(
                item.source_path,
                Outcome.UPDATED if put_back else Outcome.UNCHANGED,
                warnings=item.warnings,
                notes=notes,
                article_id=article.pk,
                source_key=article.source_key,
            )
        Article.objects.bulk_update(written, PUT_BACK_FIELDS)
        if shown:
            after_write(shown, documents=[(a.pk, search.document(a.title, a.standfirst, a.body)) for a in shown])
        return outcomes

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
            roles = {}  # author -> role: one entry a person, their first role (as the byline's rule)
            for entry in item.authors:
                roles.setdefault(self.author_for(entry), entry.get("role", ""))
            bylines += [
                Byline(article_id=article.pk, author_id=a, role=role, position=n)
                for n, (a, role) in enumerate(roles.items())
            ]
            tags = dict.fromkeys(self.tag_for(name) for name in item.tags)
            tagged += [TaggedArticle(content_object_id=article.pk, tag_id=t) for t in tags]
        Byline.objects.bulk_create(bylines)
        TaggedArticle.objects.bulk_create(tagged)

    def _add_aliases(self, pairs):
        save_old_addresses(old_address(article, alias) for item, article in pairs for alias in item.aliases)

    def author_for(self, entry: dict) -> int:
        """The author a byline entry stands for, by the one rule (`Author.objects.for_byline`):
        the same name with two different emails, or two different slugs, is two people. Cached by
        name, email and slug as written, which never joins what the rule keeps apart."""
        key = (" ".join(entry["name"].split()), entry["email"].strip(), entry.get("slug", ""))
        if key not in self.authors:
            self.authors[key] = Author.objects.for_byline(
                entry["name"], entry["email"], entry["website"], entry.get("slug", "")
            ).pk
        return self.authors[key]

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


def retraction_reasons(article_ids) -> dict[int, str]:
    """{id: why a re-import skips it} for retracted articles among `article_ids` (one query, none
    when there are none)."""
    ids = list(article_ids)
    if not ids:
        return {}
    rows = Retraction.objects.filter(article_id__in=ids)
    reasons = {r.article_id: r.reason for r in rows}
    return {pk: reasons.get(pk, "retracted") for pk in ids}


def retracted(path: str, article_id: int, reason: str) -> FileOutcome:
    """A retraction is a public, recorded act: no file brings its story back, changed or not."""
    return FileOutcome(path, Outcome.RETRACTED, reason, article_id=article_id)


def _slug(item: ArticleData) -> str:
    """A slug the file gives keeps its capitals (it is an address); one made from the title does not."""
    return slug_from_text(item.slug, keep_case=True) if item.slug else slug_from_text(item.title)
