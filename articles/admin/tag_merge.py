"""The tag admin's "Merge selected tags into…" action: asks which tag survives, then merges
through `tagging.merge_tags`."""

from django.contrib import admin, messages
from django.contrib.admin import helpers
from django.template.response import TemplateResponse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from ..tagging import merge_tags


@admin.action(description=gettext_lazy("Merge selected tags into…"), permissions=["change", "delete"])
def merge_selected_tags(modeladmin, request, queryset):
    """Asks which of the selected tags survives, then moves every tagging onto it."""
    tags = sorted(queryset, key=lambda tag: (-getattr(tag, "article_count", 0), tag.name.lower()))
    if len(tags) < 2:
        modeladmin.message_user(request, _("Select at least two tags to merge."), messages.WARNING)
        return None
    survivor = next((tag for tag in tags if str(tag.pk) == request.POST.get("survivor")), None)
    if request.POST.get("post") and survivor is not None:
        result = merge_tags(survivor, tags)
        modeladmin.log_change(request, survivor, _("Merged %(names)s into it.") % {"names": ", ".join(result.deleted)})
        modeladmin.message_user(
            request,
            _(
                "Merged %(names)s into “%(survivor)s”. Articles moved to it: %(moved)d; already tagged with it: "
                "%(already)d; tags deleted: %(deleted)d."
            )
            % {
                "names": ", ".join(f"“{name}”" for name in result.deleted),
                "survivor": survivor,
                "moved": result.moved,
                "already": result.already_tagged,
                "deleted": len(result.deleted),
            },
            messages.SUCCESS,
        )
        return None
    opts = modeladmin.model._meta
    context = {
        **modeladmin.admin_site.each_context(request),
        "title": _("Merge tags"),
        "opts": opts,
        "tags": tags,
        "survivor": survivor or tags[0],
        "action_checkbox_name": helpers.ACTION_CHECKBOX_NAME,
        "action": "merge_selected_tags",
    }
    request.current_app = modeladmin.admin_site.name
    return TemplateResponse(request, "admin/articles/tag/merge_tags.html", context)
