"""Smaller copies of a lead image, made once when the image changes.

Reader pages never open an image file: the sizes and names of the copies are stored on the
article (`Article.lead_renditions`), so a page builds its `srcset` from that alone.
"""

import io
import logging
import math
from pathlib import PurePosixPath

from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from PIL import Image, ImageOps

from .images import check_pixels

logger = logging.getLogger(__name__)

WIDTHS = (320, 640, 1024)  # phone, half a desktop column, a full-width desktop lead
# Crops for search engines and social cards (Google's NewsArticle `image`: 16:9, 4:3 and 1:1;
# Discover and large previews want at least 1,200 px wide), around the editor's focal point.
CROPS = {"16x9": (16, 9), "4x3": (4, 3), "1x1": (1, 1)}
CROP_WIDTH = 1200
CENTRE = (50, 50)
THUMBNAIL_WIDTH = 120  # the admin's
FORMAT, EXTENSION, QUALITY = "WEBP", ".webp", 80
# What keeps a stored image from getting renditions: unreadable, damaged, or too big to decode.
UNUSABLE = (OSError, SyntaxError, ValueError, Image.DecompressionBombError, ValidationError)


def reason(exc) -> str:
    if isinstance(exc, ValidationError):
        return exc.messages[0]
    return "file not found" if isinstance(exc, FileNotFoundError) else str(exc)


def describe(renditions: dict, name: str, focus=CENTRE) -> bool:
    """Whether `renditions` are the current ones of the stored image `name` cropped around
    `focus`; older renditions, made before crops, are not."""
    return (
        bool(renditions)
        and renditions.get("source") == name
        and "crops" in renditions
        and tuple(renditions.get("focus", CENTRE)) == tuple(focus)
    )


def make(name: str, storage=default_storage, reuse=False, focus=CENTRE) -> dict:
    """Write the renditions of the stored image `name`, and its crops around `focus` (per cent
    across and down); return what describes them.

    `reuse` is for content-addressed names (the importer's): a rendition already stored under
    its name is kept rather than encoded again."""
    focus = tuple(focus)
    with storage.open(name, "rb") as file, Image.open(file) as image:
        # Files stored before the limit, or put in the bucket by hand, are checked here too.
        check_pixels(image)
        quarter_turn = image.getexif().get(0x0112, 1) in (5, 6, 7, 8)  # EXIF orientation
        width, height = (image.height, image.width) if quarter_turn else image.size
        widths = sorted({min(w, width) for w in WIDTHS})  # never upscaled
        targets = [(w, _height(w, width, height), f"{w}w", None) for w in widths]  # None: the whole image
        thumb = min(THUMBNAIL_WIDTH, width)
        targets.append((thumb, _height(thumb, width, height), "thumb", None))
        for ratio, shape in CROPS.items():
            box = crop_box(width, height, shape, focus)
            crop_width = min(CROP_WIDTH, box[2] - box[0])  # never upscaled
            crop_height = max(1, round(crop_width * shape[1] / shape[0]))
            targets.append((crop_width, crop_height, f"{ratio}-{focus[0]}-{focus[1]}", box))
        names = {t[2]: rendition_name(name, t[2]) for t in targets}
        pending = [t for t in targets if not (reuse and storage.exists(names[t[2]]))]
        if pending:
            _write(image, pending, names, storage, quarter_turn)
    described = [{"name": names[label], "width": w, "height": h} for w, h, label, _ in targets]
    plain, crops = described[: len(widths) + 1], described[len(widths) + 1 :]
    return {
        "source": name,
        "width": width,
        "height": height,
        "sizes": plain[:-1],
        "thumbnail": plain[-1],
        "focus": list(focus),
        "crops": dict(zip(CROPS, crops, strict=True)),
    }


def crop_box(width, height, shape, focus) -> tuple[int, int, int, int]:
    """The largest box of `shape` (16, 9) inside the image, centred on `focus` (per cent) as
    nearly as the edges allow."""
    across, down = shape
    box_width = max(1, min(width, math.floor(height * across / down)))
    box_height = max(1, min(height, round(box_width * down / across)))
    left = round(width * focus[0] / 100 - box_width / 2)
    top = round(height * focus[1] / 100 - box_height / 2)
    left = max(0, min(left, width - box_width))
    top = max(0, min(top, height - box_height))
    return (left, top, left + box_width, top + box_height)


def rendition_name(source: str, label: str) -> str:
    path = PurePosixPath(source)
    return str(PurePosixPath("renditions") / path.parent / f"{path.stem}-{label}{EXTENSION}")


def _write(image, targets, names, storage, quarter_turn):
    upright_width = image.height if quarter_turn else image.width
    # How sharp a source the copies need: the largest share of the original's pixels one keeps.
    scale = min(1, max(w / (box[2] - box[0] if box else upright_width) for w, _, _, box in targets))
    largest = math.ceil(upright_width * scale)
    # A JPEG decodes straight at a fraction of its size when that still covers the largest copy.
    image.draft("RGB", (math.ceil(image.width * scale), math.ceil(image.height * scale)))
    # Shrunk (by whole pixels, cheaply) to at least twice the largest copy before it is turned
    # and converted, so that no copy of the decoded original is made (Pillow's reducing_gap=2).
    factor = (image.height if quarter_turn else image.width) // (largest * 2)  # after draft: maybe smaller
    if factor > 1 and image.mode not in ("1", "P", "I;16"):
        image = image.reduce(factor)
    image = ImageOps.exif_transpose(image)  # the copies are upright and carry no EXIF
    mode = "RGBA" if _has_alpha(image) else "RGB"
    if image.mode != mode:
        image = image.convert(mode)
    icc_profile = image.info.get("icc_profile")
    shrink = image.width / upright_width  # what draft and reduce left of the original's pixels
    for width, height, label, box in (t for t in targets if t[3]):  # crops: each from the decoded image
        region = tuple(edge * shrink for edge in box)
        _save(image.resize((width, height), Image.Resampling.LANCZOS, box=region), label, names, storage, icc_profile)
    for width, height, label, _ in sorted((t for t in targets if not t[3]), reverse=True):
        image = image.resize((width, height), Image.Resampling.LANCZOS, reducing_gap=3.0)  # each from the last
        _save(image, label, names, storage, icc_profile)


def _save(image, label, names, storage, icc_profile):
    buffer = io.BytesIO()
    image.save(buffer, FORMAT, quality=QUALITY, method=4, icc_profile=icc_profile)
    if storage.exists(names[label]):
        storage.delete(names[label])  # a stale copy of an earlier image by the same name
    names[label] = storage.save(names[label], ContentFile(buffer.getvalue()))


def _height(width, source_width, source_height):
    return max(1, round(source_height * width / source_width))


def _has_alpha(image):
    return image.mode in ("RGBA", "LA", "PA") or (image.mode == "P" and "transparency" in image.info)


def picture(renditions: dict, storage=default_storage) -> dict | None:
    """What an <img> needs (src, srcset, width, height), built without touching any file."""
    sizes = renditions.get("sizes") if renditions else None
    if not sizes:
        return None
    urls = [(storage.url(size["name"]), size) for size in sizes]
    src, largest = next(((u, s) for u, s in urls if s["width"] >= 640), urls[-1])
    return {
        "src": src,
        "srcset": ", ".join(f"{url} {size['width']}w" for url, size in urls),
        "width": largest["width"],
        "height": largest["height"],
    }


def largest_url(renditions: dict, storage=default_storage) -> str:
    """The biggest copy, for feeds, sharing cards and JSON-LD: they link renditions, not the
    original upload. Empty without renditions."""
    sizes = renditions.get("sizes") if renditions else None
    return storage.url(max(sizes, key=lambda size: size["width"])["name"]) if sizes else ""


def thumbnail_url(renditions: dict, storage=default_storage) -> str:
    thumbnail = renditions.get("thumbnail") if renditions else None
    return storage.url(thumbnail["name"]) if thumbnail else ""


def crops(renditions: dict, storage=default_storage) -> list[dict]:
    """The crops (url, width, height), 16:9 first, as JSON-LD and sharing cards link them;
    built without touching any file. Empty for renditions made before there were crops."""
    made = renditions.get("crops") if renditions else None
    if not made:
        return []
    return [
        {"url": storage.url(made[ratio]["name"]), "width": made[ratio]["width"], "height": made[ratio]["height"]}
        for ratio in CROPS
        if ratio in made
    ]


def copies(renditions: dict, storage=default_storage) -> list[dict]:
    """The reader-size copies (url, width, height), narrowest first, as the content API lists
    them; built without touching any file."""
    sizes = renditions.get("sizes") if renditions else None
    return [
        {"url": storage.url(size["name"]), "width": size["width"], "height": size["height"]} for size in sizes or []
    ]
