"""Image fields that put every upload through the image policy (`images.check_image`)."""

from pathlib import PurePath

from django import forms
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import models
from django.utils.text import capfirst

from .images import check_image, without_metadata


class CheckedImageFormField(forms.ImageField):
    """Django's image field with the policy speaking first: editors read the actual reason (a
    decompression bomb, too many pixels, a damaged file) where Django only says "not a valid
    image"; the file is stored under the extension of what it is, not what it was called, and
    without the metadata that could locate or identify whoever took it."""

    def to_python(self, data):
        if data not in self.empty_values and hasattr(data, "read"):
            try:
                extension = check_image(data)
            except ValidationError as exc:
                raise ValidationError(capfirst(exc.messages[0]) + ".", code="invalid_image") from exc
            data.seek(0)
            cleaned = without_metadata(data.read(), extension)
            name = PurePath(data.name).stem + extension
            data = SimpleUploadedFile(name, cleaned, content_type=getattr(data, "content_type", None))
        return super().to_python(data)


class CheckedImageField(models.ImageField):
    """An ImageField whose forms (the admin's among them) apply the image policy."""

    def formfield(self, **kwargs):
        return super().formfield(**{"form_class": CheckedImageFormField, **kwargs})
