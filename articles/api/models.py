"""Webhook endpoints staff register, and each delivery made to them (imported by
articles/models.py: one app, one set of models)."""

import secrets

from django.core.validators import URLValidator
from django.db import models
from django.utils.translation import gettext_lazy as _

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
        _("address"),
        max_length=1000,
        validators=[URLValidator(schemes=["http", "https"])],
        help_text=_("Where deliveries are posted: an http:// or https:// address."),
    )
    description = models.CharField(_("description"), max_length=200, blank=True)
    secret = models.CharField(
        _("secret"),
        max_length=200,
        default=new_secret,
        help_text=_("Shared with the receiver, which checks each delivery's signature with it."),
    )
    events = models.JSONField(_("events"), default=list, help_text=_("The events this endpoint is sent."))
    active = models.BooleanField(_("active"), default=True, help_text=_("Inactive endpoints are sent nothing."))
    created_at = models.DateTimeField(_("created"), auto_now_add=True)

    class Meta:
        ordering = ["url", "pk"]
        verbose_name = _("webhook endpoint")
        verbose_name_plural = _("webhook endpoints")

    def __str__(self):
        return self.description or self.url

    def wants(self, event: str) -> bool:
        return self.active and event in self.events


class WebhookDelivery(models.Model):
    """One event sent to one endpoint: retried until the endpoint answers 2xx. `event_id` is the
    same for every endpoint told of the same event, and a receiver can use it to drop repeats."""

    endpoint = models.ForeignKey(
        WebhookEndpoint, on_delete=models.CASCADE, related_name="deliveries", verbose_name=_("endpoint")
    )
    event = models.CharField(_("event"), max_length=40, choices=list(EVENTS.items()))
    event_id = models.CharField(_("event id"), max_length=64)
    # Not a foreign key: the record of what was sent outlives the story.
    article_id = models.BigIntegerField(_("article id"))
    payload = models.JSONField(_("payload"))
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    attempts = models.PositiveSmallIntegerField(_("attempts"), default=0)
    last_attempt_at = models.DateTimeField(_("last attempt"), null=True, blank=True)
    delivered_at = models.DateTimeField(_("delivered"), null=True, blank=True)
    response_status = models.PositiveSmallIntegerField(_("last response status"), null=True, blank=True)
    response_excerpt = models.TextField(_("last response"), blank=True, help_text=_("Its first bytes."))
    error = models.TextField(_("last error"), blank=True)

    class Meta:
        ordering = ["-created_at", "-pk"]
        verbose_name = _("webhook delivery")
        verbose_name_plural = _("webhook deliveries")
        constraints = [models.UniqueConstraint(fields=["endpoint", "event_id"], name="webhook_delivery_once")]

    def __str__(self):
        return f"{self.event} #{self.article_id} → {self.endpoint}"
