"""Webhook endpoints for staff to register, and every delivery with its last answer."""

import json

from django import forms
from django.contrib import admin, messages
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext, pgettext_lazy

from ..api import webhooks
from ..api.models import EVENTS, WebhookDelivery, WebhookEndpoint


class WebhookEndpointForm(forms.ModelForm):
    url = forms.URLField(
        label=pgettext_lazy("webhooks", "address"),
        max_length=1000,
        assume_scheme="https",
        help_text=WebhookEndpoint._meta.get_field("url").help_text,
    )
    events = forms.MultipleChoiceField(
        label=pgettext_lazy("webhooks", "events"), choices=list(EVENTS.items()), widget=forms.CheckboxSelectMultiple
    )

    class Meta:
        model = WebhookEndpoint
        fields = ["url", "description", "events", "active", "secret"]


@admin.register(WebhookEndpoint)
class WebhookEndpointAdmin(admin.ModelAdmin):
    form = WebhookEndpointForm
    list_display = ["__str__", "url", "event_list", "active"]
    list_filter = ["active"]
    search_fields = ["url", "description"]

    @admin.display(description=pgettext_lazy("webhooks", "events"))
    def event_list(self, endpoint):
        return ", ".join(endpoint.events)


class StateFilter(admin.SimpleListFilter):
    title = pgettext_lazy("webhooks", "state")
    parameter_name = "state"

    def lookups(self, request, model_admin):
        return [
            ("delivered", pgettext_lazy("webhooks", "delivered")),
            ("undelivered", pgettext_lazy("webhooks", "not delivered yet")),
        ]

    def queryset(self, request, queryset):
        if self.value() == "delivered":
            return queryset.filter(delivered_at__isnull=False)
        if self.value() == "undelivered":
            return queryset.filter(delivered_at__isnull=True)
        return queryset


@admin.register(WebhookDelivery)
class WebhookDeliveryAdmin(admin.ModelAdmin):
    list_display = ["event", "article_id", "endpoint", "state", "attempts", "response_status", "last_attempt_at"]
    list_filter = [StateFilter, "event", "endpoint"]
    list_select_related = ["endpoint"]
    search_fields = ["event_id", "error", "response_excerpt"]
    readonly_fields = [
        "endpoint",
        "event",
        "event_id",
        "article_id",
        "created_at",
        "attempts",
        "last_attempt_at",
        "delivered_at",
        "response_status",
        "response",
        "error",
        "sent",
    ]
    fields = readonly_fields
    actions = ["send_again"]
    date_hierarchy = "created_at"

    @admin.display(description=pgettext_lazy("webhooks", "state"))
    def state(self, delivery):
        if delivery.delivered_at:
            return pgettext_lazy("webhooks", "delivered")
        return pgettext_lazy("webhooks", "retrying") if delivery.attempts else pgettext_lazy("webhooks", "waiting")

    @admin.display(description=pgettext_lazy("webhooks", "last response"))
    def response(self, delivery):
        return format_html("<pre>{}</pre>", delivery.response_excerpt)

    @admin.display(description=pgettext_lazy("webhooks", "payload"))
    def sent(self, delivery):
        return format_html("<pre>{}</pre>", json.dumps(delivery.payload, indent=2, ensure_ascii=False))

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return obj is None and super().has_change_permission(request)  # the list and its action only

    @admin.action(description=_("Send the selected deliveries again"), permissions=["change"])
    def send_again(self, request, queryset):
        count = webhooks.redeliver(queryset)
        self.message_user(
            request,
            ngettext("%d delivery will be sent again.", "%d deliveries will be sent again.", count) % count,
            messages.SUCCESS if count else messages.WARNING,
        )
