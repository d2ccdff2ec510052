import json
import os
import subprocess
import sys
import uuid
from pathlib import Path

import pytest
from django.db import connection

from tests.utils import PRODUCTION, gunicorn_serving, manage, settings_in_a_process

ROOT = Path(__file__).resolve().parents[1]


def settings_under(**env):
    values = (
        "{'db': s.DATABASES['default'], 'cache': s.CACHES['default'], 'tz': s.TIME_ZONE,"
        " 'lang': s.LANGUAGE_CODE, 'media': str(s.MEDIA_ROOT), 'static': str(s.STATIC_ROOT), 'debug': s.DEBUG}"
    )
    return settings_in_a_process(values, env, without=("DATABASE_URL", "REDIS_URL", "CACHE_URL", "DEBUG"))


def test_deploy_check_is_clean_under_production_settings():
    result = manage("check", "--deploy", "--fail-level", "WARNING", **PRODUCTION)
    assert result.returncode == 0, result.stderr
    assert "System check identified no issues (0 silenced)." in result.stdout


def test_deploy_check_warns_of_one_server_settings_on_a_fleet(tmp_path):
    fleet = {**PRODUCTION, "APP_SERVERS": "3"}
    alone = manage("check", "--deploy", **fleet, CACHE_URL="locmemcache://newsroom")
    assert "newsroom.W001" in alone.stderr and "newsroom.W002" in alone.stderr, alone.stderr
    assert "newsroom.W003" in alone.stderr  # jobs in the web processes
    shared_cache = manage("check", "--deploy", **fleet, CACHE_URL="redis://127.0.0.1:6379/13")
    assert "newsroom.W001" not in shared_cache.stderr and "newsroom.W002" in shared_cache.stderr
    workers = manage("check", "--deploy", **fleet, CELERY_BROKER_URL="amqp://guest:guest@127.0.0.1:5672//")
    assert "newsroom.W003" not in workers.stderr, workers.stderr


@pytest.mark.parametrize("missing", ["SECRET_KEY", "ALLOWED_HOSTS"])
def test_production_refuses_to_start_without(missing):
    env = {k: v for k, v in PRODUCTION.items() if k != missing}
    result = manage("check", **env)
    assert result.returncode != 0
    assert f"{missing} must be set when DEBUG is off." in result.stderr


def test_defaults_run_locally_on_sqlite_with_local_memory_cache():
    configured = settings_under()
    assert configured["debug"] is True
    assert configured["db"]["ENGINE"] == "django.db.backends.sqlite3"
    assert configured["db"]["NAME"].endswith("db.sqlite3")
    assert configured["cache"]["BACKEND"] == "django.core.cache.backends.locmem.LocMemCache"


def test_environment_selects_postgresql_redis_and_locale(tmp_path):
    configured = settings_under(
        DATABASE_URL="postgres://news:pw@db.example:5433/newsroom",
        REDIS_URL="redis://cache.example:6379/2",
        TIME_ZONE="Asia/Shanghai",
        LANGUAGE_CODE="zh-hans",
        MEDIA_ROOT=str(tmp_path / "m"),
        STATIC_ROOT=str(tmp_path / "s"),
    )
    assert configured["db"]["ENGINE"] == "django.db.backends.postgresql"
    assert (configured["db"]["HOST"], configured["db"]["PORT"], configured["db"]["NAME"]) == (
        "db.example",
        5433,
        "newsroom",
    )
    assert configured["cache"] == {
        "BACKEND": "django.core.cache.backends.redis.RedisCache",
        "LOCATION": "redis://cache.example:6379/2",
        # A Redis that stops answering costs a request half a second, never a hung worker.
        "OPTIONS": {"socket_connect_timeout": 0.5, "socket_timeout": 0.5},
    }
    assert (configured["tz"], configured["lang"]) == ("Asia/Shanghai", "zh-hans")
    assert (configured["media"], configured["static"]) == (str(tmp_path / "m"), str(tmp_path / "s"))


def test_cache_url_wins_over_redis_url():
    configured = settings_under(REDIS_URL="redis://a:6379/0", CACHE_URL="locmemcache://x")
    assert configured["cache"]["BACKEND"] == "django.core.cache.backends.locmem.LocMemCache"


@pytest.mark.django_db
def test_suite_runs_on_the_database_database_url_names():
    """Guards CI's two runs: the tests really use the database DATABASE_URL names."""
    url = os.environ.get("DATABASE_URL", "")
    expected = "postgresql" if url.startswith(("postgres://", "postgresql://")) else "sqlite"
    assert connection.vendor == expected


def test_configured_cache_is_redis_and_works():
    """With REDIS_URL set (as in CI), the site's own cache is Redis, talking to a real server."""
    from django.core.cache import caches
    from django.core.cache.backends.redis import RedisCache
    from redis.exceptions import ConnectionError as RedisConnectionError

    if not os.environ.get("REDIS_URL"):
        pytest.skip("REDIS_URL is not set: the site runs on its local-memory cache")
    cache = caches["default"]
    assert isinstance(cache, RedisCache)
    key = f"probe-{uuid.uuid4().hex}"
    try:
        cache.set(key, {"headline": "气候"}, timeout=30)
    except RedisConnectionError as exc:
        pytest.fail(f"REDIS_URL is set but Redis is not reachable: {exc}")
    assert cache.get(key) == {"headline": "气候"}
    cache.delete(key)
    assert cache.get(key) is None


def test_readme_lists_every_environment_variable():
    """The README's configuration table stays true: each variable settings.py reads is in it."""
    import re

    read = set(re.findall(r'env(?:\.\w+)?\(\s*"([A-Z_]+)"', (ROOT / "newsroom" / "settings.py").read_text()))
    table = set(re.findall(r"^\| `([A-Z_]+)` \|", (ROOT / "README.md").read_text(), re.MULTILINE))
    assert len(read) > 10
    assert read - table == set()


def test_gunicorn_config_serves_with_recycling_timeouts_and_an_access_log():
    gunicorn = Path(sys.executable).with_name("gunicorn")
    printed = subprocess.run([gunicorn, "--print-config", "newsroom.wsgi"], cwd=ROOT, capture_output=True, text=True)
    config = {k.strip(): v.strip() for k, _, v in (line.partition(" = ") for line in printed.stdout.splitlines())}
    assert (config["timeout"], config["max_requests"], config["accesslog"]) == ("30", "2000", "-")
    with gunicorn_serving({**os.environ, **PRODUCTION}, stdout=subprocess.PIPE) as get:
        status, body = get("/healthz")
        server = get.server
    assert (status, json.loads(body)) == (200, {"status": "up"})
    out = server.output
    assert '"GET /healthz HTTP/1.1" 200' in out
