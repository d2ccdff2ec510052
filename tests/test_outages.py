"""Losing a part degrades the site; it does not break it. Each test breaks a part it started
itself, on a spare loopback port: never the machine's own servers."""

import logging
import os
import time

import pytest
from django.db import connection
from django.urls import reverse

from tests.factories import ArticleFactory
from tests.utils import TcpProxy, gunicorn_serving

pytestmark = pytest.mark.django_db

SOCKET_TIMEOUT = 0.2


@pytest.fixture
def partitionable_cache(private_redis, settings):
    """The site's cache is the test's own Redis, reached through a proxy the test can cut."""
    proxy = TcpProxy(private_redis.connection_pool.connection_kwargs["port"])
    settings.CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": f"redis://127.0.0.1:{proxy.port}/0",
            "OPTIONS": {"socket_connect_timeout": SOCKET_TIMEOUT, "socket_timeout": SOCKET_TIMEOUT},
        }
    }
    settings.CACHE_RETRY_SECONDS = 0.5
    settings.PAGE_CACHE_SECONDS = 300
    yield proxy
    proxy.close()


def _warnings(caplog, text):
    return [r for r in caplog.records if r.levelno >= logging.WARNING and text in r.getMessage()]


def test_pages_and_the_admin_work_while_redis_is_cut_off_and_caching_resumes_fresh(
    client, superuser, partitionable_cache, caplog
):
    story = ArticleFactory(title="Harbour ferry returns")
    url = story.get_absolute_url()
    client.get(url)
    assert client.get(url)["X-Page-Cache"] == "hit"

    partitionable_cache.cut()
    caplog.set_level(logging.WARNING)
    started = time.monotonic()
    for _ in range(20):
        page = client.get(url)
        assert page.status_code == 200 and "Harbour ferry returns" in page.content.decode()
        assert page.get("X-Page-Cache") != "hit"
    spent = time.monotonic() - started
    # An editor works meanwhile: the change list, the form, a save.
    assert superuser.get(reverse("admin:articles_article_changelist")).status_code == 200
    assert superuser.get(reverse("admin:articles_article_change", args=[story.pk])).status_code == 200
    story.title = "Harbour ferry returns at dawn"
    story.save()

    # One warning for the outage, not one per request; and not a timeout per request either.
    assert len(_warnings(caplog, "does not answer")) == 1
    assert spent < 20 * SOCKET_TIMEOUT / 2, f"20 requests took {spent:.2f} s"

    partitionable_cache.restore()
    time.sleep(0.6)  # the next try
    page = client.get(url).content.decode()
    # The page kept before the outage is not served: the save made during it could not say so.
    assert "Harbour ferry returns at dawn" in page
    assert len(_warnings(caplog, "answers again")) == 1
    assert client.get(url)["X-Page-Cache"] == "hit"  # caching resumed by itself


def test_probes_answer_by_ip_over_plain_http_and_are_never_cached(client, settings):
    settings.SECURE_SSL_REDIRECT = True
    settings.ALLOWED_HOSTS = ["news.example.com"]
    settings.PAGE_CACHE_SECONDS = 300
    for path in ("/healthz", "/readyz"):
        response = client.get(path, HTTP_HOST="10.0.0.7")
        assert response.status_code == 200, (path, response.status_code)
        assert "no-store" in response["Cache-Control"] and "X-Page-Cache" not in response
    assert client.get("/readyz", HTTP_HOST="10.0.0.7").json() == {
        "status": "ready",
        "database": "ok",
        "cache": "ok",
        "queue": "in-process",
    }


def test_a_server_ahead_of_its_migrations_is_not_ready():
    from django.db.migrations.recorder import MigrationRecorder
    from django.test import Client

    latest = MigrationRecorder.Migration.objects.filter(app="articles").order_by("-name").first()
    latest.delete()  # this database lacks the code's newest migration (rolled back after the test)
    response = Client().get("/readyz")
    assert response.status_code == 503
    assert response.json()["database"] == f"migrations not applied: articles.{latest.name}"


def test_a_server_whose_cache_is_unreachable_is_ready_but_degraded(client, partitionable_cache):
    partitionable_cache.cut()
    response = client.get("/readyz")
    assert response.status_code == 200
    assert response.json() == {"status": "degraded", "database": "ok", "cache": "unreachable", "queue": "in-process"}
    assert client.get("/healthz").status_code == 200


@pytest.mark.postgresql
@pytest.mark.django_db(transaction=True)
def test_a_cut_database_connection_costs_no_request_that_was_not_in_flight():
    """gunicorn keeps its PostgreSQL connection between requests; the proxy in front of the
    database kills it between two requests. The next request finds it dead before using it
    (`CONN_HEALTH_CHECKS`) and connects again: no reader sees an error."""
    story = ArticleFactory(title="Night ferry timetable")
    database = connection.settings_dict
    proxy = TcpProxy(int(database["PORT"] or 5432))
    env = {
        **os.environ,
        "DATABASE_URL": f"postgres://{database['USER']}@127.0.0.1:{proxy.port}/{database['NAME']}",
        "CONN_MAX_AGE": "600",
        "DEBUG": "1",
        "CACHE_URL": "dummycache://",
    }
    try:
        with gunicorn_serving(env) as get:
            assert "Night ferry timetable" in get(story.get_absolute_url())[1]
            for _ in range(3):
                proxy.cut()  # the kept connection dies between requests
                proxy.restore()
                assert get("/readyz")[0] == 200
                assert "Night ferry timetable" in get(story.get_absolute_url())[1]
    finally:
        proxy.close()
