"""Webhooks: registered endpoints are told when a story is published, updated, unpublished or
retracted, by signed POSTs that background jobs send after the change commits (newsroom/jobs.py)
and retry, with backoff, until the endpoint answers 2xx.

- `report(changes)`: `after_write`'s before/after listings of written stories, turned into
  events. A story scheduled for later gets a job at its time.
- An event's job (`ANNOUNCE`) checks, when it runs, that the event still holds (a scheduled
  story still due at that time, a published one still published) and records one
  `WebhookDelivery` per endpoint that wants it; each is sent by a job of its own (`DELIVER`),
  so a failing endpoint waits alone. Both are idempotent: a job run twice sends nothing twice.
- An import's back catalogue is no news: a story an import creates already published is
  announced only when its publication time is within `WEBHOOK_IMPORT_RECENT_HOURS` (`importing()`),
  so a first import of an archive does not send partners every story it ever ran.
- Signature: `Newsroom-Signature: t=<unix time>,v1=<hex HMAC-SHA256 of "<t>.<body>" with the
  endpoint's secret>` (README, *Content API and webhooks*, shows how to check it).
"""

import contextvars
import hashlib
import hmac
import json
import time
import urllib.error
import urllib.request
import uuid
from contextlib import contextmanager
from datetime import datetime, timedelta

from django.conf import settings
from django.utils import timezone

from newsroom import jobs

from .models import EVENTS, PUBLISHED, RETRACTED, UNPUBLISHED, UPDATED, WebhookDelivery, WebhookEndpoint

ANNOUNCE = "webhooks.announce"
DELIVER = "webhooks.deliver"
SIGNATURE_HEADER = "Newsroom-Signature"


_importing = contextvars.ContextVar("webhooks_importing", default=False)


@contextmanager
def importing():
    """Writes of an import: its newly created published stories are announced only if recent."""
    token = _importing.set(True)
    try:
        yield
    finally:
        _importing.reset(token)


class DeliveryFailed(Exception):
    """The endpoint did not take the delivery: the job is retried with backoff."""


def report(changes) -> None:
    """`changes`: (id, before, after) as `after_write` compares them, each a `Listing`, None
    (created, deleted) or unknown (anything else: no event is guessed)."""
    events = []
    back_catalogue = None
    if _importing.get():
        back_catalogue = timezone.now() - timedelta(hours=settings.WEBHOOK_IMPORT_RECENT_HOURS)
    for pk, before, after in changes:
        event = _event(before, after)
        if event == PUBLISHED and before is None and back_catalogue and after.published_at < back_catalogue:
            continue  # an archive's old story, new only to this site
        if event:
            events.append((event, pk, None))
        elif _newly_scheduled(before, after):
            events.append((PUBLISHED, pk, after.published_at))
    if events and WebhookEndpoint.objects.filter(active=True).exists():
        for event, pk, when in events:
            announce(event, pk, when)


def report_updated(article_id: int) -> None:
    """A change to a story made outside its row (a correction)."""
    if WebhookEndpoint.objects.filter(active=True).exists():
        announce(UPDATED, article_id)


def announce(event: str, article_id: int, when: datetime | None = None) -> None:
    """An event to announce now, or (`when`) a story's publication at its scheduled time."""
    key = f"{ANNOUNCE}:{event}:{article_id}:{when.isoformat() if when else ''}"
    args = (event, article_id, uuid.uuid4().hex, when.isoformat() if when else None)
    jobs.enqueue(ANNOUNCE, *args, key=key, run_at=when)


def _listed(state) -> bool:
    return state is not None and hasattr(state, "listed") and state.listed


def _known(state) -> bool:
    return state is None or hasattr(state, "listed")


def _event(before, after) -> str | None:
    from ..models import Article

    if not (_known(before) and _known(after)):
        return None
    was, now = _listed(before), _listed(after)
    if was and now:
        return UPDATED
    if now:
        return PUBLISHED
    if was:
        return RETRACTED if after is not None and after.status == Article.Status.RETRACTED else UNPUBLISHED
    return None


def _newly_scheduled(before, after) -> bool:
    """Scheduled now, and not for this time before (a new schedule, or a changed time)."""
    if not (_known(before) and _known(after)) or after is None or not after.scheduled:
        return False
    return before is None or not before.scheduled or before.published_at != after.published_at


@jobs.job(ANNOUNCE)
def record_deliveries(event: str, article_id: int, event_id: str, scheduled_for: str | None) -> None:
    """One delivery per endpoint that wants `event`, if the event still holds now."""
    from .serializers import ArticleSerializer, published_articles

    live = published_articles().filter(pk=article_id).first()
    if event in (PUBLISHED, UPDATED):
        if live is None:
            return  # unpublished (or rescheduled later) since: that is another event
        if scheduled_for and live.published_at != datetime.fromisoformat(scheduled_for):
            return  # rescheduled: the job for its new time announces it
        article = ArticleSerializer(live).data
    else:
        if live is not None:
            return  # published again since
        article = {"id": article_id}
    endpoints = [endpoint for endpoint in WebhookEndpoint.objects.filter(active=True) if endpoint.wants(event)]
    if not endpoints:
        return
    payload = {"id": event_id, "event": event, "created_at": timezone.now().isoformat(), "article": article}
    payload = json.loads(json.dumps(payload, default=str))  # as it will be sent (times as text)
    for endpoint in endpoints:
        delivery, created = WebhookDelivery.objects.get_or_create(
            endpoint=endpoint,
            event_id=event_id,
            defaults={"event": event, "article_id": article_id, "payload": payload},
        )
        if created:
            jobs.enqueue(DELIVER, delivery.pk, key=f"{DELIVER}:{delivery.pk}")


def signature(secret: str, timestamp: int, body: bytes) -> str:
    return hmac.new(secret.encode(), f"{timestamp}.".encode() + body, hashlib.sha256).hexdigest()


class _NoRedirects(urllib.request.HTTPRedirectHandler):
    """A redirect is an answer, not 2xx: a delivery goes only to the address staff registered."""

    def redirect_request(self, *args, **kwargs):
        return None


_opener = urllib.request.build_opener(_NoRedirects)


@jobs.job(DELIVER)
def deliver(delivery_id: int) -> None:
    """POST the delivery, record the answer; raise to be retried unless it was 2xx."""
    delivery = WebhookDelivery.objects.select_related("endpoint").filter(pk=delivery_id).first()
    if delivery is None or delivery.delivered_at is not None:
        return
    endpoint = delivery.endpoint
    body = json.dumps(delivery.payload, ensure_ascii=False, separators=(",", ":")).encode()
    timestamp = int(time.time())
    headers = {
        "Content-Type": "application/json; charset=utf-8",
        "User-Agent": f"{settings.SITE_NAME} webhooks",
        "Newsroom-Event": delivery.event,
        "Newsroom-Delivery": delivery.event_id,
        SIGNATURE_HEADER: f"t={timestamp},v1={signature(endpoint.secret, timestamp, body)}",
    }
    status, excerpt, error = None, "", ""
    if not endpoint.url.lower().startswith(("http://", "https://")):
        error = "Only http:// and https:// addresses are delivered to."
    else:
        request = urllib.request.Request(endpoint.url, data=body, headers=headers, method="POST")
        try:
            with _opener.open(request, timeout=settings.WEBHOOK_TIMEOUT_SECONDS) as response:
                status, excerpt = response.status, response.read(settings.WEBHOOK_RESPONSE_BYTES)
        except urllib.error.HTTPError as answer:  # an answer, not 2xx
            status, excerpt = answer.code, answer.read(settings.WEBHOOK_RESPONSE_BYTES)
            error = f"The endpoint answered {answer.code}."
        except (OSError, ValueError) as failure:  # refused, unreachable, timed out, a bad address
            error = f"{type(failure).__name__}: {failure}"
    now = timezone.now()
    WebhookDelivery.objects.filter(pk=delivery.pk).update(
        attempts=delivery.attempts + 1,
        last_attempt_at=now,
        response_status=status,
        response_excerpt=excerpt.decode("utf-8", "replace") if isinstance(excerpt, bytes) else excerpt,
        error=error,
        delivered_at=now if not error else None,
    )
    if error:
        raise DeliveryFailed(f"{endpoint.url}: {error}")


def redeliver(deliveries) -> int:
    """Staff's "send again" of deliveries that never got through: a new attempt now."""
    count = 0
    for delivery in deliveries.filter(delivered_at__isnull=True):
        jobs.enqueue(DELIVER, delivery.pk, key=f"{DELIVER}:{delivery.pk}")
        count += 1
    return count


__all__ = ["EVENTS", "announce", "deliver", "record_deliveries", "redeliver", "report", "report_updated", "signature"]
