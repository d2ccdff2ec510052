import os
import shutil
import socket
import subprocess
import sys
import uuid
from pathlib import Path
from types import SimpleNamespace

import pytest

from tests.factories import AuthorFactory, UserFactory
from tests.utils import (
    CHROMIUM_ARGS,
    MEDIA_BUCKET,
    VIEWPORTS,
    CeleryProcess,
    TcpProxy,
    database_url,
    free_port,
    logged_in,
    open_page,
    wait_for,
)

# Resolved: ../shared may be a link, and the importer stores resolved paths.
CORPUS = (Path(__file__).resolve().parents[2] / "shared" / "corpus").resolve()
# CI sets this: a component a test needs (browser, PostgreSQL, Redis, corpus) being absent is
# then a failure, not a skip.
STRICT = os.environ.get("NEWSROOM_REQUIRE_ALL", "") not in ("", "0", "false")


# Tests of PostgreSQL-only behaviour run in CI's PostgreSQL run; in the SQLite run they are not
# missing a component, so strict mode leaves this skip alone.
OTHER_DATABASE = "[runs on PostgreSQL]"


def pytest_collection_modifyitems(config, items):
    from django.conf import settings

    if "postgresql" not in settings.DATABASES["default"]["ENGINE"]:
        skip = pytest.mark.skip(reason=f"{OTHER_DATABASE} set DATABASE_URL=postgres://… to run it")
        for item in items:
            if "postgresql" in item.keywords:
                item.add_marker(skip)


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item, call):
    outcome = yield
    report = outcome.get_result()
    reason = report.longrepr[2] if report.skipped and isinstance(report.longrepr, tuple) else ""
    if STRICT and report.skipped and not hasattr(report, "wasxfail") and OTHER_DATABASE not in reason:
        reason = report.longrepr[2] if isinstance(report.longrepr, tuple) else str(report.longrepr)
        report.outcome = "failed"
        report.longrepr = f"NEWSROOM_REQUIRE_ALL is set, so this skip is a failure: {reason}"


@pytest.fixture(scope="session")
def django_db_modify_db_settings(django_db_modify_db_settings_parallel_suffix, tmp_path_factory):
    """SQLite's test database is a file, not memory, so that the processes a test starts (a job
    worker, gunicorn) share it."""
    from django.conf import settings

    database = settings.DATABASES["default"]
    if database["ENGINE"].endswith("sqlite3"):
        database.setdefault("TEST", {})["NAME"] = str(tmp_path_factory.mktemp("database") / "test.sqlite3")


@pytest.fixture(autouse=True)
def no_page_cache(settings, tmp_path):
    """Tests see what views do; tests of the page cache turn it on themselves."""
    settings.PAGE_CACHE_SECONDS = 0
    settings.PAGE_CACHE_STAMP = str(tmp_path / "content-changed")


@pytest.fixture(autouse=True)
def media_root(settings, tmp_path):
    """Uploaded files go to a throwaway folder."""
    settings.MEDIA_ROOT = tmp_path / "media"
    return settings.MEDIA_ROOT


@pytest.fixture(autouse=True)
def empty_cache():
    """Each test starts with an empty cache, local memory or Redis alike."""
    from django.core.cache import cache

    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def decoded_sizes(monkeypatch):
    """The sizes of the images Pillow decodes during the test (in this process)."""
    from PIL import ImageFile

    sizes, load = [], ImageFile.ImageFile.load

    def recording_load(image):
        sizes.append(image.size)
        return load(image)

    monkeypatch.setattr(ImageFile.ImageFile, "load", recording_load)
    return sizes


@pytest.fixture(scope="session")
def corpus():
    if not CORPUS.is_dir():
        pytest.skip(f"shared corpus not found at {CORPUS}")
    return CORPUS


@pytest.fixture(scope="session")
def chromium_path():
    path = os.environ.get("CHROMIUM", "/usr/bin/chromium")
    if not Path(path).exists() and not shutil.which(path):
        pytest.skip(f"Chromium not found at {path} (apt-get install chromium)")
    return path


@pytest.fixture(scope="module")
def browser(chromium_path):
    sync_api = pytest.importorskip("playwright.sync_api")
    # Playwright's sync API runs an event loop in this thread; Django's ORM calls from the test
    # body are still synchronous and safe.
    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
    try:
        with sync_api.sync_playwright() as playwright:
            browser = playwright.chromium.launch(executable_path=chromium_path, args=CHROMIUM_ARGS)
            yield browser
            browser.close()
    finally:
        del os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"]


@pytest.fixture(params=VIEWPORTS)
def page(request, browser):
    with open_page(browser, request.param) as page:
        yield page


# Role fixtures, named by role: `editor` is an Editors-group login everywhere, `writer` a
# Writers-group one with an Author of their own, `superuser` Django's admin account.


@pytest.fixture
def superuser(admin_client):
    """A client signed in as a superuser."""
    return admin_client


@pytest.fixture
def writer_user():
    user = UserFactory(username="wen", groups=["Writers"])
    AuthorFactory(name="Wen Writer", user=user)
    return user


@pytest.fixture
def writer(writer_user):
    return logged_in(writer_user)


@pytest.fixture
def editor_user():
    return UserFactory(username="eda", groups=["Editors"])


@pytest.fixture
def editor(editor_user):
    return logged_in(editor_user)


@pytest.fixture
def private_redis(settings, tmp_path):
    """A Redis server of the test's own, on a spare loopback port, as the site's cache: what a
    test counts or breaks there is only the test's. Yields a client to it."""
    import subprocess
    import time

    import redis

    server = shutil.which("redis-server")
    if server is None:
        pytest.skip("redis-server not found (apt-get install redis-server)")
    port = free_port()
    args = [server, "--port", str(port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no", "--dir", tmp_path]
    process = subprocess.Popen(args, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    client = redis.Redis(port=port)
    for _ in range(100):
        try:
            client.ping()
            break
        except redis.ConnectionError:
            time.sleep(0.05)
    settings.CACHES = {
        "default": {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": f"redis://127.0.0.1:{port}/0"}
    }
    try:
        yield client
    finally:
        process.kill()
        process.wait()


@pytest.fixture(autouse=True)
def jobs_run_at_once(settings):
    """Jobs run inside the change that needs them; tests of the queue itself choose a mode."""
    settings.JOBS_MODE = "eager"


RABBITMQ_PORT = 5672


@pytest.fixture
def broker(settings):
    """The site's broker: the machine's RabbitMQ through a proxy the test can cut; a queue of
    the test's own, deleted afterwards."""
    try:
        socket.create_connection(("127.0.0.1", RABBITMQ_PORT), timeout=1).close()
    except OSError:
        pytest.skip(f"RabbitMQ is not running on 127.0.0.1:{RABBITMQ_PORT} (apt-get install rabbitmq-server)")
    proxy = TcpProxy(RABBITMQ_PORT)
    settings.JOBS_MODE = "celery"
    settings.CELERY_BROKER_URL = f"amqp://guest:guest@127.0.0.1:{proxy.port}//"
    settings.JOBS_QUEUE = f"newsroom-test-{uuid.uuid4().hex[:10]}"
    settings.JOBS_LEASE_SECONDS = 3
    settings.JOBS_RELAY_SECONDS = 0.5
    settings.JOBS_RETRY_SECONDS = 0.5
    from newsroom import jobs

    jobs._broker.ended()  # nothing left of another test's outage
    yield proxy
    proxy.close()
    from kombu import Connection

    with Connection(f"amqp://guest:guest@127.0.0.1:{RABBITMQ_PORT}//") as connection:
        connection.default_channel.queue_delete(settings.JOBS_QUEUE)


@pytest.fixture
def celery(broker, settings, tmp_path, transactional_db):
    """Starts `celery -A newsroom worker` or `beat` against the test's database, broker and
    media folder; stops them all afterwards."""
    env = {
        **os.environ,
        "DATABASE_URL": database_url(),
        "CONN_MAX_AGE": "0",
        "MEDIA_ROOT": str(settings.MEDIA_ROOT),
        "CELERY_BROKER_URL": settings.CELERY_BROKER_URL,
        **{
            name: str(getattr(settings, name))
            for name in ("JOBS_QUEUE", "JOBS_LEASE_SECONDS", "JOBS_RELAY_SECONDS", "JOBS_RETRY_SECONDS")
        },
    }
    started = []

    def start(kind="worker", **more_env):
        process = CeleryProcess(kind, {**env, **more_env}, tmp_path)
        started.append(process)
        process.wait_until_ready(" ready." if kind == "worker" else "beat: Starting")
        return process

    yield start
    for process in started:
        process.stop()


@pytest.fixture
def object_storage(settings):
    """An S3-compatible server of the test's own (moto's server mode, a real HTTP peer) on a
    spare port, with a bucket, as the site's media storage. `.env` sets the same for the
    processes a test starts; `.client` is boto3's, to look inside."""
    import boto3

    moto = Path(sys.executable).with_name("moto_server")
    if not moto.exists():
        pytest.skip("moto's server is not installed (make test installs requirements-dev.txt)")
    port = free_port()
    process = subprocess.Popen(
        [moto, "-H", "127.0.0.1", "-p", str(port)], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
    )

    def answers():
        try:
            socket.create_connection(("127.0.0.1", port), timeout=0.2).close()
            return True
        except OSError:
            return False

    wait_for(answers, what="moto's S3 server")
    endpoint = f"http://127.0.0.1:{port}"
    client = boto3.client(
        "s3", endpoint_url=endpoint, aws_access_key_id="test", aws_secret_access_key="test", region_name="us-east-1"
    )
    client.create_bucket(Bucket=MEDIA_BUCKET)
    env = {
        "S3_BUCKET": MEDIA_BUCKET,
        "S3_ENDPOINT_URL": endpoint,
        "S3_ACCESS_KEY_ID": "test",
        "S3_SECRET_ACCESS_KEY": "test",
        "S3_REGION": "us-east-1",
        "S3_ADDRESSING_STYLE": "path",
        "S3_ACL": "public-read",
    }
    settings.STORAGES = {
        **settings.STORAGES,
        "default": {
            "BACKEND": "storages.backends.s3.S3Storage",
            "OPTIONS": {
                "bucket_name": MEDIA_BUCKET,
                "endpoint_url": endpoint,
                "access_key": "test",
                "secret_key": "test",
                "region_name": "us-east-1",
                "addressing_style": "path",
                "default_acl": "public-read",
                "querystring_auth": False,
                "file_overwrite": False,
            },
        },
    }
    yield SimpleNamespace(url=f"{endpoint}/{MEDIA_BUCKET}/", env=env, client=client)
    process.terminate()
    process.wait(timeout=10)
