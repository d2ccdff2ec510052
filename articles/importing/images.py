"""Images that come with imported files (`cover: husky封面.png`, `![](chart.png)`)."""

import hashlib
from pathlib import Path
from urllib.parse import unquote

from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage

from ..images import MAX_BYTES, check_image


class ImageStore:
    """Finds a relative image next to its file, checks it, and keeps one copy per content in
    media storage (under --dry-run it checks but keeps nothing)."""

    def __init__(self, dry_run=False, storage=default_storage):
        self.dry_run, self.storage = dry_run, storage

    def store(self, reference: str, data) -> str | None:
        """The media name of the image, or None (with a warning on `data`)."""
        source = Path(data.source_path)
        relative = unquote(reference.split("?")[0].split("#")[0])
        # Next to the file (page bundles), or in Hexo's per-post asset folder named after it.
        candidates = [source.parent / relative, source.parent / source.stem / relative]
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
        digest = hashlib.sha1(content).hexdigest()
        name = f"imported/{digest[:2]}/{digest}{extension}"
        if not self.dry_run and not self.storage.exists(name):
            name = self.storage.save(name, ContentFile(content))
        return name

    def url(self, reference: str, data) -> str | None:
        name = self.store(reference, data)
        return self.storage.url(name) if name else None
