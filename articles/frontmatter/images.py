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


class ImageStore:
    """Finds a relative image next to its file, checks it, and keeps one copy per content in
    media storage (under --dry-run it checks but keeps nothing)."""

    def __init__(self, dry_run=False, storage=default_storage):
        self.dry_run, self.storage = dry_run, storage

    def store(self, reference: str, data) -> str | None:
        """The media name of the image, or None (with a warning on `data`)."""
        source = Path(data.source_path)
        relative = unquote(reference.split("?")[0].split("#")[0])
        folder = source.parent.resolve()
        # Next to the file (page bundles), or in Hexo's per-post asset folder named after it —
        # and never outside the file's folder (`/etc/x.png`, `../../x.png` are not its images).
        candidates = [(folder / relative).resolve(), (folder / source.stem / relative).resolve()]
        if relative.startswith("/") or not all(c.is_relative_to(folder) for c in candidates):
            data.warnings.append(f"image {reference!r} is outside the file's folder: left as it was")
            return None
        found = next((c for c in candidates if c.is_file()), None)
        if found is None:
            data.warnings.append(f"image {reference!r} not found next to the file: left as it was")
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

    def url(self, reference: str, data) -> str | None:
        name = self.store(reference, data)
        return self.storage.url(name) if name else None
