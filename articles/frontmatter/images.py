"""Images that come with imported files (`cover: husky封面.png`, `![](chart.png)`)."""

import hashlib
from pathlib import Path
from urllib.parse import unquote

from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage

from .. import renditions
from ..images import MAX_BYTES, check_image, without_metadata
from .budget import uninterrupted
from .mapping import relative_image_references


class ImageStore:
    """Finds a relative image next to its file, checks it, and keeps one copy per content in
    media storage (under --dry-run it checks but keeps nothing)."""

    def __init__(self, dry_run=False, storage=default_storage):
        self.dry_run, self.storage = dry_run, storage

    def store(self, reference: str, data, alt: str | None = None) -> str | None:
        """The media name of the image, or None (with a warning on `data`). An image not found is
        listed in `data.missing_images`, so a later run looks for it again (`findable`)."""
        candidates = _candidates(reference, data.source_path)
        if candidates is None:
            data.warnings.append(f"image {reference!r} is outside the file's folder: left as it was")
            return None
        found = next((c for c in candidates if c.is_file()), None)
        if found is None:
            said = f" (alt text {alt!r})" if alt else ""
            data.warnings.append(
                f"image {reference!r}{said} not found next to the file: left out of the page until an import finds it"
            )
            data.missing_images.append(reference)
            return None
        if found.stat().st_size > MAX_BYTES:
            data.warnings.append(f"image {reference!r}: larger than {MAX_BYTES // 1_048_576} MB, left out")
            return None
        content = found.read_bytes()
        try:
            extension = check_image(ContentFile(content))
        except ValidationError as exc:
            data.warnings.append(f"image {reference!r}: {exc.messages[0]}, left out")
            return None
        digest = hashlib.sha1(content).hexdigest()  # of the file as found: the same name on every run
        name = f"imported/{digest[:2]}/{digest}{extension}"
        if not self.dry_run and not self.storage.exists(name):
            stripped = without_metadata(content, extension)
            with uninterrupted():
                name = self.storage.save(name, ContentFile(stripped))
        data.found_images[reference] = name
        return name

    def lead_renditions(self, name: str, data, focus=renditions.CENTRE) -> dict:
        """Renditions of a stored lead image, made in the worker process; an image already
        imported (its name is its content) keeps the copies it has."""
        if self.dry_run:
            return {}
        try:
            with uninterrupted():  # the copies are named after the image: none may be left half-written
                return renditions.make(name, storage=self.storage, reuse=True, focus=focus)
        except renditions.UNUSABLE as exc:
            data.warnings.append(f"lead image {name!r}: no smaller copies ({renditions.reason(exc)})")
            return {}

    def url(self, reference: str, data, alt: str | None = None) -> str | None:
        name = self.store(reference, data, alt)
        return self.storage.url(name) if name else None


def _candidates(reference: str, source_path: str) -> list[Path] | None:
    """Where an image `reference` of the file at `source_path` may be: next to the file (page
    bundles), or in Hexo's per-post asset folder named after it; None when it points outside
    the file's folder (`/etc/x.png`, `../../x.png` are not its images)."""
    source = Path(source_path)
    relative = unquote(reference.split("?")[0].split("#")[0])
    folder = source.parent.resolve()
    candidates = [(folder / relative).resolve(), (folder / source.stem / relative).resolve()]
    if relative.startswith("/") or not all(c.is_relative_to(folder) for c in candidates):
        return None
    return candidates


def findable(references: list[str], source_path: str) -> bool:
    """Whether any of the images an earlier import could not find is there now."""
    return any(any(c.is_file() for c in _candidates(ref, source_path) or ()) for ref in references)


def lacking(article) -> list[str]:
    """The images an imported article's file refers to that it has no stored copy of: its body's
    references still relative (a found one points at its copy), then its lead image's when it has
    none (kept in the extra data), as an import lists them in `missing_images`. For articles
    imported before that list existed (`render_bodies` fills it), so an import that finds one
    puts it back. An image outside the file's folder is never looked for, so never listed."""
    if not article.source_path:
        return list(article.missing_images)  # written in the admin: no file to find images beside
    references = relative_image_references(article.body_source)
    lead = (article.extra or {}).get("lead_image")
    if isinstance(lead, str) and not article.lead_image and not article.lead_image_url:
        references.append(lead)
    return [ref for ref in references if _candidates(ref, article.source_path) is not None]
