"""The fleet, end to end: two app servers (gunicorn, each with a media folder of its own) share
the database, a Redis, the job queue (the machine's RabbitMQ, a Celery worker), an S3 server and
a Varnish in front of both. An editor's browser uploads a photo through the first server; the
second shows it with the renditions the worker made; an edit made through the second is fresh
at the edge."""

import os
import urllib.request

import pytest
from django.contrib.auth import get_user_model
from playwright.sync_api import expect

from articles.models import Article
from newsroom.models import Job
from tests.factories import ArticleFactory
from tests.utils import (
    Varnish,
    assert_no_identifying_metadata,
    database_url,
    free_port,
    gunicorn_serving,
    located_photo,
    open_page,
    wait_for,
)

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PASSWORD = "a-long-fleet-password"


def fetch(url):
    with urllib.request.urlopen(url, timeout=10) as response:
        return response.status, response.headers, response.read()


def signed_in(page, server_url):
    page.goto(f"{server_url}/admin/login/")
    page.fill("#id_username", "chief")
    page.fill("#id_password", PASSWORD)
    with page.expect_navigation():
        page.click("input[type=submit]")
    expect(page.get_by_role("button", name="Log out")).to_be_visible()


def test_two_app_servers_share_media_jobs_and_an_edge(
    browser, broker, celery, object_storage, private_redis, settings, tmp_path
):
    get_user_model().objects.create_superuser("chief", "chief@example.com", PASSWORD)
    bystander = ArticleFactory(title="Council budget passes")
    edge_port = free_port()
    shared = {
        **os.environ,
        **object_storage.env,
        "DEBUG": "1",
        "DATABASE_URL": database_url(),
        "CONN_MAX_AGE": "0",
        "REDIS_URL": f"redis://127.0.0.1:{private_redis.connection_pool.connection_kwargs['port']}/0",
        "CELERY_BROKER_URL": settings.CELERY_BROKER_URL,
        "JOBS_QUEUE": settings.JOBS_QUEUE,
        "EDGE_PURGE": "varnish",
        "EDGE_PURGE_URLS": f"http://127.0.0.1:{edge_port}/",
    }
    celery("worker", **shared)
    with (
        gunicorn_serving({**shared, "MEDIA_ROOT": str(tmp_path / "a-media")}) as first,
        gunicorn_serving({**shared, "MEDIA_ROOT": str(tmp_path / "b-media")}) as second,
    ):
        edge = Varnish([int(first.url.rsplit(":", 1)[1]), int(second.url.rsplit(":", 1)[1])], tmp_path, edge_port)
        try:
            photo = tmp_path / "harbour.jpg"
            photo.write_bytes(located_photo(size=(1600, 1200)))
            with open_page(browser, "desktop") as page:
                # An editor uploads through the first server.
                signed_in(page, first.url)
                page.goto(f"{first.url}/admin/articles/article/add/")
                page.fill("#id_title", "Harbour at dawn")
                page.fill("#id_body_source", "The fishing fleet came in at six.")
                page.select_option("#id_status", "published")
                page.set_input_files("#id_lead_image", str(photo))
                page.fill("#id_lead_image_alt", "Fishing boats coming into the harbour at dawn")
                with page.expect_navigation():
                    page.click("input[name=_save]")
                expect(page.locator(".messagelist")).to_contain_text("was added successfully")
                story = Article.objects.get(title="Harbour at dawn")
                wait_for(
                    lambda: Job.objects.filter(name="articles.lead_renditions", args=[story.pk], state="done").exists(),
                    what="the worker's renditions",
                )

                # The second server, which never saw the upload, shows it with the worker's renditions.
                story.refresh_from_db()
                largest = max(story.lead_renditions["sizes"], key=lambda size: size["width"])
                status, _, html = fetch(second.url + story.get_absolute_url())
                assert status == 200 and f"{object_storage.url}{largest['name']}" in html.decode()
                status, headers, rendition = fetch(object_storage.url + largest["name"])
                assert headers["Content-Type"] == "image/webp"
                assert_no_identifying_metadata(fetch(object_storage.url + story.lead_image.name)[2])
                assert not any(
                    (tmp_path / name).rglob("*.*") for name in ("a-media", "b-media") if (tmp_path / name).exists()
                )

                # Readers get it from the edge; an edit through the second server is fresh there.
                for url in (story.get_absolute_url(), bystander.get_absolute_url()):
                    edge.get(url)
                    assert edge.get(url)[1]["X-Edge-Cache"] == "hit"
                page.goto(f"{second.url}/admin/articles/article/{story.pk}/change/")
                page.fill("#id_title", "Harbour at dawn, in pictures")
                with page.expect_navigation():
                    page.click("input[name=_save]")
                expect(page.locator(".messagelist")).to_contain_text("was changed successfully")
            fresh = wait_for(
                lambda: "Harbour at dawn, in pictures" in (text := edge.get(story.get_absolute_url())[2]) and text,
                timeout=10,
                what="the edited headline at the edge",
            )
            assert "Harbour at dawn, in pictures" in fresh
            assert edge.get(bystander.get_absolute_url())[1]["X-Edge-Cache"] == "hit"
        finally:
            edge.stop()
