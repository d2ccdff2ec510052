"""The image policy: what an uploaded or imported image must be before Newsroom keeps it."""

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _
from PIL import Image, UnidentifiedImageError

ALLOWED_FORMATS = {"JPEG": ".jpg", "PNG": ".png", "GIF": ".gif", "WEBP": ".webp"}
MAX_BYTES = 20 * 1024 * 1024
MAX_PIXELS = 50_000_000  # a 50-megapixel photo is the most a newsroom needs


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
            _check_pixels(image)
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


def _check_pixels(image):
    if image.width * image.height > MAX_PIXELS:
        raise ValidationError(
            _("image is %(width)d×%(height)d pixels; the limit is %(limit)s pixels")
            % {"width": image.width, "height": image.height, "limit": f"{MAX_PIXELS:,}"}
        )
