"""Background jobs for staff: what failed and why, and a way to try again."""

from django.contrib import admin, messages
from django.shortcuts import redirect
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from . import jobs
from .models import Job


class StateFilter(admin.SimpleListFilter):
    """Failed jobs first: they are what staff come here for."""

    title = _("state")
    parameter_name = "state"

    def lookups(self, request, model_admin):
        return Job.State.choices

    def queryset(self, request, queryset):
        return queryset.filter(state=self.value()) if self.value() else queryset


@admin.register(Job)
class JobAdmin(admin.ModelAdmin):
    list_display = ["__str__", "state", "attempts", "run_at", "finished_at", "reason"]
    list_filter = [StateFilter, "name"]
    search_fields = ["name", "key", "error"]
    readonly_fields = [f.name for f in Job._meta.fields]
    actions = ["retry"]
    date_hierarchy = "created_at"

    @admin.display(description=_("error"))
    def reason(self, job):
        return job.error.split("\n", 1)[0]

    @admin.display(description=_("error"))
    def error_details(self, job):
        return format_html("<pre>{}</pre>", job.error)

    def get_fields(self, request, obj=None):
        return [f for f in self.readonly_fields if f != "error"] + ["error_details"]

    def get_readonly_fields(self, request, obj=None):
        return [*self.readonly_fields, "error_details"]

    def has_add_permission(self, request):
        return False

    def has_delete_permission(self, request, obj=None):
        return request.user.is_superuser

    @admin.action(description=_("Retry the selected failed jobs"), permissions=["change"])
    def retry(self, request, queryset):
        count = jobs.retry(queryset)
        self.message_user(
            request,
            ngettext("%d job will be tried again.", "%d jobs will be tried again.", count) % count,
            messages.SUCCESS if count else messages.WARNING,
        )

    def changelist_view(self, request, extra_context=None):
        if request.method == "GET" and not request.GET and Job.objects.filter(state=Job.State.FAILED).exists():
            return redirect(f"{request.path}?state={Job.State.FAILED}")  # failed jobs first, when there are any
        return super().changelist_view(request, extra_context)
