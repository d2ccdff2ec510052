"""`/healthz` and `/readyz`, for load balancers and orchestrators.

Answered before any other middleware: a probe comes by IP (no allowed host), over plain HTTP
(no TLS redirect), many times a second, and must never be cached or touch a session.

- `/healthz`: the process is up and serving. No database, no cache.
- `/readyz`: this server can serve the site: the database answers and every migration this code
  knows is applied (503 otherwise, so a server deployed ahead of its migrations takes no
  traffic). The shared cache and the job broker are reported too, but neither leaves the
  server unready when it does not answer: pages are then built afresh (`articles.freshness`),
  slower but right, and jobs wait in the database until the broker is back (newsroom/jobs.py).
"""

from functools import lru_cache

from django.db import DEFAULT_DB_ALIAS, connections
from django.db.migrations.loader import MigrationLoader
from django.db.migrations.recorder import MigrationRecorder
from django.http import JsonResponse
from django.utils.cache import add_never_cache_headers

from articles import freshness

from . import jobs


@lru_cache(maxsize=1)
def _latest_migrations() -> frozenset:
    """The last migration of each app, as this code has them (read from disk once)."""
    return frozenset(MigrationLoader(None, ignore_no_migrations=True).graph.leaf_nodes())


def database_state() -> str:
    connection = connections[DEFAULT_DB_ALIAS]
    try:
        applied = MigrationRecorder(connection).applied_migrations()  # one query
    except Exception as error:  # noqa: BLE001 - a probe reports, it does not raise
        return f"unreachable: {type(error).__name__}"
    missing = sorted(f"{app}.{name}" for app, name in _latest_migrations() - set(applied))
    return f"migrations not applied: {', '.join(missing)}" if missing else "ok"


def readiness() -> tuple[bool, dict]:
    parts = {
        "database": database_state(),
        "cache": "ok" if freshness.cache_answers() else "unreachable",
        "queue": jobs.broker_state(),
    }
    return parts["database"] == "ok", parts


def _answer(status: int, body: dict) -> JsonResponse:
    response = JsonResponse(body, status=status)
    add_never_cache_headers(response)
    return response


class HealthCheckMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if request.path == "/healthz":
            return _answer(200, {"status": "up"})
        if request.path == "/readyz":
            ready, parts = readiness()
            degraded = any(state not in ("ok", "in-process") for state in parts.values())
            status = "degraded" if ready and degraded else ("ready" if ready else "not ready")
            return _answer(200 if ready else 503, {"status": status, **parts})
        return self.get_response(request)
