"""The image policy: what an uploaded or imported image must be before Newsroom keeps it, and
what it must not carry (metadata that can locate or identify the person who took it)."""

import io
import struct
from html.parser import HTMLParser

from django.conf import settings
from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _
from PIL import Image, ImageOps, UnidentifiedImageError

from .sanitizing import loadable_image

ALLOWED_FORMATS = {"JPEG": ".jpg", "PNG": ".png", "GIF": ".gif", "WEBP": ".webp"}
FORMAT_OF_EXTENSION = {extension: kind for kind, extension in ALLOWED_FORMATS.items()}
MAX_BYTES = 20 * 1024 * 1024
# The pixel limit is settings.IMAGE_MAX_PIXELS (40 megapixels unless set): a file's size says
# nothing of what decoding it costs (a 6 KB PNG can claim 7,000 × 7,000 pixels), its header does.
# Pillow holds up to 4 bytes a pixel, so a decoded image stays under 160 MB at the default.


def check_image(file) -> str:
    """The file extension for a valid image `file`; ValidationError with the reason otherwise."""
    size = getattr(file, "size", None)
    if size is not None and size > MAX_BYTES:
        raise ValidationError(
            _("image is %(size).1f MB; the limit is %(limit)d MB")
            % {"size": size / 1_048_576, "limit": MAX_BYTES // 1_048_576}
        )
    position = file.tell() if hasattr(file, "tell") else None
    kind = None
    try:
        with Image.open(file) as image:
            kind = image.format
            if kind not in ALLOWED_FORMATS:
                raise ValidationError(_("%(kind)s images are not accepted (JPEG, PNG, GIF or WebP)") % {"kind": kind})
            check_pixels(image)  # from the header, before anything is decoded
            image.verify()
        file.seek(position or 0)
        with Image.open(file) as image:
            # verify() checks PNG chunks but not JPEG data: only decoding finds a truncated JPEG.
            # JPEG decodes at 1/8 scale, which still reads the whole stream.
            image.draft(image.mode, (max(1, image.width // 8), max(1, image.height // 8)))
            image.load()
    except Image.DecompressionBombError as exc:
        raise ValidationError(_("image is a decompression bomb (far too many pixels)")) from exc
    except UnidentifiedImageError as exc:
        raise ValidationError(_("not an image Newsroom can read (JPEG, PNG, GIF or WebP)")) from exc
    except (OSError, SyntaxError, ValueError) as exc:
        if kind is None:
            raise ValidationError(_("not an image Newsroom can read (JPEG, PNG, GIF or WebP)")) from exc
        raise ValidationError(_("image is damaged or incomplete (%(reason)s)") % {"reason": exc}) from exc
    finally:
        if position is not None:
            file.seek(position)
    return ALLOWED_FORMATS[kind]


def check_pixels(image):
    """ValidationError when the opened, not yet decoded, `image` has more pixels than allowed:
    every path that decodes an image (upload, import, renditions) asks this first."""
    limit = settings.IMAGE_MAX_PIXELS
    if image.width * image.height > limit:
        raise ValidationError(
            _("image is %(width)d×%(height)d pixels; the limit is %(limit)s pixels")
            % {"width": image.width, "height": image.height, "limit": f"{limit:,}"}
        )


# --- metadata -------------------------------------------------------------------------------
# EXIF (GPS position, camera and lens serial numbers, the owner's name, times), XMP, IPTC and
# comments can tell who took a photo and where: a source's safety can depend on it. Stored
# originals carry none of it. The pixels are not touched: metadata segments are cut out of the
# file as it is, so a JPEG is not re-encoded.

JPEG_KEPT_SEGMENTS = {0xE0, 0xE2, 0xEE}  # JFIF, the ICC colour profile, Adobe's colour transform
PNG_DROPPED_CHUNKS = {b"tEXt", b"zTXt", b"iTXt", b"eXIf", b"tIME"}
WEBP_DROPPED_CHUNKS = {b"EXIF", b"XMP "}
ORIENTATION = 0x0112


def without_metadata(content: bytes, extension: str) -> bytes:
    """`content`, an image `check_image` accepted (and gave `extension`), with no metadata
    but what displays it: the colour profile, and a JPEG's orientation. A file whose structure
    the cutting cannot follow (junk between segments) is decoded and written afresh instead."""
    kind = FORMAT_OF_EXTENSION[extension]
    try:
        orientation = _orientation(content)
        if kind == "JPEG":
            return _jpeg_without_metadata(content, orientation)
        if kind in ("PNG", "WEBP") and orientation != 1 and not _animated(content):
            return _upright_and_lossless(content, kind)  # rare outside cameras' JPEGs
        if kind == "PNG":
            return _png_without_metadata(content)
        if kind == "WEBP":
            return _webp_without_metadata(content)
    except (ValueError, IndexError, struct.error):
        return _written_afresh(content, kind)
    return content  # GIF has no EXIF, GPS or XMP blocks of its own


def _orientation(content: bytes) -> int:
    with Image.open(io.BytesIO(content)) as image:
        return image.getexif().get(ORIENTATION, 1)


def _animated(content: bytes) -> bool:
    with Image.open(io.BytesIO(content)) as image:
        return getattr(image, "is_animated", False)


def _jpeg_without_metadata(content: bytes, orientation: int) -> bytes:
    """Segment by segment up to the end-of-image marker: what follows it (another JPEG with
    its own EXIF, a phone's motion-photo video) is not the picture, and is dropped."""
    if content[:2] != b"\xff\xd8":
        raise ValueError("no JPEG start")
    kept = [b"\xff\xd8"]
    if orientation != 1:  # the one EXIF field that changes how the picture is shown
        exif = Image.Exif()
        exif[ORIENTATION] = orientation
        data = exif.tobytes()
        kept.append(b"\xff\xe1" + struct.pack(">H", len(data) + 2) + data)
    position = 2
    while position + 1 < len(content):
        if content[position] != 0xFF:
            raise ValueError(f"not a JPEG marker at byte {position}")
        marker = content[position + 1]
        if marker == 0xFF:  # fill byte
            position += 1
            continue
        if marker == 0xD9:  # end of image
            kept.append(b"\xff\xd9")
            return b"".join(kept)
        if marker == 0x01 or 0xD0 <= marker <= 0xD7:  # markers without a length
            kept.append(content[position : position + 2])
            position += 2
            continue
        (length,) = struct.unpack(">H", content[position + 2 : position + 4])
        if length < 2:
            raise ValueError(f"bad JPEG segment length at byte {position}")
        end = position + 2 + length
        metadata = (0xE0 <= marker <= 0xEF and marker not in JPEG_KEPT_SEGMENTS) or marker == 0xFE
        if not metadata:
            kept.append(content[position:end])
        position = end
        if marker == 0xDA:  # start of scan: the compressed picture runs to the next marker
            scan_end = _scan_end(content, position)
            kept.append(content[position:scan_end])
            position = scan_end
    raise ValueError("no JPEG end")


def _scan_end(content: bytes, position: int) -> int:
    """Where a scan's compressed data ends: at the first 0xFF that is neither a stuffed zero
    nor a restart marker."""
    while True:
        position = content.find(b"\xff", position)
        if position == -1 or position + 1 >= len(content):
            raise ValueError("a scan without an end")
        following = content[position + 1]
        if following == 0x00 or 0xD0 <= following <= 0xD7:
            position += 2
        elif following == 0xFF:
            position += 1
        else:
            return position


def _png_without_metadata(content: bytes) -> bytes:
    kept, position = [content[:8]], 8
    while position + 8 <= len(content):
        (length,) = struct.unpack(">I", content[position : position + 4])
        kind, end = content[position + 4 : position + 8], position + 12 + length
        if kind not in PNG_DROPPED_CHUNKS:
            kept.append(content[position:end])
        position = end
        if kind == b"IEND":
            break
    return b"".join(kept)


def _webp_without_metadata(content: bytes) -> bytes:
    (riff_size,) = struct.unpack("<I", content[4:8])
    end_of_file = min(len(content), 8 + riff_size)  # anything after the RIFF container is not the image
    chunks, position = [], 12
    while position + 8 <= end_of_file:
        kind = content[position : position + 4]
        (size,) = struct.unpack("<I", content[position + 4 : position + 8])
        end = position + 8 + size + (size & 1)
        chunk = content[position:end]
        if kind == b"VP8X":  # the extended header's flags say which metadata chunks follow
            chunk = chunk[:8] + bytes([chunk[8] & ~0x0C]) + chunk[9:]
        if kind not in WEBP_DROPPED_CHUNKS:
            chunks.append(chunk)
        position = end
    body = b"WEBP" + b"".join(chunks)
    return b"RIFF" + struct.pack("<I", len(body)) + body


def _upright_and_lossless(content: bytes, kind: str) -> bytes:
    with Image.open(io.BytesIO(content)) as image:
        icc_profile = image.info.get("icc_profile")
        upright = ImageOps.exif_transpose(image)
        buffer = io.BytesIO()
        options = {"lossless": True} if kind == "WEBP" else {}
        upright.save(buffer, kind, icc_profile=icc_profile, **options)
    return buffer.getvalue()


def _written_afresh(content: bytes, kind: str) -> bytes:
    """Decoded and saved again with nothing but the pixels and colour profile (a JPEG at a
    quality high enough not to show): for files the cutting could not follow."""
    with Image.open(io.BytesIO(content)) as image:
        icc_profile = image.info.get("icc_profile")
        upright = ImageOps.exif_transpose(image)
        if kind == "JPEG" and upright.mode not in ("RGB", "L", "CMYK"):
            upright = upright.convert("RGB")
        buffer = io.BytesIO()
        options = {"quality": 95} if kind == "JPEG" else {"lossless": True} if kind == "WEBP" else {}
        upright.save(buffer, kind, icc_profile=icc_profile, **options)
    return buffer.getvalue()


class _BodyImages(HTMLParser):
    """The `<img>` elements of a rendered body, as (src, alt) pairs (alt None when absent)."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.found = []

    def handle_starttag(self, tag, attrs):
        if tag == "img":
            attributes = dict(attrs)
            self.found.append((attributes.get("src") or "", attributes.get("alt")))

    handle_startendtag = handle_starttag


def body_images(html: str) -> list[tuple[str, str | None]]:
    if "<img" not in html:
        return []
    parser = _BodyImages()
    parser.feed(html)
    parser.close()
    return parser.found


def images_without_alt(html: str) -> list[str]:
    """The addresses of a body's images with no alt text. An empty alt counts as none: Markdown's
    `![](chart.png)` writes one, and an editor should decide whether the chart says nothing."""
    return [src for src, alt in body_images(html) if not (alt or "").strip()]


def first_body_image(html: str) -> str:
    """The first body image a reader's browser can fetch (the sanitiser's rule: it keeps no other),
    for a story with no lead image to show search engines; "" when there is none."""
    return next((src.strip() for src, _alt in body_images(html) if loadable_image(src)), "")
