"""What pages show, by name, and which names each kind of change touches.

Reader pages declare what they show (`entries.shows`) in these names; a change invalidates the
names it touches. The names are also the surrogate keys an edge cache is told (`Surrogate-Key`,
`Cache-Tag`), so they are short.

| name | what shows it |
| --- | --- |
| `a12` | anything showing article 12: its page, its card, a related or previous/next link |
| `p12` | article 12's own page only (its neighbours changed) |
| `v12` | article 12's live entries: its page's entries, its JSON-LD, its updates endpoint |
| `s5`, `t7`, `u3` | anything showing section 5's, tag 7's, author 3's name (or the section's place) |
| `la` | the all-stories list, the home page, the main feeds |
| `home` | the home page's arrangement: which one is live, its slots |
| `ls5`, `lt7`, `lu3` | which stories section 5 (and below), tag 7, author 3 list |
| `ly2024`, `lm2024-05`, `ld2024-05-03` | which stories a date archive lists |
| `nav` | which sections the navigation lists (and the sections page) |
| `banner` | the breaking-news banner (every reader page) |
| `search`, `sitemap` | search results; sitemaps |
| `corrections` | which corrections `/corrections/` and its feed list |
| `g1a2b3c4d5e` | which versions of one story in other languages its pages link (a translation group) |
| `articles` | any article in any state (the admin's counts) |
"""

import hashlib
from dataclasses import dataclass
from types import SimpleNamespace

from django.db.models import Q
from django.utils import timezone

ALL = "la"
FRONT_PAGE = "home"
NAVIGATION = "nav"
BANNER = "banner"
SEARCH = "search"
SITEMAP = "sitemap"
ANY_ARTICLE = "articles"
CORRECTIONS = "corrections"
# Past this many stories entering or leaving lists at once (an import, a bulk move), their
# neighbours' pages are not looked up one by one: the sections' article pages all renew.
PRECISE_NEIGHBOURS = 20


def _named(prefix: str):
    def name(pk) -> str:
        return f"{prefix}{pk}"

    return name


# One function per kind of name (the table above): shown.article(12) == "a12".
article, article_page, section, tag, author = map(_named, ("a", "p", "s", "t", "u"))
section_list, tag_list, author_list = map(_named, ("ls", "lt", "lu"))
live_entries = _named("v")
# Every article page of a section (their previous/next links), for bulk changes.
section_neighbours = _named("n")


def translation_group(key: str) -> str:
    """A translation group's name: its key is as long as a path, a name must stay short."""
    return "g" + hashlib.sha1(key.encode()).hexdigest()[:10]


def archive(year, month=None, day=None) -> str:
    if day:
        return f"ld{year}-{month:02d}-{day:02d}"
    return f"lm{year}-{month:02d}" if month else f"ly{year}"


def archives(when) -> list[str]:
    local = timezone.localtime(when)
    return [archive(local.year), archive(local.year, local.month), archive(local.year, local.month, local.day)]


def sections(categories) -> list[str]:
    return [section(c.pk) for c in categories]


def of_articles(articles) -> list[str]:
    return [article(a.pk) for a in articles if a is not None]


# --- what a change touches -----------------------------------------------------------------


@dataclass(frozen=True)
class Listing:
    """What decides where a story is listed: compared before and after a change."""

    status: str
    published_at: object
    category_id: int | None
    featured: bool

    @classmethod
    def of(cls, article) -> "Listing | None":
        """From an article's loaded fields; None when they were not all loaded."""
        fields = article.__dict__
        if not all(name in fields for name in ("status", "published_at", "category_id", "featured")):
            return None
        return cls(article.status, article.published_at, article.category_id, article.featured)

    @property
    def placed(self) -> tuple:
        """Where it is listed: its lists and its place in their order."""
        return self.status, self.published_at, self.category_id

    @property
    def listed(self) -> bool:
        from ..models import Article

        return (
            self.status == Article.Status.PUBLISHED
            and self.published_at is not None
            and self.published_at <= timezone.now()
        )

    @property
    def scheduled(self) -> bool:
        from ..models import Article

        return self.status == Article.Status.PUBLISHED and bool(self.published_at) and not self.listed


UNKNOWN = object()


def article_changes(changes) -> set[str] | None:
    """The names a change to articles touches. `changes`: (id, before, after) with each a
    `Listing`, None (not there: created, deleted) or UNKNOWN. None when the reach is not known.

    Content changes touch the article and whatever links to it; a story entering or leaving a
    list (published, unpublished, moved, redated) also touches the lists before and after, and
    the pages of its neighbours at its old place and its new one (their previous/next links)."""
    names = set()
    moved = []
    for pk, before, after in changes:
        if before is UNKNOWN or after is UNKNOWN:
            return None
        names |= {article(pk), article_page(pk), ANY_ARTICLE}
        was, now = (s if s is not None and s.listed else None for s in (before, after))
        if was or now:
            names |= {SEARCH, SITEMAP}
        if was and now and was.placed == now.placed:
            if was.featured != now.featured:
                names.add(ALL)  # the home page's lead: no list's membership changed
        elif was != now:
            moved.append((pk, [s for s in (was, now) if s]))
    if moved:
        names |= _list_names(moved)
    return names


def reschedules(changes) -> bool:
    """Whether a story was (or may have been) scheduled, rescheduled or unscheduled: the next
    publication moves."""
    return any(s is UNKNOWN or (s is not None and s.scheduled) for _, *states in changes for s in states)


def _list_names(moved) -> set[str]:
    from ..models import Article, Byline, Category, TaggedArticle

    ids = [pk for pk, _ in moved]
    tags = TaggedArticle.objects.filter(content_object_id__in=ids).values_list("tag_id", flat=True)
    authors = Byline.objects.filter(article_id__in=ids).values_list("author_id", flat=True)
    names = {ALL, *map(tag_list, set(tags)), *map(author_list, set(authors))}
    category_ids = {s.category_id for _, listed in moved for s in listed if s.category_id}
    paths = dict(Category.objects.values_list("path", "pk")) if category_ids else {}
    by_id = {pk: path for path, pk in paths.items()}
    for _, listed in moved:
        for state in listed:
            names.update(archives(state.published_at))
            if state.category_id in by_id:
                parts = by_id[state.category_id].split("/")
                above = ["/".join(parts[: i + 1]) for i in range(len(parts))]
                names.update(section_list(paths[p]) for p in above if p in paths)
                if len(moved) > PRECISE_NEIGHBOURS:
                    names.add(section_neighbours(state.category_id))
    if _navigation_may_change(moved, by_id):
        names.add(NAVIGATION)
    if len(moved) <= PRECISE_NEIGHBOURS:
        # The neighbours it had, at its old place, and has, at its new one.
        for pk, listed in moved:
            for state in listed:
                place = SimpleNamespace(pk=pk, category_id=state.category_id, published_at=state.published_at)
                names.update(article_page(pk) for pk in Article.objects.neighbour_ids(place) if pk is not None)
    return names


def _navigation_may_change(moved, paths_by_id) -> bool:
    """The navigation lists sections published stories use (`Category.objects.navigation()`):
    the chosen ones, or the top ones. One of those above a moved story whose only published
    stories are the moved ones has just come or gone (or may have)."""
    from ..models import Category

    above = set()
    for _, listed in moved:
        for state in listed:
            if state.category_id in paths_by_id:
                parts = paths_by_id[state.category_id].split("/")
                above.update("/".join(parts[: i + 1]) for i in range(len(parts)))
    if not above:
        return False
    shown = Category.objects.filter(Q(in_navigation=True) | Q(parent__isnull=True), path__in=above)
    besides = [pk for pk, _ in moved]
    return shown.public(besides=besides).count() < shown.count()


def went_live(since: float, until: float, recent_after: float) -> tuple[set[str], bool]:
    """The names touched by scheduled stories and front-page arrangements whose time came in
    (since, until], and whether one of them came after `recent_after`."""
    from datetime import UTC, datetime

    from ..models import Article, FrontPage

    start, end = datetime.fromtimestamp(since, UTC), datetime.fromtimestamp(until, UTC)
    due = list(
        Article.objects.filter(status=Article.Status.PUBLISHED, published_at__gt=start, published_at__lte=end).only(
            "id", "status", "published_at", "category_id", "featured", "translation_key"
        )
    )
    changes = []
    for story in due:
        after = Listing.of(story)
        changes.append((story.pk, Listing(after.status, None, after.category_id, after.featured), after))
    names = (article_changes(changes) or set()) if changes else set()
    names.update(translation_group(story.translation_key) for story in due if story.translation_key)
    # A scheduled arrangement of the home page taking over ("the 18:00 front page").
    taking_over = FrontPage.objects.filter(goes_live_at__gt=start, goes_live_at__lte=end)
    arranged = list(taking_over.values_list("goes_live_at", flat=True))
    if arranged:
        names.add(FRONT_PAGE)
    times = [story.published_at for story in due] + arranged
    return names, any(when.timestamp() > recent_after for when in times)


def front_page_changes() -> set[str]:
    """An arrangement saved, scheduled, restored or deleted, or one of its slots changed: the
    home page (which arrangement is live, and what it places where)."""
    return {FRONT_PAGE}


def translation_changes(key_before, key_after, before, after) -> set[str]:
    """A story joining a translation group, or a version of one published or withdrawn (a
    `Listing` before and after, UNKNOWN or None): the group's pages, whose switchers list its
    published versions, and sitemaps (their alternates). A version leaving a group, or changed,
    touches its own name (`a12`), which those pages show already."""
    if key_after and (key_before != key_after or went_in_or_out(before, after)):
        return {translation_group(key_after), SITEMAP}
    return set()


def went_in_or_out(before, after) -> bool:
    """Whether a story was (or may have been) published or withdrawn between two `Listing`s."""
    if UNKNOWN in (before, after):
        return True
    return (before is not None and before.listed) != (after is not None and after.listed)


def category_changes(category, parent_before=UNKNOWN, placed=False, navigation_before=UNKNOWN) -> set[str]:
    """A section renamed, or placed somewhere (added, moved, deleted: `placed`): its name
    wherever shown; when placed, the lists above it before and after (they list their
    subsections and its stories), and the navigation when a top section comes or goes.
    `navigation_before`: (in_navigation, navigation_order) before the change: editors
    choosing sections for the header, or ordering them, change every page's navigation."""
    from ..models import Category

    names = {section(category.pk), SITEMAP}
    if navigation_before != (category.in_navigation, category.navigation_order):
        names.add(NAVIGATION)
    parents = {category.parent_id, None if parent_before is UNKNOWN else parent_before}
    if placed or parent_before is UNKNOWN or parent_before != category.parent_id:
        # The navigation too: a section coming, going or moving between top sections can
        # make one of them start or stop being used by published stories.
        names |= {section_list(category.pk), NAVIGATION}
        for parent in Category.objects.filter(pk__in=parents - {None}):
            names.update(section_list(above.pk) for above in [*parent.ancestors(), parent])
    return names


def grouping_changes(ids) -> set[str]:
    """Articles whose tags or bylines were written in bulk (no signal per row): the tag and
    author lists they are on now. (Rows deleted send signals: the lists they left renew.)"""
    from ..models import Byline, TaggedArticle

    ids = list(ids)
    tags = TaggedArticle.objects.filter(content_object_id__in=ids).values_list("tag_id", flat=True)
    authors = Byline.objects.filter(article_id__in=ids).values_list("author_id", flat=True)
    return {*map(tag_list, set(tags)), *map(author_list, set(authors)), SITEMAP}


def tag_changes(pk) -> set[str]:
    return {tag(pk), tag_list(pk), SITEMAP}


def author_changes(pk) -> set[str]:
    return {author(pk), author_list(pk), SITEMAP}


def tagging_changes(article_id, tag_id) -> set[str]:
    return {article(article_id), article_page(article_id), tag_list(tag_id), ANY_ARTICLE, SITEMAP}


def byline_changes(article_id, author_id) -> set[str]:
    return {article(article_id), article_page(article_id), author_list(author_id), ANY_ARTICLE, SITEMAP}


def correction_changes(article_id) -> set[str]:
    """A correction added or amended: its story (the page, its JSON-LD, the feeds' updated
    date, as the story's "Updated" time moves), the corrections list and feed, and sitemaps
    (lastmod)."""
    return {article(article_id), article_page(article_id), CORRECTIONS, ANY_ARTICLE, SITEMAP}


def live_entry_changes(article_id) -> set[str]:
    """An entry posted, edited, approved, pinned or deleted on a live story: what shows its
    entries (its page, its older-updates pages, its updates endpoint). Its card does not."""
    return {live_entries(article_id)}


def banner_changes() -> set[str]:
    """A banner set, edited or removed: every reader page shows the banner (or its absence)."""
    return {BANNER}


def banner_expired(since: float, until: float, recent_after: float) -> tuple[set[str], bool]:
    """The names touched by banners whose expiry came in (since, until], and whether one of
    them came after `recent_after` (as `went_live`, for the clock)."""
    from datetime import UTC, datetime

    from ..models import Banner

    ends = list(
        Banner.objects.expired_between(
            datetime.fromtimestamp(since, UTC), datetime.fromtimestamp(until, UTC)
        ).values_list("expires_at", flat=True)
    )
    return ({BANNER} if ends else set()), any(end.timestamp() > recent_after for end in ends)
