"""Webhooks: a real HTTP receiver (a thread of the test) that checks every signature gets
exactly one signed delivery per event, sent by the background jobs only after the change
commits; a receiver that fails at first gets it on a retry; a scheduled story's publication
is delivered at its time; a delivery is bounded (timeout, answer read, no redirects)."""

import datetime as dt
import hashlib
import hmac
import json
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
from django.db import transaction
from django.urls import reverse
from django.utils import timezone

from articles import workflow
from articles.api import webhooks
from articles.api.models import PUBLISHED, RETRACTED, UNPUBLISHED, UPDATED, WebhookDelivery, WebhookEndpoint
from articles.models import Article, Correction
from newsroom import jobs
from newsroom.models import Job
from tests.factories import ArticleFactory
from tests.utils import run_import, write

pytestmark = pytest.mark.django_db

SECRET = "a-shared-secret"


def verify(secret: str, header: str, body: bytes, tolerance=300) -> bool:
    """How a receiver checks a delivery (README, *Content API and webhooks*)."""
    parts = dict(item.split("=", 1) for item in header.split(","))
    timestamp = int(parts["t"])
    if abs(time.time() - timestamp) > tolerance:
        return False  # an old delivery replayed
    expected = hmac.new(secret.encode(), f"{timestamp}.".encode() + body, hashlib.sha256).hexdigest()
    return hmac.compare_digest(expected, parts["v1"])


class Receiver:
    """An HTTP server on a spare loopback port that checks each delivery's signature (401 when
    it is wrong) and answers the statuses in `answers`, then 200. `respond(handler)` answers
    instead, when given."""

    def __init__(self, answers=(), respond=None):
        self.answers, self.respond, self.received = list(answers), respond, []
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self):
                body = self.rfile.read(int(self.headers["Content-Length"]))
                signed = verify(SECRET, self.headers.get("Newsroom-Signature", "t=0,v1="), body)
                receiver.received.append({"headers": dict(self.headers), "payload": json.loads(body), "signed": signed})
                if receiver.respond:
                    return receiver.respond(self)
                status = 401 if not signed else (receiver.answers.pop(0) if receiver.answers else 200)
                self.send_response(status)
                self.end_headers()
                self.wfile.write(b"received" if status == 200 else b"try again later")

            def log_message(self, *args):
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}/hooks/newsroom"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def events(self):
        return [(r["payload"]["event"], r["payload"]["article"]["id"]) for r in self.received]

    def close(self):
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture
def receiver():
    made = []

    def start(*args, **kwargs):
        made.append(Receiver(*args, **kwargs))
        return made[-1]

    yield start
    for one in made:
        one.close()


class Queue:
    """The jobs' queue as the test sees it: told of jobs only when their change commits; the
    test is its worker (`run_due`: every job due now, as a worker would run them)."""

    def __init__(self):
        self.told = []

    def run_due(self) -> int:
        ran = 0
        while due := list(Job.objects.claimable(timezone.now()).values_list("pk", flat=True)):
            for pk in due:
                jobs.run(pk)
                ran += 1
        return ran


@pytest.fixture
def queue(settings, monkeypatch):
    """Jobs as in production (not run inside the change, as other tests run them), without this
    process's in-process runner: the test runs them."""
    settings.JOBS_MODE = "thread"
    the_queue = Queue()
    monkeypatch.setattr(jobs._runner, "wake", the_queue.told.extend)
    monkeypatch.setattr(jobs._runner, "thread", "the test")  # a request starts no runner of its own
    return the_queue


def endpoint_for(receiver, events=tuple(webhooks.EVENTS), **fields):
    return WebhookEndpoint.objects.create(url=receiver.url, secret=SECRET, events=list(events), **fields)


def committed(capture, change, *args):
    """`change(*args)` in a transaction that commits (its on-commit callbacks run at the end)."""
    with capture(execute=True):
        return change(*args)


def later(monkeypatch, when):
    monkeypatch.setattr(timezone, "now", lambda: when)


def test_a_publication_is_delivered_once_signed_and_only_after_its_change_commits(
    receiver, queue, editor_user, django_capture_on_commit_callbacks
):
    hooks = receiver()
    endpoint_for(hooks)
    story = ArticleFactory(title="Ferry strike called off", status=Article.Status.DRAFT)
    with django_capture_on_commit_callbacks(execute=True):
        workflow.publish_now(story, editor_user)
        assert queue.told == []  # recorded, not sent: the change has not committed
    assert queue.told and queue.run_due()
    [delivery] = hooks.received
    assert delivery["signed"]
    assert delivery["headers"]["Newsroom-Event"] == PUBLISHED
    payload = delivery["payload"]
    assert payload["event"] == PUBLISHED and payload["id"] == delivery["headers"]["Newsroom-Delivery"]
    assert payload["article"]["title"] == "Ferry strike called off"
    assert payload["article"]["url"] == f"http://localhost:8000{Article.objects.get().get_absolute_url()}"
    assert queue.run_due() == 0 and len(hooks.received) == 1
    record = WebhookDelivery.objects.get()
    assert (record.response_status, record.response_excerpt, record.error) == (200, "received", "")
    assert record.delivered_at is not None and record.attempts == 1


def test_a_change_rolled_back_announces_nothing(receiver, queue, editor_user):
    hooks = receiver()
    endpoint_for(hooks)
    story = ArticleFactory(status=Article.Status.DRAFT)
    with pytest.raises(RuntimeError), transaction.atomic():
        workflow.publish_now(story, editor_user)
        raise RuntimeError("the editor's change fails after the save")
    queue.run_due()
    assert hooks.received == [] and not Job.objects.filter(name__startswith="webhooks.").exists()


def test_each_event_is_delivered_once_to_the_endpoints_that_want_it(
    receiver, queue, editor_user, django_capture_on_commit_callbacks
):
    everything, retractions_only, switched_off = receiver(), receiver(), receiver()
    endpoint_for(everything)
    endpoint_for(retractions_only, events=[RETRACTED])
    endpoint_for(switched_off, active=False)
    story = ArticleFactory(status=Article.Status.DRAFT)

    def edit():
        story.title = "Ferry strike called off, for now"
        story.save()

    steps = [
        lambda: workflow.publish_now(story, editor_user),
        edit,
        lambda: Correction.objects.create(article=story, text="The strike was called off on Monday."),
        lambda: workflow.unpublish(story, editor_user),
        lambda: workflow.publish_now(story, editor_user),
        lambda: workflow.retract(story, editor_user, "retraction", "The strike was never called."),
    ]
    for step in steps:
        committed(django_capture_on_commit_callbacks, step)
        queue.run_due()
    assert everything.events() == [
        (PUBLISHED, story.pk),
        (UPDATED, story.pk),
        (UPDATED, story.pk),
        (UNPUBLISHED, story.pk),
        (PUBLISHED, story.pk),
        (RETRACTED, story.pk),
    ]
    assert all(r["signed"] for r in everything.received)
    assert len({r["payload"]["id"] for r in everything.received}) == 6
    assert everything.received[3]["payload"]["article"] == {"id": story.pk}  # no longer public: its id only
    assert retractions_only.events() == [(RETRACTED, story.pk)]
    assert switched_off.received == []


def test_a_live_story_deleted_is_announced_as_unpublished(receiver, queue, django_capture_on_commit_callbacks):
    hooks = receiver()
    endpoint_for(hooks)
    story, draft = ArticleFactory(), ArticleFactory(status=Article.Status.DRAFT)
    committed(django_capture_on_commit_callbacks, lambda: Article.objects.filter(pk__in=[story.pk, draft.pk]).delete())
    queue.run_due()
    assert hooks.events() == [(UNPUBLISHED, story.pk)]


def test_a_receiver_that_fails_at_first_gets_the_delivery_on_a_retry(
    receiver, queue, editor_user, superuser, monkeypatch, django_capture_on_commit_callbacks
):
    hooks = receiver(answers=[503])
    endpoint_for(hooks)
    story = ArticleFactory(status=Article.Status.DRAFT)
    committed(django_capture_on_commit_callbacks, workflow.publish_now, story, editor_user)
    queue.run_due()
    record = WebhookDelivery.objects.get()
    assert (record.attempts, record.response_status, record.delivered_at) == (1, 503, None)
    assert record.error == "The endpoint answered 503." and record.response_excerpt == "try again later"
    listing = superuser.get(reverse("admin:articles_webhookdelivery_changelist")).content.decode()
    assert "retrying" in listing and "503" in listing
    detail = superuser.get(reverse("admin:articles_webhookdelivery_change", args=[record.pk])).content.decode()
    assert "try again later" in detail and "The endpoint answered 503." in detail

    assert queue.run_due() == 0  # backing off
    later(monkeypatch, timezone.now() + dt.timedelta(minutes=5))
    queue.run_due()
    assert [r["headers"]["Newsroom-Delivery"] for r in hooks.received] == [record.event_id] * 2  # the same delivery
    record.refresh_from_db()
    assert (record.attempts, record.response_status, record.error) == (2, 200, "")
    assert record.delivered_at is not None
    assert queue.run_due() == 0 and len(hooks.received) == 2


def test_a_scheduled_publication_is_delivered_at_its_time_once(
    receiver, queue, editor_user, monkeypatch, django_capture_on_commit_callbacks
):
    hooks = receiver()
    endpoint_for(hooks)
    now = timezone.now()
    story = ArticleFactory(title="Metro ferry starts", status=Article.Status.DRAFT)
    moved = ArticleFactory(title="Tram opening", status=Article.Status.DRAFT)
    dropped = ArticleFactory(title="Bridge closes", status=Article.Status.DRAFT)
    for article, when in ((story, 1), (moved, 1), (dropped, 1)):
        committed(
            django_capture_on_commit_callbacks, workflow.schedule, article, editor_user, now + dt.timedelta(hours=when)
        )
    committed(django_capture_on_commit_callbacks, workflow.schedule, moved, editor_user, now + dt.timedelta(hours=3))
    committed(django_capture_on_commit_callbacks, workflow.unpublish, dropped, editor_user)
    assert queue.run_due() == 0 and hooks.received == []

    later(monkeypatch, now + dt.timedelta(minutes=59))
    queue.run_due()
    assert hooks.received == []
    later(monkeypatch, now + dt.timedelta(hours=1))
    queue.run_due()
    assert hooks.events() == [(PUBLISHED, story.pk)]
    assert hooks.received[0]["signed"] and hooks.received[0]["payload"]["article"]["title"] == "Metro ferry starts"
    later(monkeypatch, now + dt.timedelta(hours=3))
    queue.run_due()
    assert hooks.events() == [(PUBLISHED, story.pk), (PUBLISHED, moved.pk)]  # at its new time; never the dropped one
    later(monkeypatch, now + dt.timedelta(days=2))
    assert queue.run_due() == 0 and len(hooks.received) == 2


def slow(handler):
    time.sleep(1.5)
    handler.send_response(200)
    handler.end_headers()


def talkative(handler):
    handler.send_response(200)
    handler.end_headers()
    handler.wfile.write(b"x" * 1_000_000)


def redirecting(handler):
    handler.send_response(302)
    handler.send_header("Location", "http://127.0.0.1:9/elsewhere")
    handler.end_headers()


@pytest.mark.parametrize(
    ("respond", "status", "excerpt", "error"),
    [
        (slow, None, 0, "timed out"),
        (talkative, 200, 1024, ""),
        (redirecting, 302, 0, "The endpoint answered 302."),
    ],
)
def test_a_delivery_is_bounded(receiver, editor_user, settings, respond, status, excerpt, error):
    settings.WEBHOOK_TIMEOUT_SECONDS = 0.5
    hooks = receiver(respond=respond)
    endpoint_for(hooks)
    workflow.publish_now(ArticleFactory(status=Article.Status.DRAFT), editor_user)  # jobs run at once here
    record = WebhookDelivery.objects.get()
    assert (record.response_status, len(record.response_excerpt)) == (status, excerpt)
    assert error in record.error and (record.delivered_at is None) == bool(error)


@pytest.mark.parametrize("address", ["file:///etc/passwd", "ftp://hooks.example.com/", "gopher://hooks.example.com/"])
def test_only_http_and_https_endpoints_can_be_registered(superuser, address):
    form = {"url": address, "description": "", "events": [PUBLISHED], "active": "on", "secret": "s"}
    response = superuser.post(reverse("admin:articles_webhookendpoint_add"), form)
    assert response.status_code == 200 and "Enter a valid URL." in response.content.decode()
    assert not WebhookEndpoint.objects.exists()
    form["url"] = "https://hooks.example.com/newsroom"
    assert superuser.post(reverse("admin:articles_webhookendpoint_add"), form).status_code == 302
    assert WebhookEndpoint.objects.get().events == [PUBLISHED]


def test_the_webhook_admin_and_the_apis_refusals_read_in_chinese(superuser, client, settings):
    settings.LANGUAGE_CODE = "zh-hans"
    form = superuser.get(reverse("admin:articles_webhookendpoint_add")).content.decode()
    assert "Webhook 端点" in form and "稿件已上线（定时发布的稿件在其发布时间）" in form and "密钥" in form
    endpoint = WebhookEndpoint.objects.create(url="https://hooks.example.com/", events=[PUBLISHED])
    WebhookDelivery.objects.create(
        endpoint=endpoint, event=PUBLISHED, event_id="e1", article_id=1, payload={}, attempts=1
    )
    listing = superuser.get(reverse("admin:articles_webhookdelivery_changelist")).content.decode()
    assert "Webhook 投递" in listing and "重试中" in listing
    refusal = client.get(reverse("api:articles"), {"section": "weather"}).json()
    assert refusal == {"section": ["没有路径为“weather”的栏目。"]}


def test_staff_send_an_undelivered_delivery_again_from_the_admin(receiver, superuser, editor_user, settings):
    settings.JOBS_MAX_ATTEMPTS = 1  # the first failure is the last attempt
    hooks = receiver(answers=[500])
    endpoint_for(hooks)
    workflow.publish_now(ArticleFactory(status=Article.Status.DRAFT), editor_user)  # jobs run at once here
    record = WebhookDelivery.objects.get()
    assert record.delivered_at is None and Job.objects.get(name=webhooks.DELIVER).state == "failed"
    response = superuser.post(
        reverse("admin:articles_webhookdelivery_changelist"),
        {"action": "send_again", "_selected_action": [record.pk]},
        follow=True,
    )
    assert "1 delivery will be sent again." in response.content.decode()
    record.refresh_from_db()
    assert record.delivered_at is not None and record.attempts == 2
    assert [r["headers"]["Newsroom-Delivery"] for r in hooks.received] == [record.event_id] * 2


def test_an_import_announces_its_recent_stories_not_the_archives_back_catalogue(
    receiver, queue, tmp_path, django_capture_on_commit_callbacks
):
    """A first import of a newsroom's archive must not send partners every story it ever ran;
    a story it brings that was published within WEBHOOK_IMPORT_RECENT_HOURS is news."""
    hooks = receiver()
    endpoint_for(hooks)
    recent = (timezone.now() - dt.timedelta(hours=2)).isoformat()
    write(tmp_path, "old.md", "---\ntitle: Harbour opens, 1998\ndate: 1998-05-01\n---\nText")
    write(tmp_path, "new.md", f"---\ntitle: Harbour reopens today\ndate: {recent}\n---\nText")
    with django_capture_on_commit_callbacks(execute=True):
        run_import(tmp_path)
    queue.run_due()
    assert [r["payload"]["article"]["title"] for r in hooks.received] == ["Harbour reopens today"]
