"""The front-matter mapping: which keys mean what. `ALIASES` is the one table of top-level
front-matter keys (the README's mapping table mirrors it): the importer reads the keys it lists,
the exporter writes the first of each (`written_key`).

Everything here is pure: a parsed file in, an `ArticleData` out, so it can run in worker
processes and under --dry-run.
"""

import base64
import datetime as dt
import functools
import hashlib
import math
import os
import re
from dataclasses import dataclass, field
from html import unescape
from pathlib import Path, PurePosixPath
from zoneinfo import ZoneInfo

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import URLValidator, validate_email
from django.utils.html import escape

from .. import bylines, search
from ..languages import language_in_name, language_of_text, language_tag
from ..models import Article, Retraction
from ..rendering import HTML, MARKDOWN, looks_like_html, render_body
from ..text import plain_text, strip_invisible, summarize
from .dates import parse_datetime
from .errors import ImportFailure, ImportSkip
from .identity import CONTENT_ANCHORS, source_key
from .reading import SourceFile

# Field -> front-matter keys, first present wins; the first is the one the exporter writes.
ALIASES = {
    "title": ("title",),
    "published_at": ("date", "publishDate", "pubdate", "published"),
    "modified_at": (
        "updated", "lastmod", "modified", "last_modified_at", "last_modified", "updated_at", "modified_at",
        "dateModified",
    ),
    "expires_at": ("expiryDate", "expirydate", "expires"),
    "slug": ("slug",),
    "url": ("permalink", "url", "path"),
    "aliases": ("aliases", "redirect_from"),
    "categories": ("categories", "category"),
    "tags": ("tags",),
    "keywords": ("keywords",),
    "authors": ("authors", "author"),
    # Byline entries with a role (`CREDITS`); an export writes roles in `authors` entries instead.
    "translators": ("translator", "translators", "translated_by"),
    "photographers": ("photographer", "photographers", "photos_by"),
    "contributors": ("contributors", "contributor"),
    "standfirst": ("standfirst",),  # Newsroom's own (the exporter's): text as written
    "summary": ("summary", "excerpt", "description", "abstract"),
    "lead_image": (
        "image", "images", "cover", "featured_image", "feature_image", "thumbnail",
        "headimg", "banner_img", "index_img",
    ),
    "lead_image_caption": ("image_caption", "caption"),
    "lead_image_alt": ("image_alt", "cover_alt", "thumbnail_alt", "featured_image_alt", "alt"),
    "lead_image_decorative": ("image_decorative",),  # Newsroom's own (the exporter's)
    "lead_image_credit": ("image_credit", "credit"),
    # Who took it, as the credit when no key gives one; read, not taken: it stays for a byline too.
    "lead_image_photographer": ("photographer",),
    "lead_image_copyright": ("image_copyright", "copyright_holder"),
    "lead_image_license_url": ("image_license", "image_licence", "license_url"),
    "lead_image_acquire_license_url": ("image_acquire_license_page",),
    "lead_image_focus": ("image_focal_point", "focal_point"),  # "x,y" in per cent: Newsroom's own
    "language": ("lang", "language"),
    # Versions of one story in other languages (Hugo's translationKey, Jekyll's ref with lang);
    # else the file's place says (`translation_from_path`).
    "translation_key": ("translationKey", "translation_key", "ref"),
    "identity": ("id", "uuid", "guid"),
    "featured": ("featured",),
    "status": ("status",),
    "draft": ("draft",),
    # Newsroom's own (the exporter's): a retracted story's record, `{kind, at, note, by}`.
    "retraction": ("retracted",),
    "published_flag": ("published",),  # Jekyll's `published: false`: a status, not a date
    "body_format": ("markup", "format"),
    "zola_path": ("path",),  # Zola's `path = "2019/05/30/slug"`: a date when no key gives one
    # Newsroom's own (the exporter's): extra data under keys this table reads, kept whole.
    "extra": ("newsroom_extra",),
}  # fmt: skip
# The role each credit key's people get; a `contributors` entry may give its own (`role:`).
CREDITS = {
    "translators": bylines.TRANSLATED,
    "photographers": bylines.PHOTOGRAPHS,
    "contributors": bylines.CONTRIBUTIONS,
}
# The publication-time keys that are never a status flag.
_DATE_KEYS = tuple(key for key in ALIASES["published_at"] if key not in ALIASES["published_flag"])
# The extra-data key an article keeps all its section paths under when a file names several.
EXTRA_SECTIONS = "categories"


# Every key the table reads: extra data under one of them is exported under `extra`'s key.
READ_KEYS = frozenset(key for keys in ALIASES.values() for key in keys)


def written_key(name: str) -> str:
    """The front-matter key the exporter writes for an `ALIASES` entry."""
    return ALIASES[name][0]


MORE_MARKER = re.compile(r"<!--\s*more\s*-->", re.IGNORECASE)
_PLACEHOLDER_IMAGES = re.compile(r"picsum\.photos|/p/undefined$|^undefined$")
_JEKYLL_DATE = re.compile(r"^(\d{4})-(\d{2})-(\d{2})-")
_PATH_DATE = re.compile(r"^/?(\d{4})/(\d{1,2})/(\d{1,2})/")
# A tag's text stops at the next opener of its kind: scanning on to the end of the line from every
# `{%` made a long line of unclosed ones quadratic (issue 12); names are possessive for the same reason.
_TEMPLATE_SYNTAX = re.compile(
    r"\{%-?\s*+(\w++)(?:(?!\{%)[^\n])*?%\}"
    r"|\{\{[<%]\s*+/?\s*+([\w-]++)(?:(?!\{\{)[^\n])*?[>%]\}\}"
    r"|\{\{-?\s*+([\w.]++)(?:(?!\{\{)[^\n])*?\}\}"
)
SUMMARY_LENGTH = 160
MAX_TITLE = 300


@dataclass
class ImportOptions:
    tz: ZoneInfo
    status: str | None = None  # overrides what the files say
    default_author: str = ""
    category_mode: str = "path"  # or "flat": every entry a top-level section (Hugo semantics)
    dry_run: bool = False
    overwrite: bool = False
    # What one file may cost (see budget.py): bytes, and seconds to read, map and render it.
    max_file_bytes: int = field(default_factory=lambda: settings.IMPORT_MAX_FILE_BYTES)
    file_seconds: float = field(default_factory=lambda: settings.IMPORT_FILE_SECONDS)
    restore_deleted: bool = False  # import files whose articles were deleted, instead of skipping them


@dataclass
class ArticleData:
    """Everything an import will write for one file, validated."""

    source_key: str
    source_path: str
    content_hash: str
    title: str
    body_source: str
    body_format: str
    body: str = ""
    status: str = "published"
    published_at: dt.datetime | None = None
    modified_at: dt.datetime | None = None
    expires_at: dt.datetime | None = None
    slug: str = ""
    standfirst: str = ""
    category_paths: list[list[str]] = field(default_factory=list)
    authors: list[dict] = field(default_factory=list)
    tags: list[str] = field(default_factory=list)
    keywords: str = ""
    lead_image_url: str = ""
    lead_image_caption: str = ""
    lead_image_credit: str = ""
    lead_image_alt: str = ""
    lead_image_decorative: bool = False
    lead_image_copyright: str = ""
    lead_image_license_url: str = ""
    lead_image_acquire_license_url: str = ""
    lead_image_focus: tuple = (50, 50)
    lead_image_file: str = ""  # a name in media storage, for images that came with the file
    lead_renditions: dict = field(default_factory=dict)  # made here, in the worker process
    missing_images: list[str] = field(default_factory=list)  # references not found beside the file
    found_images: dict[str, str] = field(default_factory=dict)  # reference -> its name in media storage
    language: str = ""
    # The language the file names (not the one read from its text): identity never moves with the words.
    declared_language: str = ""
    translation_key: str = ""  # shared with its versions in other languages
    featured: bool = False
    aliases: list[str] = field(default_factory=list)
    extra: dict = field(default_factory=dict)
    warnings: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    search_document: str = ""
    # A retracted story's record (`retracted:`): kind, retracted_at, note and by (a username).
    retraction: dict | None = None


def clean_text(value) -> str:
    """A one-line text value with control characters and zero-width spaces removed."""
    return " ".join(strip_invisible(str(value)).replace("\u00a0", " ").split())


def map_source(source: SourceFile, options: ImportOptions, images=None) -> ArticleData:
    """Turn a parsed file into an ArticleData; raise ImportFailure naming the field at fault.

    `images` (an `images.ImageStore`) stores images referenced by relative paths and gives their
    media names and URLs; without it such references are reported and kept as they are."""
    meta = dict(source.metadata)
    used = set()

    def take(name):
        for alias in ALIASES[name]:
            if alias in meta and meta[alias] not in (None, "", []):
                used.add(alias)
                return meta[alias]
        return None

    title = clean_text(take("title") or "")
    if not title:
        raise ImportSkip("no title in the front matter (not an article)")
    full_title = None
    if len(title) > MAX_TITLE:
        full_title, title = title, title[: MAX_TITLE - 1].rstrip() + "…"

    language = clean_text(take("language") or "")
    translation_key, language_of_path = translation_from_path(source.path, language)
    if explicit_key := clean_text(take("translation_key") or ""):
        translation_key = explicit_key
    body_source, summary_from_marker = _split_more(strip_invisible(source.body))
    data = ArticleData(
        source_key=source_key(source.path, take("identity"), language),
        source_path=str(source.path),
        content_hash=source.content_hash,
        title=title,
        body_source=body_source,
        body_format=_body_format(meta, used, source.path, body_source),
        language=language or language_of_path,
        declared_language=language,
        translation_key=_short_key(translation_key),
        warnings=list(source.warnings),
    )
    if full_title:
        data.extra["full_title"] = full_title
        data.warnings.append(
            f"title: {len(full_title)} characters, cut to {MAX_TITLE}; the whole title is kept in the extra data"
        )

    _map_times(data, meta, used, take, options.tz, source.path)
    _map_status(data, meta, used, options)
    _map_retraction(data, meta, used, options.tz)

    url = take("url")
    data.slug = clean_text(take("slug") or "")  # as written: the slug rule keeps its capitals
    if not data.slug and url:
        data.slug = PurePosixPath(str(url).rstrip("/")).name.removesuffix(".html").lower()
    data.aliases = [str(a) for a in _names(take("aliases"))] + ([str(url)] if url else [])

    categories, tags = take("categories"), take("tags")
    data.category_paths = _category_paths(categories, options.category_mode)
    data.tags = _names(tags, split_commas=True)
    for key, value in ((written_key("categories"), categories), (written_key("tags"), tags)):
        if isinstance(value, list) and any(isinstance(v, dict) for v in value):
            data.extra[f"{key}_as_imported"] = _json_safe(value)  # mappings are not names: keep them whole
    data.keywords = ", ".join(_names(take("keywords"), split_commas=True))[:500]
    data.authors = _authors(take("authors"), data.warnings)
    if options.default_author and not any(a["role"] in bylines.AUTHOR_ROLES for a in data.authors):
        data.authors.insert(0, _person(options.default_author))
    _map_credits(data, meta, used)
    data.featured = _flag(take("featured"))

    if images:
        data.body_source = rewrite_relative_images(data.body_source, lambda ref, alt: images.url(ref, data, alt))
    data.body = render_body(data.body_source, data.body_format)
    # A file that names no language is in the language its text is written in (Chinese posts
    # were all the site's en-us); the source key keeps what the file said.
    data.language = data.language or language_of_text(f"<h1>{escape(title)}</h1>{data.body}")

    summary = take("summary")
    if key := _present(meta, "standfirst"):  # Newsroom's own field, exported as it was, even empty
        used.add(key)
        data.standfirst = strip_invisible(str(meta[key] or ""))
    else:
        data.standfirst = clean_text(plain_text(str(summary))) if summary else summary_from_marker
        data.standfirst = data.standfirst or _first_paragraph_summary(data.body)

    data.lead_image_focus = _focus(take("lead_image_focus"), data.warnings)
    _map_lead_image(take("lead_image"), data, images)
    data.lead_image_caption = clean_text(take("lead_image_caption") or data.lead_image_caption)[:500]
    data.lead_image_alt = clean_text(take("lead_image_alt") or data.lead_image_alt)[:300]
    data.lead_image_decorative = _flag(take("lead_image_decorative"))
    photographer = meta.get(_present(meta, "lead_image_photographer"))
    credit = (
        take("lead_image_credit") or data.lead_image_credit or (photographer if isinstance(photographer, str) else "")
    )
    data.lead_image_credit = clean_text(credit or "")[:200]
    data.lead_image_copyright = clean_text(take("lead_image_copyright") or "")[:200]
    for name in ("lead_image_license_url", "lead_image_acquire_license_url"):
        if value := clean_text(take(name) or ""):
            try:
                _validate_url(value)
            except ValidationError:
                data.warnings.append(f"{ALIASES[name][0]} {value!r} is not an http(s) address: left out")
            else:
                setattr(data, name, value[:1000])
    if templates := sorted({m.group(1) or m.group(2) or m.group(3) for m in _TEMPLATE_SYNTAX.finditer(body_source)}):
        data.notes.append("template syntax kept as text, not run: " + ", ".join(templates))

    kept = take("extra")  # extra data an export wrote under its own key: kept as it was
    data.extra.update({k: _json_safe(v) for k, v in meta.items() if k not in used})
    if isinstance(kept, dict):
        data.extra.update(_json_safe(kept))
    data.search_document = search.document(data.title, data.standfirst, data.body)
    return data


# How far below a language folder Jekyll's posts folder may be (ruby-lang: `en/news/_posts`).
_POSTS_BELOW_LANGUAGE = 2
_TRANSLATION_KEY_LENGTH = 200


def translation_from_path(path: Path, declared_language: str = "") -> tuple[str, str]:
    """(translation key, language) a file's place gives, or ("", ""): the conventions that make
    files translations of each other without a key in them. Hugo's `post.zh.md` beside
    `post.md` or `post.en.md`; Hugo's `content/<lang>/…` and ruby-lang's or jekyll-polyglot's
    `<lang>/news/_posts/…`, where the same path in another language folder is the same story.
    The key is the path with the language taken out, from the site's folder (the one above the
    language folder, or above the content folder), so two sites in one import stay apart."""
    folders, name = path.parts[:-1], path.name
    pieces = name.split(".")
    anchors = [i for i, part in enumerate(folders) if part in CONTENT_ANCHORS]
    # From the site's folder: the one holding the content folder (or, with none, the file's).
    start = max(anchors[-1] - 1 if anchors else len(folders) - 1, 0)
    if len(pieces) >= 3 and language_in_name(pieces[-2]):  # post.zh-cn.md
        unsuffixed = ".".join([*pieces[:-2], pieces[-1]])
        return "/".join([*folders[start:], unsuffixed]), pieces[-2]
    for i in range(len(folders) - 1, 0, -1):
        if not language_in_name(folders[i]):
            continue
        below = folders[i + 1 : i + 1 + _POSTS_BELOW_LANGUAGE]
        if (
            (declared_language and language_tag(declared_language) == language_tag(folders[i]))
            or folders[i - 1] == "content"
            or any(part in ("_posts", "_drafts") for part in below)
        ):
            site = i - 2 if folders[i - 1] == "content" and i >= 2 else i - 1  # hugo/content/en: from hugo
            return "/".join([*folders[site:i], *folders[i + 1 :], name]), folders[i]
        break  # only the nearest folder naming a language can be the site's language folder
    if name in _translated_names(str(path.parent)):
        return "/".join([*folders[start:], name]), ""  # post.md: the default language's version
    return "", ""


@functools.lru_cache(maxsize=64)
def _translated_names(folder: str) -> frozenset:
    """The names in `folder` that have a version with a language in its name (`post.md` when
    `post.zh.md` is there), read once per folder a process maps files from."""
    try:
        names = [entry.name for entry in os.scandir(folder)]
    except OSError:
        return frozenset()
    unsuffixed = set()
    for name in names:
        pieces = name.split(".")
        if len(pieces) >= 3 and language_in_name(pieces[-2]):
            unsuffixed.add(".".join([*pieces[:-2], pieces[-1]]))
    return frozenset(unsuffixed)


def forget_folders() -> None:
    """Read folders afresh: files may have come or gone since the last run in this process."""
    _translated_names.cache_clear()


def _short_key(key: str) -> str:
    """A translation key that fits its column: a long one stands for itself by its digest."""
    if len(key) <= _TRANSLATION_KEY_LENGTH:
        return key
    return "sha1:" + hashlib.sha1(key.encode()).hexdigest()


def _map_times(data, meta, used, take, tz, path):
    raw_date = take("published_at")
    if _as_flag(raw_date) is not None:  # Jekyll's `published: false` (or `no`) is a status, not a date
        used.difference_update(ALIASES["published_flag"])
        raw_date = _take_first(meta, used, _DATE_KEYS)
    if raw_date is not None:
        data.published_at = parse_datetime(raw_date, tz)
        if data.published_at is None:
            data.warnings.append(f"unreadable date {raw_date!r}: imported as a draft with no publication time")
            data.extra["unreadable_date"] = str(raw_date)
            data.status = "draft"
    else:
        data.published_at = _date_from_names(path, meta.get(_present(meta, "zola_path")), tz)
    for name in ("modified_at", "expires_at"):
        raw = take(name)
        if raw is not None and not isinstance(raw, list):
            when = parse_datetime(raw, tz)
            if when is None:
                data.warnings.append(f"unreadable {ALIASES[name][0]} {raw!r}: kept in the extra data")
                data.extra[f"unreadable_{name}"] = str(raw)
            setattr(data, name, when)


def _present(meta, name) -> str | None:
    """The first of an `ALIASES` entry's keys the file has, whatever its value."""
    return next((key for key in ALIASES[name] if key in meta), None)


def _take_first(meta, used, keys):
    """The first of `keys` with a value (for when the alias table's order must be bypassed)."""
    for key in keys:
        if meta.get(key) not in (None, ""):
            used.add(key)
            return meta[key]
    return None


def _date_from_names(path: Path, zola_path, tz) -> dt.datetime | None:
    """Jekyll's `2019-05-30-slug.md` file names, else Zola's `path = "2019/05/30/slug"`."""
    match = _JEKYLL_DATE.match(path.name) or (_PATH_DATE.match(str(zola_path)) if zola_path else None)
    if not match:
        return None
    try:
        return dt.datetime(*map(int, match.groups()), tzinfo=tz)
    except ValueError:
        return None


_STATUSES = {"draft": "draft", "private": "draft", "review": "review", "pending": "review", "published": "published"}


def _map_status(data: "ArticleData", meta, used, options):
    """`draft: true`, `published: false` (Jekyll) or `status: draft|review` keep an article from
    readers; an unreadable date already made it a draft."""
    status = data.status
    if key := _present(meta, "status"):
        value = str(meta[key]).strip().lower()
        if value in _STATUSES:
            used.add(key)
            status = _STATUSES[value]
        else:  # `trash`, `future`…: not for readers until an editor decides; the value stays in extra
            status = "draft"
            data.warnings.append(f"unknown status {meta[key]!r}: imported as a draft")
    if "_drafts" in Path(data.source_path).parts:
        status = "draft"  # Jekyll keeps unpublished posts there
    if key := _present(meta, "draft"):
        used.add(key)
        if _flag(meta[key]) and status == "published":
            status = "draft"
    if (key := _present(meta, "published_flag")) and _as_flag(meta[key]) is not None:
        used.add(key)
        if _as_flag(meta[key]) is False and status == "published":
            status = "draft"
    if data.status == "draft":
        status = "draft"
    data.status = options.status or status


def _map_retraction(data: "ArticleData", meta, used, tz):
    """`retracted: {kind, at, note, by}`, as an export writes a retracted story: it comes back
    retracted (its addresses 410 Gone, on no list), whatever its status or --status say, and a
    file that says it is retracted but not readably fails rather than reach readers. `retracted:
    false` (another tool's flag) says nothing and stays in the extra data."""
    key = _present(meta, "retraction")
    if key is None or _as_flag(meta[key]) is False:
        return
    used.add(key)
    value = meta[key]
    if not isinstance(value, dict):
        raise ImportFailure(
            f"{key}: {value!r} is not a retraction record: kind, at and note, as export_articles writes them"
        )
    kind = clean_text(value.get("kind") or Retraction.Kind.RETRACTION).lower()
    if kind not in Retraction.Kind.values:
        raise ImportFailure(f"{key}: unknown kind {kind!r} (retraction or takedown)")
    retracted_at = parse_datetime(value.get("at"), tz)
    if retracted_at is None:
        raise ImportFailure(f"{key}: unreadable time {value.get('at')!r} (at)")
    note = strip_invisible(str(value.get("note") or "")).strip()
    if kind == Retraction.Kind.RETRACTION and not note:
        raise ImportFailure(f"{key}: a retraction needs its note for readers (note)")
    if data.published_at is None:
        raise ImportFailure(f"{key}: a retracted story needs the time it was published (date)")
    data.status = Article.Status.RETRACTED
    data.retraction = {
        "kind": kind,
        "retracted_at": retracted_at,
        "note": note,
        "by": clean_text(value.get("by") or ""),
    }
    data.notes.append(f"{kind} of {retracted_at.isoformat()}: kept retracted, its addresses answer 410 Gone")


_MARKUPS = {"html": HTML, "htm": HTML, "md": MARKDOWN, "markdown": MARKDOWN, "goldmark": MARKDOWN}


def _body_format(meta, used, path: Path, body: str) -> str:
    """`markup: html|markdown` when a file says so; an .html file is HTML; otherwise HTML when
    the body is an HTML fragment (every hexo-news body is one, even in .md files)."""
    for key in ALIASES["body_format"]:
        value = str(meta.get(key, "")).strip().lower()
        if value in _MARKUPS:  # an unknown `format: video` is not ours and stays in extra
            used.add(key)
            return _MARKUPS[value]
    if path.suffix.lower() in (".html", ".htm"):
        return HTML
    return HTML if looks_like_html(body) else MARKDOWN


def _split_more(body: str) -> tuple[str, str]:
    """The body, and the teaser before its `<!-- more -->` marker as a summary. The marker stays
    in the body as written (a comment: readers never see it), so an export gives it back."""
    parts = MORE_MARKER.split(body, maxsplit=1)
    if len(parts) == 1:
        return body, ""
    teaser = plain_text(render_body(parts[0], HTML if looks_like_html(parts[0]) else MARKDOWN))
    return body, summarize(teaser, SUMMARY_LENGTH)


def _first_paragraph_summary(html: str) -> str:
    """The first paragraph that has text (not just an image), else the start of the text."""
    for paragraph in _paragraphs(html):
        if text := plain_text(paragraph):
            return summarize(text, SUMMARY_LENGTH)
    return summarize(plain_text(html), SUMMARY_LENGTH)


def _paragraphs(html: str):
    """The contents of the `<p>` elements of sanitised HTML (whose paragraphs carry no attributes),
    in one pass: a pattern `<p[^>]*>(.*?)</p>` also took every `<pre>` for a paragraph and, in a
    body of code blocks, searched on to the end from each one (issue 12)."""
    start = 0
    while (start := html.find("<p>", start)) != -1:
        end = html.find("</p>", start)
        if end == -1:
            return
        yield html[start + 3 : end]
        start = end + 4


def _category_paths(value, mode) -> list[list[str]]:
    """A list is one path; a list of lists is several paths; a string is one section."""
    if value in (None, "", []):
        return []
    if isinstance(value, str):
        paths = [[clean_text(value)]]
    elif isinstance(value, list):
        if any(isinstance(v, list) for v in value):
            paths = [p for p in (_names(v if isinstance(v, list) else [v]) for v in value) if p]
        else:
            paths = [_names(value)]
    else:
        raise ImportFailure(f"categories: expected a name or a list, got {type(value).__name__}")
    if mode == "flat":
        paths = [[name] for name in dict.fromkeys(n for p in paths for n in p)]
    return [p for p in paths if p]


def _names(value, split_commas=False) -> list[str]:
    if value in (None, ""):
        return []
    if isinstance(value, str):
        items = value.split(",") if split_commas else [value]
    elif isinstance(value, list):
        items = [v for item in value for v in (item if isinstance(item, list) else [item])]
    else:
        items = [value]
    names = [clean_text(v) for v in items if v is not None and not isinstance(v, dict)]
    return list(dict.fromkeys(n for n in names if n))


def _authors(value, warnings, role=bylines.AUTHOR) -> list[dict]:
    """Byline entries: names, or mappings with `name`, `email`, `url`, `slug` and `role` (`role`
    defaulting to the key's)."""
    if value in (None, ""):
        return []
    authors = []
    for item in value if isinstance(value, list) else [value]:
        if isinstance(item, dict):
            entry = {
                "name": clean_text(item.get("name") or item.get("title") or "")[:200],
                "email": _valid(item.get("email"), validate_email, "email", warnings),
                "website": _valid(
                    item.get("url") or item.get("link") or item.get("website"), _validate_url, "url", warnings
                ),
                "slug": clean_text(item.get("slug") or ""),  # who they are, when names are shared
                "role": bylines.canonical_role(clean_text(item.get("role") or role)),
            }
        else:
            entry = _person(item, role)
        if entry["name"] and entry not in authors:  # two Li Weis with their own slugs are two
            authors.append(entry)
    return authors


def _person(name, role=bylines.AUTHOR) -> dict:
    return {"name": clean_text(name)[:200], "email": "", "website": "", "slug": "", "role": role}


def _map_credits(data: "ArticleData", meta, used):
    """`translator`, `photographer` and `contributors` keys: byline entries with that role, after
    the authors. A shape that names nobody readably (a mapping without a name, a list of lists)
    is not guessed at: the key stays in the extra data. Someone already on the byline keeps
    their first role (one entry a person), with a warning."""
    for name, role in CREDITS.items():
        key = next((k for k in ALIASES[name] if meta.get(k) not in (None, "", [])), None)
        if key is None:
            continue
        if not _names_people(meta[key]):
            data.notes.append(f"{key}: not a name or a list of names; kept in the extra data")
            continue
        used.add(key)
        for entry in _authors(meta[key], data.warnings, role):
            same = next((a for a in data.authors if _same_person(a, entry)), None)
            if same is None:
                data.authors.append(entry)
            elif same["role"] != entry["role"]:
                data.warnings.append(f"{key}: {entry['name']!r} is already on the byline; kept there once")


def _names_people(value) -> bool:
    """Whether every item of a credit key's value is a name or a mapping with one."""
    return all(_is_named(item) for item in (value if isinstance(value, list) else [value]))


def _is_named(item) -> bool:
    if isinstance(item, dict):
        return bool(clean_text(item.get("name") or item.get("title") or ""))
    return isinstance(item, str | int | float) and not isinstance(item, bool) and bool(clean_text(item))


def _same_person(a: dict, b: dict) -> bool:
    """The same name, and no slug or email telling them apart (`Author.objects.for_byline`'s rule)."""
    if a["name"].casefold() != b["name"].casefold():
        return False
    return not any(a[k] and b[k] and a[k] != b[k] for k in ("slug", "email"))


_validate_url = URLValidator(schemes=["http", "https"])


def _focus(value, warnings) -> tuple:
    """`image_focal_point: "30,60"` (per cent across and down); the centre otherwise."""
    if value in (None, ""):
        return (50, 50)
    try:
        x, y = (int(float(part)) for part in str(value).split(","))
    except ValueError:
        warnings.append(f"image_focal_point {value!r} is not two numbers: the centre is used")
        return (50, 50)
    return (max(0, min(100, x)), max(0, min(100, y)))


def _valid(value, validator, label, warnings) -> str:
    """`value` if the validator accepts it; otherwise "" and a warning (a `javascript:` link
    in an author's front matter must not become a link on their page)."""
    if not value:
        return ""
    value = str(value).strip()
    try:
        validator(value)
    except ValidationError:
        warnings.append(f"author {label} {value!r} is not valid: left out")
        return ""
    return value


def _map_lead_image(value, data: ArticleData, images):
    if isinstance(value, list):
        if len(value) > 1:
            data.extra["images"] = _json_safe(value)  # the first is the lead; all are kept
        value = value[0] if value else None
    if isinstance(value, dict):  # `images: [{src:, alt:, caption:, credit:}]`
        data.lead_image_alt = str(value.get("alt") or "")
        data.lead_image_caption = str(value.get("caption") or "")
        data.lead_image_credit = str(value.get("credit") or "")
        value = value.get("src") or value.get("url")
    if not value:
        return
    reference = str(value).strip()
    if _PLACEHOLDER_IMAGES.search(reference):
        data.notes.append(f"placeholder lead image {reference!r} ignored")
        data.extra["placeholder_image"] = reference
        return
    if reference.startswith(("http://", "https://", "//")):
        data.lead_image_url = ("https:" + reference if reference.startswith("//") else reference)[:1000]
        return
    stored = images.store(reference, data) if images else None
    if stored:
        data.lead_image_file = stored
        data.lead_renditions = images.lead_renditions(stored, data, data.lead_image_focus)
    else:
        data.extra["lead_image"] = reference
        if not images:
            data.warnings.append(f"lead image {reference!r} is a relative path: kept in the extra data")


# Neither pattern reads past the start of the next image or tag: scanning from every `![` or `<img`
# to the end of a body that never closes one was quadratic (issue 12). An alt text with a `[` in
# it is not an image's alt in CommonMark either.
_MD_IMAGE = re.compile(r"(!\[[^\[\]]*+\]\()\s*+<?([^)\s>]++)>?((?:\s++[\"'](?:[^)!]|!(?!\[))*[\"'])?\s*\))")
_HTML_ALT = re.compile(r"""\balt\s*=\s*(["'])([^"'<>]*+)\1""", re.IGNORECASE)
_HTML_IMAGE = re.compile(r"""(<img\b[^<>]*?\bsrc\s*=\s*)(["']?)([^"'\s>]++)\2""", re.IGNORECASE)


def _is_relative(reference: str) -> bool:
    return not re.match(r"^([a-z][a-z0-9+.-]*:|/|#)", reference, re.IGNORECASE)


def rewrite_relative_images(source: str, resolve) -> str:
    """Point `![](chart.png)` and `<img src="chart.png">` at the stored copies of those images:
    `resolve(reference, alt)` gives a copy's address, or None to leave the reference as it is."""

    def markdown(match):
        ref = match.group(2)
        new = resolve(ref, match.group(1)[2:-2]) if _is_relative(ref) else None
        return f"{match.group(1)}{new}{match.group(3)}" if new else match.group(0)

    def html(match):
        ref = match.group(3)
        end = match.string.find(">", match.end())  # the alt text is within the tag, before or after src
        alt = _HTML_ALT.search(match.string, match.start(), end) if end != -1 else None
        new = resolve(ref, unescape(alt.group(2)) if alt else None) if _is_relative(ref) else None
        return f'{match.group(1)}"{new}"' if new else match.group(0)

    return _HTML_IMAGE.sub(html, _MD_IMAGE.sub(markdown, source))


def relative_image_references(source: str) -> list[str]:
    """The relative image references of a body, in the order an import looks them up."""
    found = []
    rewrite_relative_images(source, lambda ref, alt: found.append(ref))
    return found


def _json_safe(value):
    """Front-matter values as JSON both databases store (no dates, bytes, sets or NaN)."""
    if isinstance(value, dt.datetime | dt.date | dt.time):
        return value.isoformat()
    if isinstance(value, dict):
        return {str(k): _json_safe(v) for k, v in value.items()}
    if isinstance(value, list | tuple | set | frozenset):
        return [_json_safe(v) for v in value]
    if isinstance(value, bytes):
        return base64.b64encode(value).decode()
    if isinstance(value, float) and not math.isfinite(value):
        return str(value)
    if value is None or isinstance(value, str | int | float | bool):
        return value
    return str(value)


def _flag(value) -> bool:
    """YAML booleans, and the strings people write for them."""
    return _as_flag(value) is True or str(value).strip() == "1"


_FLAG_WORDS = {"true": True, "yes": True, "on": True, "false": False, "no": False, "off": False}


def _as_flag(value) -> bool | None:
    """A yes/no field's value: YAML reads only true and false as booleans (see reading.py), so
    the words people write for a flag (`published: no`) are read here, for flags only."""
    if isinstance(value, bool):
        return value
    return _FLAG_WORDS.get(value.strip().lower()) if isinstance(value, str) else None
