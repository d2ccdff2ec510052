"""The image policy: what an uploaded or imported image must be before Newsroom keeps it."""

from django.core.exceptions import ValidationError
from PIL import Image, UnidentifiedImageError

ALLOWED_FORMATS = {"JPEG": ".jpg", "PNG": ".png", "GIF": ".gif", "WEBP": ".webp"}
MAX_BYTES = 20 * 1024 * 1024
MAX_PIXELS = 50_000_000  # a 50-megapixel photo is the most a newsroom needs


def check_image(file) -> str:
    """The file extension for a valid image `file`; ValidationError with the reason otherwise."""
    size = getattr(file, "size", None)
    if size is not None and size > MAX_BYTES:
        raise ValidationError(f"image is {size / 1_048_576:.1f} MB; the limit is {MAX_BYTES // 1_048_576} MB")
    position = file.tell() if hasattr(file, "tell") else None
    try:
        with Image.open(file) as image:
            if image.width * image.height > MAX_PIXELS:
                raise ValidationError(
                    f"image is {image.width}×{image.height} pixels; the limit is {MAX_PIXELS:,} pixels"
                )
            image.verify()
            kind = image.format
    except Image.DecompressionBombError as exc:
        raise ValidationError("image is a decompression bomb (far too many pixels)") from exc
    except (UnidentifiedImageError, OSError, SyntaxError) as exc:
        raise ValidationError("not an image Newsroom can read (JPEG, PNG, GIF or WebP)") from exc
    finally:
        if position is not None:
            file.seek(position)
    if kind not in ALLOWED_FORMATS:
        raise ValidationError(f"{kind} images are not accepted (JPEG, PNG, GIF or WebP)")
    return ALLOWED_FORMATS[kind]
