import hashlib
from functools import reduce
from operator import or_

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, URLValidator
from django.db import IntegrityError, models, transaction
from django.db.models import Exists, F, OuterRef, Q, Value
from django.db.models.functions import Concat
from django.utils import formats, timezone
from django.utils.functional import cached_property
from django.utils.translation import gettext, gettext_lazy, pgettext_lazy
from taggit.managers import TaggableManager
from taggit.models import NaturalKeyManager, TagBase, TaggedItemBase

from . import bylines, renditions
from .addresses import address
from .freshness.shown import UNKNOWN, Listing
from .images import images_without_alt
from .redirects import normalize, path_hash
from .rendering import HTML, MARKDOWN, render_body
from .slugs import slug_from_text, unique_slug
from .text import plain_text, strip_invisible
from .text import reading_minutes as minutes_to_read
from .uploads import CheckedImageField


class AuthorQuerySet(models.QuerySet):
    def for_byline(self, name: str, email: str = "", website: str = "", slug: str = ""):
        """The Author a byline name stands for, made if there is none: the one identity rule the
        importer, the sample content and the admin share.

        A slug (an export writes each author's) is who they are: the author with that slug, or a
        new one given it, so two reporters called Li Wei without email addresses come back as two.
        Otherwise the same email address is the same person, and the same name (case and spacing
        aside) is the same person, unless both carry email addresses and they differ."""
        name = " ".join(name.split())
        email = email.strip()
        slug = slug_from_text(slug, fallback="", keep_case=True) if slug else ""
        if slug:
            same_slug = self.filter(slug=slug).first()
            return same_slug or self.create(name=name, email=email, website=website[:500], slug=slug)
        if email and (same_email := self.filter(email__iexact=email).order_by("pk").first()):
            return same_email
        for author in self.filter(name__iexact=name).order_by("pk"):
            if not email or not author.email:
                return author
        return self.create(name=name, email=email, website=website[:500])

    def of_user(self, user):
        """The Author linked to a login (a writer's own byline), or None."""
        return self.filter(user=user).first() if user.is_authenticated else None

    def public(self):
        """The authors readers may see: on the byline of a published story. One only drafts
        credit has no page, feed or sitemap entry yet."""
        published = Article.objects.published().filter(pk=OuterRef("article_id"))
        return self.filter(Exists(Byline.objects.filter(author=OuterRef("pk")).filter(Exists(published))))


class Author(models.Model):
    """A byline: a staff member, a guest writer, an agency or an outlet."""

    name = models.CharField(max_length=200)
    slug = models.SlugField(max_length=120, unique=True, allow_unicode=True, blank=True)
    bio = models.TextField(blank=True)
    photo = CheckedImageField(upload_to="authors/", blank=True)
    email = models.EmailField(blank=True)
    website = models.URLField(max_length=500, blank=True)
    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="author",
        help_text="The login whose articles carry this byline. Leave empty for guests and agencies.",
    )

    objects = AuthorQuerySet.as_manager()
    role = bylines.AUTHOR  # on one story's byline, its entry's role (`Article.byline`)

    class Meta:
        ordering = ["name"]

    def __str__(self):
        return self.name

    def save(self, *args, **kwargs):
        if not self.slug:
            base = slug_from_text(self.name, fallback="author")
            self.slug = unique_slug(base, lambda s: Author.objects.filter(slug=s).exclude(pk=self.pk).exists())
        super().save(*args, **kwargs)

    def get_absolute_url(self):
        return address("articles:author", slug=self.slug)

    @property
    def safe_website(self):
        """The website, if it is a web address: a value set from the shell is not validated."""
        return self.website if self.website.lower().startswith(("http://", "https://")) else ""


class CategoryQuerySet(models.QuerySet):
    def public(self, besides=()):
        """The sections readers may see: a published story is filed in them or below them
        (`besides`: not counting these stories). One only drafts use is not in the navigation
        and has no page, feed or sitemap entry yet."""
        below = Category.objects.filter(
            Q(path=OuterRef(OuterRef("path"))) | Q(path__startswith=Concat(OuterRef(OuterRef("path")), Value("/")))
        )
        published = Article.objects.published().exclude(pk__in=besides).filter(category__in=below)
        return self.filter(Exists(published))

    def public_children_of(self, *parents) -> list[list]:
        """For each of `parents` (None: the top), the sections right below it readers may see, as
        `public()` says: a section's subsections, the home page's rails."""
        public = self.readable()
        return [[s for s in public if s.parent_id == (parent and parent.pk)] for parent in parents]

    def readable(self) -> list["Category"]:
        """The sections readers may see (`public()`), in one plain query: every section read once,
        marked when a published story is filed in it, and kept when it or one below it is marked.
        `public()`'s nested query took a page built from nothing 0.8 ms to write out (and 0.07 ms
        to run)."""
        filed = Exists(Article.objects.published().filter(category=OuterRef("pk")))
        sections = list(self.annotate(filed=filed))
        used = set()
        for section in sections:
            if section.filed:
                parts = section.path.split("/")
                used.update("/".join(parts[:depth]) for depth in range(1, len(parts) + 1))
        return [s for s in sections if s.path in used]

    def navigation(self) -> list["Category"]:
        """The sections the site's header lists: those editors chose, in their order; when
        they chose none readers may see, the first top sections (in one query either way)."""
        candidates = sorted(self.readable(), key=lambda c: (c.navigation_order, c.path))
        chosen = [c for c in candidates if c.in_navigation]
        tops = sorted((c for c in candidates if c.parent_id is None), key=lambda c: c.path)
        return chosen or tops[:DEFAULT_NAVIGATION_SECTIONS]


# The header's sections when editors chose none: enough to look right on a fresh site, few
# enough for one line on a laptop (the rest are on the sections page).
DEFAULT_NAVIGATION_SECTIONS = 6


class Category(models.Model):
    """A section in the tree. `path` (slugs joined by "/") makes "this section and below" one
    indexed prefix query instead of a walk down the tree."""

    name = models.CharField(max_length=200)
    slug = models.SlugField(
        max_length=120,
        allow_unicode=True,
        blank=True,
        help_text="Unique among the sections that share its parent. Left empty, it comes from the name.",
    )
    parent = models.ForeignKey("self", null=True, blank=True, on_delete=models.PROTECT, related_name="children")
    description = models.TextField(blank=True)
    path = models.CharField(max_length=500, unique=True, editable=False)
    full_name = models.CharField(max_length=1000, editable=False, help_text="Names from the top, as editors see it.")
    in_navigation = models.BooleanField(
        gettext_lazy("in the navigation"),
        default=False,
        help_text=gettext_lazy(
            "Listed in every page's header once a published story is filed in it. With none chosen, "
            "the header lists the first top sections; every section is on the sections page."
        ),
    )
    navigation_order = models.PositiveSmallIntegerField(
        gettext_lazy("navigation order"),
        default=0,
        help_text=gettext_lazy("Its place in the header: lower numbers come first."),
    )

    objects = CategoryQuerySet.as_manager()

    class Meta:
        ordering = ["path"]
        verbose_name_plural = "categories"
        constraints = [
            models.UniqueConstraint(fields=["parent", "slug"], name="category_slug_unique_in_parent"),
            models.UniqueConstraint(
                fields=["slug"], condition=Q(parent__isnull=True), name="category_slug_unique_at_root"
            ),
            models.UniqueConstraint(fields=["parent", "name"], name="category_name_unique_in_parent"),
            models.UniqueConstraint(
                fields=["name"], condition=Q(parent__isnull=True), name="category_name_unique_at_root"
            ),
        ]

    def __str__(self):
        return self.full_name or self.name

    def save(self, *args, **kwargs):
        if not self.slug:
            siblings = Category.objects.filter(parent=self.parent).exclude(pk=self.pk)
            self.slug = unique_slug(
                slug_from_text(self.name, fallback="section"),
                lambda s: siblings.filter(slug=s).exists(),
            )
        old_path = self.path
        old_full_name = self.full_name
        self.path = f"{self.parent.path}/{self.slug}" if self.parent else self.slug
        self.full_name = f"{self.parent.full_name} / {self.name}" if self.parent else self.name
        super().save(*args, **kwargs)
        if (old_path and old_path != self.path) or (old_full_name and old_full_name != self.full_name):
            for child in self.children.all():
                child.save()

    def get_absolute_url(self):
        return address("articles:category", path=self.path)

    def ancestors(self):
        """Sections above this one, top first, in one query."""
        parts = self.path.split("/")[:-1]
        prefixes = ["/".join(parts[: i + 1]) for i in range(len(parts))]
        return sorted(Category.objects.filter(path__in=prefixes), key=lambda c: len(c.path))

    def subtree_q(self):
        """A filter matching this section and every section below it."""
        return Q(path=self.path) | Q(path__startswith=self.path + "/")

    def clean(self):
        node = self.parent
        while node is not None:
            if self.pk and node.pk == self.pk:
                raise ValidationError({"parent": "A section cannot sit inside itself."})
            node = node.parent


TRANSLATION_KEY_LENGTH = 200


class ArticleQuerySet(models.QuerySet):
    def published(self):
        """What readers may see: published, and its publication time has come. The only place
        this rule is written. A retracted story is not published (its own status, `retract`):
        every list, feed, sitemap, search and count leaves it out by this rule alone."""
        return self.filter(status=Article.Status.PUBLISHED, published_at__lte=timezone.now())

    def retracted(self):
        """Stories retracted or taken down: their addresses answer 410 Gone (`Retraction`)."""
        return self.filter(status=Article.Status.RETRACTED)

    def scheduled(self):
        return self.filter(status=Article.Status.PUBLISHED, published_at__gt=timezone.now())

    def lead_image_without_alt(self):
        """Stories whose lead image has no alt text and is not marked decorative (the queryset
        form of `Article.lead_image_needs_alt`): imported ones, mostly, for editors to fix."""
        has_image = ~Q(lead_image="") | ~Q(lead_image_url="")
        return self.filter(has_image, lead_image_alt="", lead_image_decorative=False)

    def neighbours(self, article):
        """The next newer and next older story of this queryset in `article`'s section, in the
        lists' order (published_at, id): stories published at the same moment still follow each
        other. Rows of this queryset, which readers' callers make `published()` and trim to what
        they show (once: the rule twice over made SQLite walk the index from now)."""
        if not article.category_id or not article.published_at:
            return None, None
        newer, older = self._around_in_section(article)
        return newer.first(), older.first()

    def neighbour_ids(self, article) -> tuple[int | None, int | None]:
        """The ids of the published `neighbours`: what says which pages link to which."""
        if not article.category_id or not article.published_at:
            return None, None
        newer, older = self.published()._around_in_section(article)
        return tuple(next(iter(q.values_list("pk", flat=True)[:1]), None) for q in (newer, older))

    def _around_in_section(self, article):
        section = self.filter(category=article.category_id)
        when, pk = article.published_at, article.pk
        # The plain range first, so the database walks the section's date index from `when`.
        newer = section.filter(Q(published_at__gt=when) | Q(published_at=when, pk__gt=pk), published_at__gte=when)
        older = section.filter(Q(published_at__lt=when) | Q(published_at=when, pk__lt=pk), published_at__lte=when)
        return newer.order_by("published_at", "pk"), older.order_by("-published_at", "-pk")

    def translations_of(self, article):
        """The other versions of `article` (same translation key), oldest first: the first is the
        original. None without a key, so a story with no translations costs no query."""
        if not article.translation_key:
            return self.none()
        return (
            self.filter(translation_key=article.translation_key).exclude(pk=article.pk).order_by("published_at", "pk")
        )

    def in_category(self, category):
        return self.filter(category__in=Category.objects.filter(category.subtree_q()))

    def owned_by(self, user):
        """Articles that are the user's own: their Author is in the byline, or they created it."""
        if not user.is_authenticated:
            return self.none()
        in_byline = Byline.objects.filter(article=OuterRef("pk"), author__user=user)
        return self.filter(Q(created_by=user) | Exists(in_byline))

    def visible_to(self, user):
        """Readers see published articles; editors also preview the rest, writers their own."""
        from . import permissions  # the role rules; they read models, so imported late

        if permissions.can_publish(user):
            return self
        if permissions.can_write(user):
            return self.published() | self.owned_by(user)
        return self.published()

    def bulk_edit(self, *, regrouped=False, **changes) -> int:
        """A change to many articles at once (a move, a tag, a tag merge) counts as an edit of
        each: `edit_version` goes up, so a form opened before it cannot save the old value back;
        `updated_at` is now; and what follows a write follows (`after_write`; `regrouped` when
        their tags were written in bulk). Returns how many."""
        from .after_write import after_write, listings

        ids = list(self.values_list("pk", flat=True))
        before = listings(ids)
        count = Article.objects.filter(pk__in=ids).update(
            edit_version=F("edit_version") + 1, updated_at=timezone.now(), **changes
        )
        groups = [changes["translation_key"]] if changes.get("translation_key") else []
        after_write(ids, before=before, text_changed=False, regrouped=regrouped, groups=groups)
        return count


class Article(models.Model):
    class Status(models.TextChoices):
        DRAFT = "draft", "Draft"
        REVIEW = "review", "In review"
        PUBLISHED = "published", "Published"
        # Set only by `workflow.retract`, with its `Retraction` record; no form or import clears it.
        RETRACTED = "retracted", gettext_lazy("Retracted")

    class BodyFormat(models.TextChoices):
        MARKDOWN = MARKDOWN, "Markdown"
        HTML = HTML, "HTML"

    title = models.CharField(max_length=300)
    slug = models.SlugField(
        max_length=120,
        unique=True,
        allow_unicode=True,
        blank=True,
        help_text="The last part of the article's address. Left empty, it comes from the title.",
    )
    standfirst = models.TextField(blank=True, help_text="The summary shown under the headline and in lists.")
    body_source = models.TextField("body", blank=True, help_text="Written in the format chosen below.")
    body_format = models.CharField(max_length=10, choices=BodyFormat.choices, default=BodyFormat.MARKDOWN)
    body = models.TextField(
        "rendered body", blank=True, editable=False, help_text="Sanitised HTML, derived from the body on save."
    )
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.DRAFT)
    published_at = models.DateTimeField(
        "publication time",
        null=True,
        blank=True,
        help_text="Readers see a published article once this time has passed: a future time schedules it. "
        "Set automatically when first published.",
    )
    substantively_updated_at = models.DateTimeField(
        "updated",
        null=True,
        blank=True,
        editable=False,
        help_text="The last substantive change published after the first publication (`mark_updated`): readers "
        "see it as “Updated”, and dateModified, the feeds and the sitemap follow it. A minor edit leaves it.",
    )
    expires_at = models.DateTimeField("expiry", null=True, blank=True, help_text="Kept from imports (expiryDate).")
    created_at = models.DateTimeField(auto_now_add=True)
    # Set by prepare_for_save, not auto_now, so an import can stamp it with its own time and later
    # tell whether an editor changed the article since (updated_at > imported_at).
    updated_at = models.DateTimeField(default=timezone.now, editable=False)
    # Raised by every save: the admin refuses a save made from a form opened at an older number,
    # so one editor never silently overwrites another (optimistic locking).
    edit_version = models.PositiveIntegerField(default=0, editable=False)
    authors = models.ManyToManyField(Author, through="Byline", related_name="articles", blank=True)
    category = models.ForeignKey(Category, null=True, blank=True, on_delete=models.PROTECT, related_name="articles")
    tags = TaggableManager(through="TaggedArticle", blank=True)
    lead_image = CheckedImageField(
        upload_to="lead/%Y/%m/", blank=True, help_text="JPEG, PNG, GIF or WebP. Smaller copies are made for readers."
    )
    lead_image_url = models.URLField("remote lead image", max_length=1000, blank=True)
    lead_image_caption = models.CharField(max_length=500, blank=True)
    lead_image_alt = models.CharField(
        gettext_lazy("lead image alt text"),
        max_length=300,
        blank=True,
        help_text=gettext_lazy(
            "What the picture shows, for readers who cannot see it (screen readers, images turned off). "
            "Not the caption: the caption is printed under it anyway. A story with a lead image is "
            "published only with alt text, or with the image marked decorative."
        ),
    )
    lead_image_decorative = models.BooleanField(
        gettext_lazy("lead image is decorative"),
        default=False,
        help_text=gettext_lazy(
            "Tick only when the picture tells a reader nothing the text does not (a texture, a mood picture): "
            "screen readers then skip it. Any picture that shows who, where or what happened needs alt text."
        ),
    )
    lead_image_credit = models.CharField(max_length=200, blank=True)
    lead_image_copyright = models.CharField(
        gettext_lazy("lead image copyright notice"),
        max_length=200,
        blank=True,
        help_text=gettext_lazy("Who holds the copyright, as it should be printed (“© 2026 Harbourside Times”)."),
    )
    lead_image_license_url = models.URLField(
        gettext_lazy("lead image licence"),
        max_length=1000,
        blank=True,
        help_text=gettext_lazy("The address of the licence the image is used under (a Creative Commons deed…)."),
    )
    lead_image_acquire_license_url = models.URLField(
        gettext_lazy("where to license the lead image"),
        max_length=1000,
        blank=True,
        help_text=gettext_lazy("A page where others can find out how to license the image (the agency's, yours)."),
    )
    lead_image_focus_x = models.PositiveSmallIntegerField(
        gettext_lazy("focal point, across (per cent)"),
        default=50,
        validators=[MaxValueValidator(100)],
        help_text=gettext_lazy(
            "Where the picture's subject is, from the left edge (0) to the right (100): the 16:9, 4:3 and "
            "square crops for search engines and social cards keep it in view. Click the preview to set it."
        ),
    )
    lead_image_focus_y = models.PositiveSmallIntegerField(
        gettext_lazy("focal point, down (per cent)"),
        default=50,
        validators=[MaxValueValidator(100)],
        help_text=gettext_lazy("From the top edge (0) to the bottom (100)."),
    )
    lead_renditions = models.JSONField(
        default=dict, blank=True, editable=False, help_text="Sizes of the lead image's smaller copies (renditions.py)."
    )
    featured = models.BooleanField(default=False, help_text="Lead story on the home page.")
    missing_images = models.JSONField(
        default=list,
        blank=True,
        editable=False,
        help_text="Images its file refers to that the import could not find: readers' pages leave them out, and "
        "an import that finds one puts it back.",
    )
    language = models.CharField(max_length=20, blank=True)
    # Versions of one story in other languages share a key (`translations`): one article a
    # language per key, which the database holds to.
    translation_key = models.CharField(
        gettext_lazy("translation group"),
        max_length=TRANSLATION_KEY_LENGTH,
        blank=True,
        db_index=True,
        editable=False,
        help_text=gettext_lazy("What links this story's versions in other languages (an import's translationKey)."),
    )
    keywords = models.CharField("SEO keywords", max_length=500, blank=True)
    # Live coverage (issue 14): a story that is updated while readers watch, with entries.
    coverage_start = models.DateTimeField(
        gettext_lazy("live coverage started"),
        null=True,
        blank=True,
        editable=False,
        help_text=gettext_lazy("When the story became a live page with entries (the admin's “Start live coverage”)."),
    )
    coverage_end = models.DateTimeField(
        gettext_lazy("live coverage ended"),
        null=True,
        blank=True,
        editable=False,
        help_text=gettext_lazy("When coverage ended: the page is frozen, readers' pages stop checking for updates."),
    )
    # Import provenance: what lets a re-import find this article again and tell if it changed.
    source_key = models.CharField(max_length=500, unique=True, null=True, blank=True, editable=False)
    source_path = models.CharField(max_length=1000, blank=True, editable=False, db_index=True)
    source_hash = models.CharField(max_length=64, blank=True, editable=False, db_index=True)
    imported_at = models.DateTimeField(null=True, blank=True, editable=False)
    body_hash = models.CharField(max_length=40, blank=True, editable=False, db_index=True)
    # Derived from the body on save, as the rendered body is: reading its text on every page built
    # from nothing cost an article's main part more than the rest of it.
    reading_minutes = models.PositiveSmallIntegerField(default=1, editable=False)
    extra = models.JSONField(
        default=dict, blank=True, help_text="Front-matter keys Newsroom has no field for, kept as imported."
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        editable=False,
        on_delete=models.SET_NULL,
        related_name="+",
        help_text="The login that created the article in the admin; a writer may edit it while it is a draft.",
    )
    review_note = models.TextField(
        blank=True,
        editable=False,
        help_text="Why an editor sent the article back to draft; cleared when it is submitted again.",
    )

    objects = ArticleQuerySet.as_manager()

    class Meta:
        ordering = ["-published_at", "-pk"]
        permissions = [
            ("publish_article", "Can publish, schedule and unpublish articles, and change anyone's"),
            ("retract_article", "Can retract a published article or take it down"),
        ]
        indexes = [
            models.Index(fields=["status", "-published_at", "-id"], name="article_public_order"),
            models.Index(fields=["category", "status", "-published_at"], name="article_by_category"),
            # The admin's change list: every article, newest first, whatever its state.
            models.Index(fields=["-published_at", "-id"], name="article_newest_first"),
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["translation_key", "language"],
                condition=~Q(translation_key=""),
                name="one_translation_per_language",
            )
        ]

    def __str__(self):
        return self.title

    def save(self, *args, now=None, rendered_body=None, **kwargs):
        from .after_write import after_write

        adding = self._state.adding
        self.prepare_for_save(now=now, rendered_body=rendered_body)
        if not adding:
            super().save(*args, **kwargs)
        else:
            self._insert_with_free_slug(*args, **kwargs)
        after_write([self])

    def get_absolute_url(self):
        return self.url_for(self.slug, self.published_at or self.created_at)

    def _insert_with_free_slug(self, *args, **kwargs):
        """Insert, and if another save took the slug between our check and our insert (two
        editors saving the same new title at once), take the next free one instead of failing."""
        for attempt in range(5):
            try:
                with transaction.atomic():
                    return super().save(*args, **kwargs)
            except IntegrityError:
                if attempt == 4 or not Article.objects.filter(slug=self.slug).exists():
                    raise  # not the slug, or no way out
                self.slug = unique_slug(self.slug, lambda s: Article.objects.filter(slug=s).exists())

    _byline = None  # the authors, once read (`byline`)
    _renditions_due = False  # the lead image changed: after_write asks for its renditions

    @classmethod
    def from_db(cls, db, field_names, values):
        instance = super().from_db(db, field_names, values)
        instance._saved_address = instance._address()
        instance._saved_listing = Listing.of(instance) or UNKNOWN  # where it was listed (after_write)
        instance._saved_translation_key = instance.__dict__.get("translation_key", UNKNOWN)
        return instance

    @staticmethod
    def url_for(slug, when):
        when = timezone.localtime(when or timezone.now())
        return address("articles:detail", year=when.year, month=when.month, day=when.day, slug=slug)

    def _address(self):
        """What the public address depends on; None when those fields were not loaded."""
        fields = self.__dict__
        if "slug" in fields and "published_at" in fields and "status" in fields:
            return (self.status, self.slug, self.published_at or fields.get("created_at"))
        return None

    def prepare_for_save(self, now=None, rendered_body=None):
        """Derive what is derived (rendered body, slug, first publication time). Bulk writers call
        this too, so every path into the table applies the same policy; the importer passes the
        body it already rendered with `render_body` in a worker process."""
        if self._state.adding and not self.body_source and self.body:  # Article(body="<p>…</p>")
            self.body_source, self.body_format = self.body, self.BodyFormat.HTML
        for name in ("title", "standfirst", "body_source", "lead_image_caption", "lead_image_alt", "lead_image_credit"):
            setattr(self, name, strip_invisible(getattr(self, name)))
        self.derive_body(rendered_body)
        self.updated_at = now or timezone.now()
        self.edit_version += 1
        if not self.slug:
            self.slug = unique_slug(
                slug_from_text(self.title),
                lambda s: Article.objects.filter(slug=s).exclude(pk=self.pk).exists(),
            )
        if self.status == self.Status.PUBLISHED and self.published_at is None:
            self.published_at = timezone.now()
        if "lead_image" in self.__dict__:  # not deferred
            self._refresh_lead_renditions()

    def derive_body(self, rendered_body=None):
        """The stored body, its hash (which finds duplicates) and its reading time (stored: a page
        built from nothing would read the body's text for it) from `body_source`, or from the
        `rendered_body` a caller already made of it."""
        self.body = render_body(self.body_source, self.body_format) if rendered_body is None else rendered_body
        self.body_hash = hashlib.sha1(self.body.encode()).hexdigest() if self.body else ""
        self.reading_minutes = minutes_to_read(plain_text(self.body))

    def _refresh_lead_renditions(self):
        """Renditions follow the lead image: made once when it changes, by a job after the save
        (after_write), so the editor does not wait for them and reader pages only read their
        sizes. A new upload is stored first, as saving would do anyway."""
        if not self.lead_image:
            self.lead_renditions = {}
            return
        if not self.lead_image._committed:
            self.lead_image.save(self.lead_image.name, self.lead_image.file, save=False)
        if not renditions.describe(self.lead_renditions, self.lead_image.name, self.lead_image_focus):
            self.lead_renditions = {}
            self._renditions_due = True

    # What readers read: a change to one of these is an update of the story, unless marked minor.
    # Not the alt text: describing the same picture for those who cannot see it is no news, and
    # giving old imported stories alt text must not freshen their dates.
    CONTENT_FIELDS = (
        "title",
        "standfirst",
        "body_source",
        "body_format",
        "lead_image",
        "lead_image_url",
        "lead_image_caption",
        "lead_image_credit",
        "lead_image_copyright",
        "lead_image_license_url",
        "lead_image_acquire_license_url",
    )

    def mark_updated(self, when=None) -> bool:
        """Note a substantive change made at `when` (an edit not marked minor, a correction): the
        one rule of the "Updated" time. Only a change to a story already live, after its first
        publication, counts: Google asks sites not to freshen dates artificially, and an edit
        before publication is part of the first version. Returns whether it counted (not saved)."""
        when = when or timezone.now()
        if self.is_published() and when > self.published_at:
            self.substantively_updated_at = when
            return True
        return False

    @property
    def updated_after_publication(self):
        """The "Updated" time readers see, or None."""
        when = self.substantively_updated_at
        return when if when and self.published_at and when > self.published_at else None

    @property
    def last_substantive_change(self):
        """What dateModified, the feeds' updated dates and the sitemap's lastmod say: the last
        substantive update, else the publication (an import or a minor edit is no update)."""
        return self.updated_after_publication or self.published_at or self.created_at

    @cached_property
    def shown_corrections(self):
        """Its corrections as they read now, oldest first: read once (one query), by the page and
        its JSON-LD alike."""
        return list(self.corrections.current())

    def is_published(self):
        return (
            self.status == self.Status.PUBLISHED
            and self.published_at is not None
            and (self.published_at <= timezone.now())
        )

    is_published.boolean = True
    is_published.short_description = "live"

    @property
    def is_live(self) -> bool:
        """Covered live now: entries are being posted, readers' pages check for them."""
        return self.coverage_start is not None and self.coverage_end is None

    @property
    def has_live_coverage(self) -> bool:
        """Live now or once: its page shows the entries."""
        return self.coverage_start is not None

    @property
    def is_retracted(self):
        return self.status == self.Status.RETRACTED

    @property
    def is_scheduled(self):
        return self.status == self.Status.PUBLISHED and self.published_at and self.published_at > timezone.now()

    @property
    def state_label(self):
        if self.is_scheduled:
            return f"Scheduled for {timezone.localtime(self.published_at):%Y-%m-%d %H:%M %Z}"
        return self.get_status_display()

    @property
    def byline(self):
        """Authors in byline order, each carrying its `role` on this story: from a prefetch of
        "bylines" (with their authors), or read once (one query)."""
        if "bylines" in getattr(self, "_prefetched_objects_cache", {}):
            return [b.credited_author for b in self.bylines.all()]
        if self._byline is None:
            self._byline = [b.credited_author for b in Byline.objects.filter(article=self.pk).select_related("author")]
        return self._byline

    @property
    def lead_picture(self):
        """src, srcset, width and height of the lead image's renditions; None without them."""
        return renditions.picture(self.lead_renditions)

    @property
    def lead_image_src(self):
        """The lead image's largest rendition; the upload itself only until its job made them."""
        if self.lead_image:
            return renditions.largest_url(self.lead_renditions) or self.lead_image.url
        return self.lead_image_url

    @property
    def lead_image_focus(self):
        return (self.lead_image_focus_x, self.lead_image_focus_y)

    @property
    def lead_crops(self) -> list[dict]:
        """The lead image's 16:9, 4:3 and square crops (url, width, height), widest first; none
        for a remote image or before its renditions job ran."""
        return renditions.crops(self.lead_renditions)

    @property
    def share_image_src(self):
        """What link previews and social cards show: the 16:9 crop, else the largest copy."""
        crops = self.lead_crops
        return crops[0]["url"] if crops else self.lead_image_src

    @property
    def lead_image_alt_text(self):
        """The lead image's alt attribute: its alt text, empty when decorative or not yet written
        (never the caption: the figure prints that below it, and a reader would hear it twice)."""
        return "" if self.lead_image_decorative else self.lead_image_alt

    @property
    def lead_image_needs_alt(self):
        return bool(self.lead_image or self.lead_image_url) and not (
            self.lead_image_decorative or self.lead_image_alt.strip()
        )

    def publication_refusal(self) -> str:
        """Why this story may not be published as it is, or "": the one rule every way of
        publishing (workflow buttons, the change form, bulk actions, scheduling) asks. An import
        is not asked: its source already published the story (see `prepublish_warnings`)."""
        if self.lead_image_needs_alt:
            return gettext(
                "“%(title)s” has a lead image with no alt text: describe the picture for readers who cannot "
                "see it, or mark it decorative, before publishing."
            ) % {"title": self.title}
        return ""

    def prepublish_warnings(self) -> list[str]:
        """What an editor should look at before (re)publishing: the lead image's missing alt text
        (a refusal when publishing) and body images without alt text (a warning only)."""
        warnings = []
        if self.lead_image_needs_alt:
            warnings.append(gettext("The lead image has no alt text and is not marked decorative."))
        for src in images_without_alt(self.body):
            warnings.append(gettext("An image in the body has no alt text: %(src)s") % {"src": src})
        return warnings


class DeletedArticleQuerySet(models.QuerySet):
    def remember(self, article, by=None):
        """Record that an imported `article` was deleted (by the login `by`, when known), so
        no re-import of its file brings it back; the latest deletion of a key wins."""
        self.update_or_create(
            source_key=article.source_key,
            defaults={
                "title": article.title[:300],
                "source_path": article.source_path,
                "source_hash": article.source_hash,
                "deleted_at": timezone.now(),
                "deleted_by": by if by is not None and by.is_authenticated else None,
            },
        )


class DeletedArticle(models.Model):
    """An imported article that was deleted. Deleted means deleted: a re-import skips its file,
    reported as such, unless the operator asks for it back (`import_articles --restore-deleted`).
    Keyed like the article was (`source_key`, the import identity), with the file's path and
    bytes for an archive that moved."""

    source_key = models.CharField(max_length=500, unique=True)
    source_path = models.CharField(max_length=1000, blank=True, db_index=True)
    source_hash = models.CharField(max_length=64, blank=True, db_index=True)
    title = models.CharField(max_length=300)
    deleted_at = models.DateTimeField(default=timezone.now)
    deleted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    objects = DeletedArticleQuerySet.as_manager()

    class Meta:
        ordering = ["-deleted_at"]

    def __str__(self):
        return self.title

    @property
    def reason(self) -> str:
        """Why a re-import skips the file, as the command reports it."""
        who = f" by {self.deleted_by.get_username()}" if self.deleted_by else ""
        when = timezone.localtime(self.deleted_at).strftime("%Y-%m-%d %H:%M %Z")
        return f"deleted{who} on {when}; --restore-deleted brings it back"


class OldAddress(models.Model):
    """An address an article used to have — an imported alias, a changed slug or date — that
    answers 301 to its current one. Not django.contrib.redirects: its 200-character paths cannot
    hold a percent-encoded Chinese slug."""

    path = models.TextField(help_text="Decoded, without a trailing slash.")
    path_hash = models.CharField(max_length=40, unique=True, editable=False)
    article = models.ForeignKey(Article, on_delete=models.CASCADE, related_name="old_addresses")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name_plural = "old addresses"

    def __str__(self):
        return self.path

    def save(self, *args, **kwargs):
        self.path = normalize(self.path)
        self.path_hash = path_hash(self.path)
        super().save(*args, **kwargs)

    def clean(self):
        """Typed in the admin: stored in the form addresses are looked up in, and refused (a form
        error, not a crash) when it is the site root or another article's old address."""
        self.path = normalize(self.path)
        if self.path == "/":
            raise ValidationError({"path": "The site's home page cannot be an old address."})
        taken = OldAddress.objects.filter(path_hash=path_hash(self.path)).exclude(pk=self.pk)
        if owner := taken.select_related("article").first():
            raise ValidationError({"path": f"This is already an old address of “{owner.article}”."})


class Byline(models.Model):
    """One author's place in an article's byline, and what they did (`articles.bylines`)."""

    article = models.ForeignKey(Article, on_delete=models.CASCADE, related_name="bylines")
    author = models.ForeignKey(Author, on_delete=models.PROTECT, related_name="bylines")
    role = models.CharField(
        gettext_lazy("role"),
        max_length=bylines.MAX_ROLE,
        blank=True,
        help_text=gettext_lazy(
            "Empty for an author. Pick a suggested role (it is translated for readers) or type "
            "your own (shown as you wrote it)."
        ),
    )
    position = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["position", "pk"]
        constraints = [models.UniqueConstraint(fields=["article", "author"], name="byline_author_once_per_article")]
        indexes = [models.Index(fields=["author", "article"], name="byline_by_author")]

    def __str__(self):
        return f"{self.author} on {self.article}"

    def save(self, *args, **kwargs):
        self.role = bylines.canonical_role(self.role)
        super().save(*args, **kwargs)

    @property
    def credited_author(self):
        """The author, carrying this entry's role: what a byline renders."""
        self.author.role = self.role
        return self.author


class TagQuerySet(models.QuerySet):
    def new_names(self, names):
        """The names in `names` no tag has yet, matched case-insensitively as taggit matches them
        (TAGGIT_CASE_INSENSITIVE): what saving them as an article's tags would create."""
        if not names:
            return []
        matches = reduce(or_, (Q(name__iexact=n) for n in names))
        existing = {n.lower() for n in self.filter(matches).values_list("name", flat=True)}
        return [n for n in names if n.lower() not in existing]

    def public(self):
        """The tags readers may see: on a published story. One only drafts carry has no page,
        feed or sitemap entry yet."""
        published = Article.objects.published().filter(pk=OuterRef("content_object_id"))
        return self.filter(Exists(TaggedArticle.objects.filter(tag=OuterRef("pk")).filter(Exists(published))))


class Tag(TagBase):
    """A taggit tag whose slug follows Newsroom's slug rule, so `!!!` still gets an address."""

    objects = NaturalKeyManager.from_queryset(TagQuerySet)()  # taggit's, for natural keys

    class Meta:
        ordering = ["name"]

    def slugify(self, tag, i=None):
        slug = slug_from_text(tag, fallback="tag", max_length=90)
        return f"{slug}_{i}" if i is not None else slug

    def get_absolute_url(self):
        return address("articles:tag", slug=self.slug)


class TaggedArticle(TaggedItemBase):
    """Tags on articles through a real foreign key, so tag pages join on an index."""

    tag = models.ForeignKey(Tag, on_delete=models.CASCADE, related_name="tagged_articles")
    content_object = models.ForeignKey(Article, on_delete=models.CASCADE, related_name="tagged_items")

    class Meta:
        constraints = [models.UniqueConstraint(fields=["content_object", "tag"], name="tag_once_per_article")]
        indexes = [models.Index(fields=["tag", "content_object"], name="tagged_by_tag")]


class CorrectionQuerySet(models.QuerySet):
    def current(self):
        """Each correction as it reads now: its latest version (the earlier ones stay, superseded)."""
        return self.filter(superseded_by__isnull=True)

    def public(self):
        """What readers see: the current versions, on published stories (the publication rule)."""
        published = Article.objects.published().filter(pk=OuterRef("article_id"))
        return self.current().filter(Exists(published))


class Correction(models.Model):
    """A correction, clarification or editor's note on a story: part of the public record, so
    kept as written. A row is never changed or deleted; amending one (`amend`) adds a new, dated
    version that supersedes it, and the old text stays. Adding or amending one is a substantive
    update of the story (its "Updated" time). Only editors write them
    (`permissions.can_correct`)."""

    class Kind(models.TextChoices):
        CORRECTION = "correction", gettext_lazy("Correction")
        CLARIFICATION = "clarification", gettext_lazy("Clarification")
        EDITORS_NOTE = "editors_note", gettext_lazy("Editor’s note")

    # Where each kind goes, as the New York Times and the Guardian place them: an editor's note
    # changes how the whole story should be read, so it comes before the body; corrections and
    # clarifications mend a detail, and follow the body. Only those two are schema.org
    # `correction`s (an editor's note corrects nothing).
    ABOVE_BODY = (Kind.EDITORS_NOTE,)
    CORRECTS = (Kind.CORRECTION, Kind.CLARIFICATION)

    article = models.ForeignKey(Article, on_delete=models.CASCADE, related_name="corrections")
    kind = models.CharField(max_length=20, choices=Kind.choices, default=Kind.CORRECTION)
    text = models.TextField(help_text="Plain text, as readers will see it: what was wrong and what is right.")
    published_at = models.DateTimeField(
        "time", editable=False, help_text="When it was first published (its first version written); amendments keep it."
    )
    created_at = models.DateTimeField("written", default=timezone.now, editable=False)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, editable=False, on_delete=models.SET_NULL, related_name="+"
    )
    # RESTRICT: no version can be deleted from under a newer one; deleting the story takes them all.
    supersedes = models.OneToOneField(
        "self", null=True, blank=True, editable=False, on_delete=models.RESTRICT, related_name="superseded_by"
    )

    objects = CorrectionQuerySet.as_manager()

    class Meta:
        ordering = ["published_at", "pk"]
        indexes = [models.Index(fields=["-published_at", "-id"], name="correction_newest_first")]

    def __str__(self):
        return f"{self.get_kind_display()}: {self.article}"

    def save(self, *args, **kwargs):
        if not self._state.adding:
            raise ValueError("A correction is kept as written: amend() it, which adds a new dated version.")
        if self.published_at is None:
            self.published_at = self.created_at
        with transaction.atomic():
            super().save(*args, **kwargs)
            article = self.article
            if article.mark_updated(self.created_at):
                Article.objects.filter(pk=article.pk).update(substantively_updated_at=article.substantively_updated_at)

    def get_absolute_url(self):
        return f"{self.article.get_absolute_url()}#correction-{self.pk}"

    def delete(self, *args, **kwargs):
        raise ValueError("A correction stays in the record; amend() it instead.")

    @property
    def above_body(self) -> bool:
        return self.kind in self.ABOVE_BODY

    @property
    def amended_at(self):
        """When this version replaced an earlier one, or None for a first version."""
        return self.created_at if self.supersedes_id else None

    def amend(self, text, kind=None, by=None) -> "Correction":
        """A new version of this correction, dated now, in its place; this one stays in the record."""
        return Correction.objects.create(
            article_id=self.article_id,
            kind=kind or self.kind,
            text=text,
            published_at=self.published_at,
            created_by=by,
            supersedes=self,
        )

    def history(self) -> list["Correction"]:
        """Its earlier versions, newest first (one query each: only the admin reads them)."""
        versions, version = [], self
        while version.supersedes_id:
            version = version.supersedes
            versions.append(version)
        return versions


class Retraction(models.Model):
    """A story withdrawn from readers after publication: part of the public record. A
    retraction keeps its address answering 410 Gone with the headline, the date and the
    editors' note; a takedown (for legal reasons) answers 410 with nothing at all. Made once,
    with who and when (`workflow.retract`), and never changed or deleted from the admin: an
    edit, a restore or an import cannot bring the story back."""

    class Kind(models.TextChoices):
        RETRACTION = "retraction", gettext_lazy("Retraction (the note is shown at its address)")
        TAKEDOWN = "takedown", gettext_lazy("Takedown (nothing is shown: a legal removal)")

    # A public record: a retracted story cannot be deleted (and so never restored by an import).
    article = models.OneToOneField(Article, on_delete=models.PROTECT, related_name="retraction")
    kind = models.CharField(max_length=20, choices=Kind.choices, default=Kind.RETRACTION)
    note = models.TextField(
        blank=True, help_text=gettext_lazy("Plain text readers see at the story's address: why it was retracted.")
    )
    retracted_at = models.DateTimeField(default=timezone.now, editable=False)
    retracted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, editable=False, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        ordering = ["-retracted_at"]

    def __str__(self):
        return f"{self.get_kind_display()}: {self.article}"

    @property
    def is_takedown(self) -> bool:
        return self.kind == self.Kind.TAKEDOWN

    @property
    def reason(self) -> str:
        """Why a re-import skips the file, as the command reports it."""
        when = timezone.localtime(self.retracted_at).strftime("%Y-%m-%d %H:%M %Z")
        return f"retracted on {when}" + (" (taken down)" if self.is_takedown else "")


class FrontPageQuerySet(models.QuerySet):
    def live(self):
        """The arrangement readers see now: the latest whose time has come. One row at most; a
        later one takes over at its time, with no cron (`freshness.shown.went_live`)."""
        return self.filter(goes_live_at__lte=timezone.now()).order_by("-goes_live_at", "-pk")[:1]

    def scheduled(self):
        return self.filter(goes_live_at__gt=timezone.now())


class FrontPage(models.Model):
    """An editor's arrangement of the home page: a lead story, a list of top stories and a rail
    per top section, each in the editor's order (`FrontPageSlot`). Whatever it leaves empty is
    filled with the latest stories, and a story that stops being published leaves its slot."""

    name = models.CharField(
        gettext_lazy("name"),
        max_length=200,
        blank=True,
        help_text=gettext_lazy("For editors only, e.g. “The 18:00 front page”."),
    )
    goes_live_at = models.DateTimeField(
        gettext_lazy("goes live at"),
        default=timezone.now,
        help_text=gettext_lazy(
            "Readers see this arrangement from this time until a later one goes live. A time in the future schedules it."
        ),
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = FrontPageQuerySet.as_manager()

    class Meta:
        ordering = ["-goes_live_at", "-pk"]
        verbose_name = gettext_lazy("front page")
        verbose_name_plural = gettext_lazy("front pages")

    def __str__(self):
        when = formats.date_format(timezone.localtime(self.goes_live_at), "DATETIME_FORMAT")
        return f"{self.name} ({when})" if self.name else gettext("Front page from %(when)s") % {"when": when}

    @property
    def is_scheduled(self) -> bool:
        return self.goes_live_at > timezone.now()


class FrontPageSlotQuerySet(models.QuerySet):
    def shown_now(self):
        """The live arrangement's slots whose story readers may see (the publication rule): a
        story unpublished or retracted leaves its slot by itself, and comes back if published again.
        The rule is asked per slot (`Exists`): `article__in` listed every published story first."""
        published = Article.objects.published().filter(pk=OuterRef("article_id"))
        return self.filter(Exists(published), front_page__in=FrontPage.objects.live())


class FrontPageSlot(models.Model):
    """One story in an arrangement: the lead, a top story, or a story in a section's rail."""

    class Place(models.TextChoices):
        LEAD = "lead", gettext_lazy("Lead story")
        TOP = "top", gettext_lazy("Top stories")
        RAIL = "rail", gettext_lazy("Section rail")

    front_page = models.ForeignKey(FrontPage, on_delete=models.CASCADE, related_name="slots")
    place = models.CharField(max_length=10, choices=Place.choices)
    section = models.ForeignKey(
        Category,
        verbose_name=gettext_lazy("section"),
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="+",
        help_text=gettext_lazy("The top section whose rail shows the story."),
    )
    article = models.ForeignKey(
        Article, verbose_name=gettext_lazy("story"), on_delete=models.CASCADE, related_name="front_page_slots"
    )
    position = models.PositiveIntegerField(gettext_lazy("position"), default=0)

    objects = FrontPageSlotQuerySet.as_manager()

    class Meta:
        ordering = ["place", "section", "position", "pk"]
        verbose_name = gettext_lazy("front-page slot")
        verbose_name_plural = gettext_lazy("front-page slots")

    def __str__(self):
        return f"{self.get_place_display()}: {self.article_id}"

    def clean(self):
        if self.place == self.Place.RAIL:
            if self.section_id is None:
                raise ValidationError({"section": gettext("Choose the section whose rail shows this story.")})
            if self.section.parent_id is not None:
                raise ValidationError({"section": gettext("Rails are for top sections only.")})
        elif self.section_id is not None:
            self.section = None


def site_or_web_address(value: str) -> None:
    """A link readers may follow from the banner: http(s), or an address on this site."""
    if not is_site_or_web_address(value):
        raise ValidationError(
            gettext_lazy("Enter an address starting with https://, http:// or / (a page on this site)."),
            code="invalid",
        )


def is_site_or_web_address(value: str) -> bool:
    if value.startswith("/"):
        # "//host" and "/\\host" are other sites (browsers read a backslash as a slash).
        return not value.startswith(("//", "/\\")) and not any(c.isspace() or c == "\\" for c in value)
    try:
        URLValidator(schemes=["http", "https"])(value)
    except ValidationError:
        return False
    return True


class BannerQuerySet(models.QuerySet):
    def current(self):
        """What readers see now: the newest banner whose expiry has not come. The only place
        this rule is written; pages showing it go stale at the expiry by themselves
        (`freshness.shown.banner_expired`)."""
        return self.filter(expires_at__gt=timezone.now()).order_by("-created_at", "-pk")

    def expired_between(self, since, until):
        return self.filter(expires_at__gt=since, expires_at__lte=until)


class Banner(models.Model):
    """A breaking-news line above every reader page, with a link, until its expiry."""

    text = models.CharField(
        pgettext_lazy("banner", "text"), max_length=200, help_text=gettext_lazy("Plain text, shown above every page.")
    )
    link = models.CharField(
        pgettext_lazy("banner", "link"),
        max_length=500,
        blank=True,
        validators=[site_or_web_address],
        help_text=gettext_lazy("Where the banner leads: https://… or a page on this site (/…). Optional."),
    )
    expires_at = models.DateTimeField(
        pgettext_lazy("banner", "expires at"),
        db_index=True,
        help_text=gettext_lazy("Readers stop seeing it at this time, on every page, with nothing to run."),
    )
    created_at = models.DateTimeField(default=timezone.now, editable=False)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, editable=False, on_delete=models.SET_NULL, related_name="+"
    )

    objects = BannerQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at", "-pk"]
        verbose_name = gettext_lazy("breaking-news banner")
        verbose_name_plural = gettext_lazy("breaking-news banners")

    def __str__(self):
        return self.text

    @property
    def safe_link(self) -> str:
        """The link, if readers may follow it: a value set from the shell is not validated."""
        return self.link if is_site_or_web_address(self.link) else ""

    def is_current(self) -> bool:
        return self.expires_at > timezone.now()

    is_current.boolean = True
    is_current.short_description = pgettext_lazy("banner", "shown now")


# An entry is an update, not a story: its form refuses more (bounded rendering, a short answer).
ENTRY_LENGTH = 20_000


class LiveEntryQuerySet(models.QuerySet):
    def public(self):
        """What readers see of a live story: approved entries (a writer's draft waits for an
        editor). The story's own publication is its page's rule."""
        return self.filter(status=LiveEntry.Status.PUBLISHED)

    def newest_first(self):
        return self.order_by("-posted_at", "-id")

    def before(self, entry):
        """Keyset: the entries older than `entry` in the newest-first order."""
        return self.filter(Q(posted_at__lt=entry.posted_at) | Q(posted_at=entry.posted_at, id__lt=entry.id))

    def after(self, entry):
        """Keyset: the entries newer than `entry`."""
        return self.filter(Q(posted_at__gt=entry.posted_at) | Q(posted_at=entry.posted_at, id__gt=entry.id))


class LiveEntry(models.Model):
    """A timestamped update on a live story: text, an optional image and quote, pinned or a
    key event. Writers post drafts; an editor approves them (`permissions.can_publish`)."""

    class Status(models.TextChoices):
        DRAFT = "draft", gettext_lazy("Draft (waiting for an editor)")
        PUBLISHED = "published", pgettext_lazy("live entry", "Published")

    article = models.ForeignKey(Article, on_delete=models.CASCADE, related_name="live_entries")
    body_source = models.TextField(
        gettext_lazy("text"),
        max_length=ENTRY_LENGTH,
        help_text=gettext_lazy("Markdown, as in story bodies; it is sanitised the same way."),
    )
    body = models.TextField(editable=False)
    image = CheckedImageField(
        gettext_lazy("image"), upload_to="live/%Y/%m/", blank=True, help_text=gettext_lazy("Optional.")
    )
    image_alt = models.CharField(
        gettext_lazy("image description"),
        max_length=300,
        blank=True,
        help_text=gettext_lazy("What the image shows, for readers who cannot see it."),
    )
    quote = models.TextField(
        gettext_lazy("quote"), max_length=2_000, blank=True, help_text=gettext_lazy("Optional, plain text.")
    )
    quote_source = models.CharField(gettext_lazy("quote by"), max_length=200, blank=True)
    author = models.ForeignKey(
        Author, null=True, blank=True, on_delete=models.SET_NULL, related_name="+", verbose_name=gettext_lazy("author")
    )
    posted_at = models.DateTimeField(
        gettext_lazy("posted at"), default=timezone.now, editable=False, help_text=gettext_lazy("When readers saw it.")
    )
    pinned = models.BooleanField(gettext_lazy("pinned"), default=False, help_text=gettext_lazy("Shown above the rest."))
    key_event = models.BooleanField(
        gettext_lazy("key event"), default=False, help_text=gettext_lazy("Marked for readers as a turning point.")
    )
    status = models.CharField(gettext_lazy("status"), max_length=20, choices=Status.choices, default=Status.PUBLISHED)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, editable=False, on_delete=models.SET_NULL, related_name="+"
    )

    objects = LiveEntryQuerySet.as_manager()

    class Meta:
        ordering = ["-posted_at", "-id"]
        verbose_name = gettext_lazy("live entry")
        verbose_name_plural = gettext_lazy("live entries")
        indexes = [
            models.Index(fields=["article", "status", "pinned", "-posted_at", "-id"], name="live_entry_newest_first")
        ]

    def __str__(self):
        return plain_text(self.body)[:60] or f"#{self.pk}"

    def save(self, *args, **kwargs):
        was_draft = not self._state.adding and LiveEntry.objects.filter(pk=self.pk, status=self.Status.DRAFT).exists()
        if was_draft and self.status == self.Status.PUBLISHED:
            self.posted_at = timezone.now()  # readers see it now: it goes on top
        self.body = render_body(strip_invisible(self.body_source), MARKDOWN)
        super().save(*args, **kwargs)

    def get_absolute_url(self):
        return f"{self.article.get_absolute_url()}#entry-{self.pk}"


# The integrators' models live in their room, and are the app's like every other.
from .api.models import WebhookDelivery, WebhookEndpoint  # noqa: E402, F401
