"""The front-matter mapping: which keys mean what. The README's mapping table mirrors `ALIASES`."""

import datetime as dt
import re
from dataclasses import dataclass, field
from pathlib import PurePosixPath
from zoneinfo import ZoneInfo

from ..rendering import HTML, MARKDOWN, looks_like_html, render_body
from ..text import plain_text, summarize
from .dates import parse_datetime
from .errors import ImportFailure
from .reading import SourceFile

# Field -> front-matter keys, first present wins.
ALIASES = {
    "title": ("title",),
    "published_at": ("date", "publishDate", "pubdate", "published"),
    "slug": ("slug",),
    "slug_from_url": ("permalink", "url"),
    "categories": ("categories", "category"),
    "tags": ("tags",),
    "authors": ("authors", "author"),
    "summary": ("summary", "excerpt", "description", "abstract"),
    "lead_image": (
        "image", "images", "cover", "featured_image", "feature_image", "thumbnail",
        "headimg", "banner_img", "index_img",
    ),
    "language": ("lang", "language"),
    "identity": ("id", "uuid", "guid"),
    "featured": ("featured",),
}  # fmt: skip

MORE_MARKER = re.compile(r"<!--\s*more\s*-->", re.IGNORECASE)
_INVISIBLE = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f\u200b-\u200d\u2060\ufeff]")
_PLACEHOLDER_IMAGES = re.compile(r"picsum\.photos|/p/undefined$")
SUMMARY_LENGTH = 160


@dataclass
class ArticleData:
    """Everything an import will write for one file, validated."""

    source_key: str
    source_path: str
    content_hash: str
    title: str
    body_source: str
    body_format: str
    draft: bool = False
    published_at: dt.datetime | None = None
    slug: str = ""
    standfirst: str = ""
    category_path: list[str] = field(default_factory=list)
    authors: list[dict] = field(default_factory=list)
    tags: list[str] = field(default_factory=list)
    lead_image_url: str = ""
    language: str = ""
    featured: bool = False
    extra: dict = field(default_factory=dict)
    warnings: list[str] = field(default_factory=list)


def clean_text(value) -> str:
    """A one-line text value with control characters and zero-width spaces removed."""
    return _INVISIBLE.sub("", str(value)).replace("\u00a0", " ").strip()


def map_source(source: SourceFile, key: str, tz: ZoneInfo) -> ArticleData:
    """Turn a parsed file into an ArticleData; raise ImportFailure naming the field at fault."""
    meta = dict(source.metadata)
    used = set()

    def take(name):
        for alias in ALIASES[name]:
            if alias in meta and meta[alias] not in (None, ""):
                used.add(alias)
                return meta[alias]
        return None

    title = clean_text(take("title") or "")
    if not title:
        raise ImportFailure("no title in the front matter")

    identity = take("identity")
    body, summary_from_marker = _split_more(source.body)
    data = ArticleData(
        source_key=f"id:{identity}" if identity not in (None, "") else f"path:{key}",
        source_path=str(source.path),
        content_hash=source.content_hash,
        title=title,
        body_source=body,
        body_format=HTML if looks_like_html(body) else MARKDOWN,
    )

    raw_date = take("published_at")
    if isinstance(raw_date, bool):  # Jekyll's `published: false` is a status, not a date
        used.discard("published")
        raw_date = None
    if raw_date is not None:
        data.published_at = parse_datetime(raw_date, tz)
        if data.published_at is None:
            data.warnings.append(f"unreadable date {raw_date!r}: imported as a draft with no publication time")
            data.extra["unreadable_date"] = str(raw_date)
    data.draft = _is_draft(meta, used) or (raw_date is not None and data.published_at is None)

    data.slug = clean_text(take("slug") or "")
    if not data.slug and (url := take("slug_from_url")):
        data.slug = PurePosixPath(str(url).rstrip("/")).name.removesuffix(".html")

    categories = take("categories")
    paths = _category_paths(categories)
    if paths:
        data.category_path = paths[0]
        if len(paths) > 1:
            data.extra["categories"] = paths  # kept whole: the article files under the first
    data.tags = _names(take("tags"), split_commas=True)
    data.authors = _authors(take("authors"))

    summary = take("summary")
    data.standfirst = clean_text(plain_text(str(summary))) if summary else summary_from_marker
    if not data.standfirst:
        data.standfirst = _first_paragraph_summary(body, data.body_format)

    data.lead_image_url = _lead_image(take("lead_image"), data)
    data.language = clean_text(take("language") or "")
    data.featured = bool(take("featured"))

    data.extra.update({k: _json_safe(v) for k, v in meta.items() if k not in used})
    return data


def _is_draft(meta, used) -> bool:
    """`draft: true`, `published: false` (Jekyll) or `status: draft` keep an article from readers."""
    draft = False
    if "draft" in meta:
        used.add("draft")
        draft |= meta["draft"] is True
    if isinstance(meta.get("published"), bool):
        used.add("published")
        draft |= meta["published"] is False
    if "status" in meta:
        used.add("status")
        draft |= str(meta["status"]).lower() in ("draft", "private", "pending")
    return draft


def _split_more(body: str) -> tuple[str, str]:
    """Body without the `<!-- more -->` marker, and the teaser before it as a summary."""
    parts = MORE_MARKER.split(body, maxsplit=1)
    if len(parts) == 1:
        return body, ""
    teaser = plain_text(parts[0]) if looks_like_html(parts[0]) else plain_text(parts[0].replace("*", ""))
    return (parts[0].rstrip() + "\n\n" + parts[1].lstrip()).strip(), summarize(teaser, SUMMARY_LENGTH)


def _first_paragraph_summary(body: str, body_format: str) -> str:
    html = render_body(body, body_format)
    match = re.search(r"<p[^>]*>(.*?)</p>", html, re.DOTALL)
    return summarize(plain_text(match.group(1) if match else html), SUMMARY_LENGTH)


def _category_paths(value) -> list[list[str]]:
    """A list is one path; a list of lists is several paths; a string is one section."""
    if value in (None, "", []):
        return []
    if isinstance(value, str):
        return [[clean_text(value)]]
    if isinstance(value, list):
        if any(isinstance(v, list) for v in value):
            return [p for p in (_names(v) for v in value) if p]
        path = _names(value)
        return [path] if path else []
    raise ImportFailure(f"categories: expected a name or a list, got {type(value).__name__}")


def _names(value, split_commas=False) -> list[str]:
    if value in (None, ""):
        return []
    if isinstance(value, str):
        items = value.split(",") if split_commas else [value]
    elif isinstance(value, list):
        items = [v for item in value for v in (item if isinstance(item, list) else [item])]
    else:
        items = [value]
    names = [clean_text(v) for v in items if v is not None]
    return list(dict.fromkeys(n for n in names if n))


def _authors(value) -> list[dict]:
    if value in (None, ""):
        return []
    items = value if isinstance(value, list) else [value]
    authors = []
    for item in items:
        if isinstance(item, dict):
            name = clean_text(item.get("name") or item.get("title") or "")
            entry = {
                "name": name,
                "email": item.get("email") or "",
                "website": item.get("url") or item.get("link") or "",
            }
        else:
            entry = {"name": clean_text(item), "email": "", "website": ""}
        if entry["name"] and entry["name"] not in [a["name"] for a in authors]:
            authors.append(entry)
    return authors


def _lead_image(value, data: ArticleData) -> str:
    if isinstance(value, list):
        value = value[0] if value else None
    if isinstance(value, dict):
        value = value.get("src") or value.get("url")
    if not value:
        return ""
    url = str(value).strip()
    if _PLACEHOLDER_IMAGES.search(url):
        return ""
    if not url.startswith(("http://", "https://")):
        data.warnings.append(f"lead image {url!r} is not an absolute URL: kept in extra data only")
        data.extra["lead_image"] = url
        return ""
    return url


def _json_safe(value):
    if isinstance(value, dt.datetime | dt.date | dt.time):
        return value.isoformat()
    if isinstance(value, dict):
        return {str(k): _json_safe(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_json_safe(v) for v in value]
    return value
