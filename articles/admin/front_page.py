"""The front page's arrangements: editors search for stories (the admin's autocomplete) and
put them in order — by dragging rows, or with up/down buttons that work from the keyboard
(static/js/admin-front-page.js; without script, the position numbers order them). Every save
is a revision (django-reversion): the history lists them and restores any one."""

from django.contrib import admin, messages
from django.db.models import Subquery
from django.forms.models import BaseInlineFormSet
from django.utils import timezone
from django.utils.translation import gettext, gettext_lazy
from reversion.admin import VersionAdmin

from .. import history  # noqa: F401 - what a revision holds (an arrangement with its slots), before VersionAdmin guesses
from ..models import Article, FrontPage, FrontPageSlot
from .widgets import SlotPositionInput

Place = FrontPageSlot.Place


class PlaceFormSet(BaseInlineFormSet):
    """The slots of one place (lead, top stories, rails): an inline of its own, with a prefix
    of its own, whose new rows are of that place."""

    place = None

    @classmethod
    def get_default_prefix(cls):
        return f"slots-{cls.place}"

    def get_queryset(self):
        return super().get_queryset().filter(place=self.place).select_related("article")

    def _construct_form(self, i, **kwargs):
        form = super()._construct_form(i, **kwargs)
        form.instance.place = self.place
        return form


class SlotInline(admin.TabularInline):
    model = FrontPageSlot
    extra = 3
    autocomplete_fields = ["article"]
    fields = ["article", "state", "position"]
    readonly_fields = ["state"]
    classes = ["front-page-slots"]

    def get_formset(self, request, obj=None, **kwargs):
        formset = super().get_formset(request, obj, widgets={"position": SlotPositionInput()}, **kwargs)
        return type(f"{self.place.title()}FormSet", (formset,), {"place": self.place})

    formset = PlaceFormSet

    def formfield_for_dbfield(self, db_field, request, **kwargs):
        field = super().formfield_for_dbfield(db_field, request, **kwargs)
        if db_field.name in ("article", "section"):  # a slot picks a story; it does not edit one
            field.widget.can_add_related = field.widget.can_change_related = field.widget.can_view_related = False
        return field

    @admin.display(description=gettext_lazy("shown to readers"))
    def state(self, slot):
        """Whether readers see the story in its slot now: only published stories are shown."""
        article = slot.article if slot.article_id else None
        if article is None:
            return "—"
        if article.is_published():
            return gettext("Yes")
        if article.status == article.Status.PUBLISHED:
            when = timezone.localtime(article.published_at).strftime("%Y-%m-%d %H:%M")
            return gettext("From %(when)s (scheduled)") % {"when": when}
        return gettext("No: %(state)s (the slot falls back to the latest stories)") % {"state": article.state_label}


class LeadSlotInline(SlotInline):
    place = Place.LEAD
    extra = 1
    max_num = 1
    fields = ["article", "state"]
    # The heading of an inline of one (Django shows the singular then).
    verbose_name = verbose_name_plural = gettext_lazy("Lead story (empty: the featured or newest story)")


class TopSlotInline(SlotInline):
    place = Place.TOP
    verbose_name = gettext_lazy("top story")
    verbose_name_plural = gettext_lazy("Top stories, in order (the latest stories fill the rest)")


class RailSlotInline(SlotInline):
    place = Place.RAIL
    fields = ["section", "article", "state", "position"]
    autocomplete_fields = ["section", "article"]
    verbose_name = gettext_lazy("section rail story")
    verbose_name_plural = gettext_lazy("Section rails, in order within each section (the latest fill the rest)")


@admin.register(FrontPage)
class FrontPageAdmin(VersionAdmin):
    """Editors (and superusers) arrange; writers hold none of its permissions, so the admin
    refuses them every page and every post (`permissions.can_arrange_front_page`)."""

    inlines = [LeadSlotInline, TopSlotInline, RailSlotInline]
    fields = ["name", "goes_live_at"]
    list_display = ["__str__", "goes_live_at", "shown_state"]

    def changeform_view(self, request, object_id=None, form_url="", extra_context=None):
        # A revision being restored (reversion has put its slots back) may name a story deleted
        # since: that slot is left out, and the editor told, rather than the save failing.
        if object_id and str(object_id).isdigit():
            slots = FrontPageSlot.objects.filter(front_page_id=int(object_id))
            deleted, _ = slots.exclude(article__in=Article.objects.all()).delete()
            if deleted and request.method == "GET":
                messages.warning(
                    request, gettext("Stories in that revision were deleted since; their slots are left out.")
                )
        return super().changeform_view(request, object_id, form_url, extra_context)

    def get_queryset(self, request):
        return super().get_queryset(request).annotate(live_pk=Subquery(FrontPage.objects.live().values("pk")))

    @admin.display(description=gettext_lazy("state"))
    def shown_state(self, front_page):
        if front_page.is_scheduled:
            return gettext("Scheduled")
        return gettext("Live") if getattr(front_page, "live_pk", None) == front_page.pk else gettext("Earlier")
