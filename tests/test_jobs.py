"""Background jobs: recorded with the change that needs them, run by real Celery workers on the
machine's RabbitMQ (through a proxy the test can cut, on a queue of the test's own), retried
when a worker dies or a job fails, and never in the way of an editor's save."""

import io
import time
from datetime import timedelta
from unittest import mock

import pytest
from django.core.files.storage import default_storage
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from PIL import Image

from articles.models import Article
from newsroom import jobs
from newsroom.models import Job
from tests.factories import ArticleFactory
from tests.utils import article_form, free_port, wait_for

RABBITMQ_PORT = 5672


def photo(size=(1600, 1200), kind="JPEG") -> bytes:
    buffer = io.BytesIO()
    Image.linear_gradient("L").resize(size).convert("RGB").save(
        buffer, kind, **({"compress_level": 1} if kind == "PNG" else {})
    )
    return buffer.getvalue()


def renditions_of(article_id):
    return Article.objects.get(pk=article_id).lead_renditions.get("sizes")


def the_job(article_id) -> Job:
    return Job.objects.get(name="articles.lead_renditions", args=[article_id])


def test_a_saved_upload_gets_renditions_from_a_worker_and_a_rolled_back_one_gets_no_job(superuser, client, celery):
    celery("worker")
    with pytest.raises(RuntimeError), transaction.atomic():
        ArticleFactory(lead_image=SimpleUploadedFile("rolled-back.jpg", photo()))
        raise RuntimeError("the editor's change fails after the save")
    assert not Job.objects.exists()

    upload = SimpleUploadedFile("harbour.jpg", photo(), content_type="image/jpeg")
    response = superuser.post(
        reverse("admin:articles_article_add"),
        article_form(title="Harbour at dawn", lead_image=upload, lead_image_alt="A photograph"),
    )
    assert response.status_code == 302
    article = Article.objects.get(title="Harbour at dawn")
    wait_for(lambda: the_job(article.pk).state == "done", what="the worker's renditions job")
    job = the_job(article.pk)
    assert (job.attempts, job.error) == (1, "")
    sizes = renditions_of(article.pk)
    assert [s["width"] for s in sizes] == [320, 640, 1024]
    assert all(default_storage.exists(s["name"]) for s in sizes)
    assert default_storage.url(sizes[0]["name"]) in client.get(article.get_absolute_url()).content.decode()


def test_a_save_made_while_the_broker_is_down_has_its_jobs_run_once_it_is_back(superuser, broker, celery, caplog):
    celery("worker")
    celery("beat")
    broker.cut()
    for n in range(3):
        upload = SimpleUploadedFile(f"storm-{n}.jpg", photo(), content_type="image/jpeg")
        response = superuser.post(
            reverse("admin:articles_article_add"),
            article_form(title=f"Storm surge {n}", lead_image=upload, lead_image_alt="A photograph"),
        )
        assert response.status_code == 302  # the save is not the broker's to fail
    articles = list(Article.objects.filter(title__startswith="Storm surge"))
    assert {the_job(a.pk).dispatched_at for a in articles} == {None}  # recorded, not sent
    broker_warnings = [r for r in caplog.records if "the broker does not answer" in r.getMessage()]
    assert len(broker_warnings) == 1  # one warning for the outage, not one per save

    broker.restore()
    for article in articles:
        wait_for(lambda a=article: the_job(a.pk).state == "done", timeout=60, what=f"renditions of {article.title}")
        assert renditions_of(article.pk)


def test_a_worker_killed_mid_job_leaves_the_job_to_another_that_completes_it(celery):
    big = {"IMAGE_MAX_PIXELS": "60000000"}  # a picture large enough to take the worker a while
    first = celery("worker", **big)
    celery("beat")
    article = ArticleFactory(lead_image=SimpleUploadedFile("panorama.png", photo((7071, 7071), "PNG")))
    wait_for(lambda: the_job(article.pk).state == "running", every=0.01, what="the first worker taking the job")
    first.kill()
    assert renditions_of(article.pk) is None  # it died before finishing

    celery("worker", **big)
    wait_for(lambda: the_job(article.pk).state == "done", timeout=60, what="the second worker finishing the job")
    assert the_job(article.pk).attempts == 2
    assert renditions_of(article.pk)


def test_a_failing_job_is_retried_later_then_listed_for_staff_who_retry_it(
    settings, superuser, django_capture_on_commit_callbacks
):
    settings.JOBS_MAX_ATTEMPTS = 2
    settings.JOBS_RETRY_SECONDS = 60
    article = ArticleFactory(lead_image=SimpleUploadedFile("scan.jpg", b"not a picture: the upload was cut short"))
    job = the_job(article.pk)
    assert (job.state, job.attempts) == ("pending", 1)
    assert job.error.startswith("UnidentifiedImageError: cannot identify image file")
    assert 60 <= (job.run_at - job.created_at).total_seconds() <= 60 * 1.25 + 5  # backed off
    assert jobs.relay() == 0  # not due yet

    Job.objects.filter(pk=job.pk).update(run_at=job.created_at)  # an hour later, as it were
    with django_capture_on_commit_callbacks(execute=True):
        assert jobs.relay() == 1
    job.refresh_from_db()
    assert (job.state, job.attempts) == ("failed", 2)

    listing = superuser.get(reverse("admin:newsroom_job_changelist"), follow=True)
    page = listing.content.decode()
    assert listing.redirect_chain[-1][0].endswith("?state=failed")
    assert "articles.lead_renditions" in page and "UnidentifiedImageError: cannot identify image file" in page

    with default_storage.open(article.lead_image.name, "wb") as file:
        file.write(photo())  # the file is whole again
    with django_capture_on_commit_callbacks(execute=True):
        response = superuser.post(
            reverse("admin:newsroom_job_changelist"),
            {"action": "retry", "_selected_action": [job.pk]},
            follow=True,
        )
    assert "1 job will be tried again." in response.content.decode()
    job.refresh_from_db()
    assert (job.state, job.attempts) == ("done", 1)
    assert renditions_of(article.pk)


@pytest.mark.django_db(transaction=True)
def test_make_run_runs_jobs_in_a_thread_of_the_web_process(settings, client):
    settings.JOBS_MODE = "thread"
    settings.JOBS_RELAY_SECONDS = 0.2
    client.get("/")  # the web process's first request starts its runner
    article = ArticleFactory(lead_image=SimpleUploadedFile("lantern.jpg", photo()))
    wait_for(lambda: the_job(article.pk).state == "done", what="renditions made in the web process")
    assert renditions_of(article.pk)


def test_readiness_reports_a_broker_that_does_not_answer_without_taking_the_server_out(db, client, broker):
    assert client.get("/readyz").json()["queue"] == "ok"
    broker.cut()
    started = time.monotonic()
    response = client.get("/readyz")
    assert time.monotonic() - started < 1.0  # within a load balancer's probe timeout
    assert response.status_code == 200
    assert response.json()["status"] == "degraded" and response.json()["queue"].startswith("unreachable")


def test_a_job_whose_worker_dies_on_every_attempt_is_failed_not_tried_forever(db, settings):
    settings.JOBS_MAX_ATTEMPTS = 3
    article = ArticleFactory()
    job = Job.objects.create(name="articles.lead_renditions", args=[article.pk], state="running", attempts=3)
    Job.objects.filter(pk=job.pk).update(locked_until=job.created_at)  # its lease ran out long ago
    assert jobs.run(job.pk) is False
    job.refresh_from_db()
    assert job.state == "failed" and "stopped before it ended" in job.error


def test_a_worker_that_overran_its_lease_records_nothing_over_the_worker_that_took_over(db, settings):
    """While the first worker is still at it, its lease ends and a second worker claims the job:
    when the first then fails, the job stays the second's (not set back to pending or failed)."""
    article = ArticleFactory(lead_image=SimpleUploadedFile("pier.jpg", photo()))
    job = the_job(article.pk)
    Job.objects.filter(pk=job.pk).update(state="pending", attempts=0)
    Article.objects.filter(pk=article.pk).update(lead_renditions={})  # still to be made
    taken_over = timezone.now() + timedelta(seconds=600)

    def overrun(*args, **kwargs):
        Job.objects.filter(pk=job.pk).update(locked_until=taken_over)  # the second worker's claim
        raise OSError("the storage timed out")

    with mock.patch("articles.renditions.make", overrun):
        assert jobs.run(job.pk)
    job.refresh_from_db()
    assert (job.state, job.locked_until, job.error) == ("running", taken_over, "")


@pytest.mark.django_db(transaction=True)
def test_purges_gather_within_a_transaction_and_never_into_another_ones_job(settings):
    from articles import freshness

    settings.JOBS_MODE = "celery"
    settings.CELERY_BROKER_URL = f"amqp://guest:guest@127.0.0.1:{free_port()}//"  # nothing there: never sent
    settings.EDGE_PURGE = "varnish"
    with transaction.atomic():
        freshness.invalidate_on_commit({"a1", "p1"})
        freshness.invalidate_on_commit({"ls5"})
    assert list(Job.objects.filter(name="edge.purge").values_list("args", flat=True)) == [[["a1", "ls5", "p1"]]]
    with transaction.atomic():
        freshness.invalidate_on_commit({"a2"})
    assert sorted(Job.objects.filter(name="edge.purge").values_list("args", flat=True)) == [
        [["a1", "ls5", "p1"]],
        [["a2"]],
    ]
