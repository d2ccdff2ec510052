"""Webhook endpoints staff register, and each delivery made to them (imported by
articles/models.py: one app, one set of models)."""

import secrets

from django.core.validators import URLValidator
from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

PUBLISHED = "article.published"
UPDATED = "article.updated"
UNPUBLISHED = "article.unpublished"
RETRACTED = "article.retracted"
EVENTS = {
    PUBLISHED: _("A story went live (at its time, when it was scheduled)"),
    UPDATED: _("A live story was changed"),
    UNPUBLISHED: _("A live story was unpublished or deleted"),
    RETRACTED: _("A live story was retracted or taken down"),
}


def new_secret() -> str:
    return secrets.token_urlsafe(32)


class WebhookEndpoint(models.Model):
    url = models.URLField(
        pgettext_lazy("webhooks", "address"),
        max_length=1000,
        validators=[URLValidator(schemes=["http", "https"])],
        help_text=_("Where deliveries are posted: an http:// or https:// address."),
    )
    description = models.CharField(pgettext_lazy("webhooks", "description"), max_length=200, blank=True)
    secret = models.CharField(
        pgettext_lazy("webhooks", "secret"),
        max_length=200,
        default=new_secret,
        help_text=_("Shared with the receiver, which checks each delivery's signature with it."),
    )
    events = models.JSONField(
        pgettext_lazy("webhooks", "events"), default=list, help_text=_("The events this endpoint is sent.")
    )
    active = models.BooleanField(
        pgettext_lazy("webhooks", "active"), default=True, help_text=_("Inactive endpoints are sent nothing.")
    )
    created_at = models.DateTimeField(pgettext_lazy("webhooks", "created"), auto_now_add=True)

    class Meta:
        ordering = ["url", "pk"]
        verbose_name = pgettext_lazy("webhooks", "webhook endpoint")
        verbose_name_plural = pgettext_lazy("webhooks", "webhook endpoints")

    def __str__(self):
        return self.description or self.url

    def wants(self, event: str) -> bool:
        return self.active and event in self.events


class WebhookDelivery(models.Model):
    """One event sent to one endpoint: retried until the endpoint answers 2xx. `event_id` is the
    same for every endpoint told of the same event, and a receiver can use it to drop repeats."""

    endpoint = models.ForeignKey(
        WebhookEndpoint,
        on_delete=models.CASCADE,
        related_name="deliveries",
        verbose_name=pgettext_lazy("webhooks", "endpoint"),
    )
    event = models.CharField(pgettext_lazy("webhooks", "event"), max_length=40, choices=list(EVENTS.items()))
    event_id = models.CharField(pgettext_lazy("webhooks", "event id"), max_length=64)
    # Not a foreign key: the record of what was sent outlives the story.
    article_id = models.BigIntegerField(pgettext_lazy("webhooks", "article id"))
    payload = models.JSONField(pgettext_lazy("webhooks", "payload"))
    created_at = models.DateTimeField(pgettext_lazy("webhooks", "created"), auto_now_add=True)
    attempts = models.PositiveSmallIntegerField(pgettext_lazy("webhooks", "attempts"), default=0)
    last_attempt_at = models.DateTimeField(pgettext_lazy("webhooks", "last attempt"), null=True, blank=True)
    delivered_at = models.DateTimeField(pgettext_lazy("webhooks", "delivered"), null=True, blank=True)
    response_status = models.PositiveSmallIntegerField(
        pgettext_lazy("webhooks", "last response status"), null=True, blank=True
    )
    response_excerpt = models.TextField(
        pgettext_lazy("webhooks", "last response"), blank=True, help_text=_("Its first bytes.")
    )
    error = models.TextField(pgettext_lazy("webhooks", "last error"), blank=True)

    class Meta:
        ordering = ["-created_at", "-pk"]
        verbose_name = pgettext_lazy("webhooks", "webhook delivery")
        verbose_name_plural = pgettext_lazy("webhooks", "webhook deliveries")
        constraints = [models.UniqueConstraint(fields=["endpoint", "event_id"], name="webhook_delivery_once")]

    def __str__(self):
        return f"{self.event} #{self.article_id} → {self.endpoint}"
