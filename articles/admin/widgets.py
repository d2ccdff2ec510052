"""Admin widgets: an image input with previews, the rich body editor, and the front page's
slot ordering."""

from django.contrib.admin.widgets import AdminFileWidget, AdminIntegerFieldWidget, AdminTextareaWidget
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _

from ..renditions import thumbnail_url

TRIX = "vendor/trix-2.1.19/"  # see static/vendor/README.md


class ImagePreviewInput(AdminFileWidget):
    """The admin's file input with a thumbnail of the current image and, before saving, a
    preview of the newly chosen file (static/js/admin-image-preview.js)."""

    class Media:
        css = {"all": ["css/admin-media.css"]}
        js = ["js/admin-image-preview.js"]

    def render(self, name, value, attrs=None, renderer=None):
        field = super().render(name, value, attrs, renderer)
        current = ""
        if self.is_initial(value):
            src = thumbnail_url(getattr(value.instance, "lead_renditions", None)) or value.url
            current = format_html('<img class="image-preview__current" src="{}" alt="{}">', src, _("Current image"))
        return format_html(
            '<div class="image-preview" data-image-preview>{}{}'
            '<img class="image-preview__new" data-new-image alt="{}" hidden></div>',
            current,
            field,
            _("Preview of the chosen file (not saved yet)"),
        )


class BodyEditor(AdminTextareaWidget):
    """A plain textarea, which the Trix editor takes over while the body format is HTML
    (static/js/admin-body-editor.js). Markdown stays plain text, and so does HTML with markup
    Trix would not keep (tables, images, figures): the editor must never lose part of a body."""

    class Media:
        css = {"all": [TRIX + "trix.css", "css/admin-media.css"]}
        js = [TRIX + "trix.min.js", "js/admin-body-editor.js"]

    def __init__(self, attrs=None, format_field="body_format"):
        self.format_field = format_field
        super().__init__(attrs)

    def get_context(self, name, value, attrs):
        context = super().get_context(name, value, attrs)
        context["widget"]["attrs"].update(
            {
                "data-body-editor": "",
                "data-format-field": f"id_{self.format_field}",
                "data-raw-note": _(
                    "This body has markup the rich editor cannot keep (tables, images, figures…): edit its HTML here."
                ),
            }
        )
        return context


class SlotPositionInput(AdminIntegerFieldWidget):
    """A front-page slot's position: a number (the order without script), which
    static/js/admin-front-page.js keeps in step with the rows as an editor drags them or moves
    them with the up and down buttons it adds (keyboard and screen readers included)."""

    class Media:
        css = {"all": ["css/admin-media.css"]}
        js = ["js/admin-front-page.js"]

    def get_context(self, name, value, attrs):
        context = super().get_context(name, value, attrs)
        context["widget"]["attrs"].update(
            {
                "data-slot-position": "",
                "data-move-up": _("Move up"),
                "data-move-down": _("Move down"),
                "data-drag": _("Drag to reorder"),
                # %(position)s and %(count)s are filled in by the script.
                "data-moved": _("Moved to position %(position)s of %(count)s."),
                "min": "0",
            }
        )
        return context
