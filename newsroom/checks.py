"""What `manage.py check --deploy` adds to Django's own: when APP_SERVERS says the site runs on
several app servers, the settings that work on one server only (each process keeping its own
cache, uploads on one server's disk, jobs run inside the web processes)."""

from django.conf import settings
from django.core.checks import Tags, Warning, register

ONE_SERVER_CACHE = Warning(
    "The cache is each process's own (local memory): with several app servers, a change made on "
    "one clears the pages the others kept only through PAGE_CACHE_STAMP, on a disk they must share.",
    hint="Set REDIS_URL to a Redis every app server reaches.",
    id="newsroom.W001",
)
ONE_SERVER_MEDIA = Warning(
    "Uploaded images are stored on this server's disk (MEDIA_ROOT): with several app servers, an "
    "image uploaded through one is missing on the others.",
    hint="Set S3_BUCKET (object storage every app server reaches), or put MEDIA_ROOT on a shared disk.",
    id="newsroom.W002",
)

IN_PROCESS_JOBS = Warning(
    "Background jobs (renditions, purges) run in a thread of each web process: they slow the "
    "servers readers use, and stop whenever a web process is recycled.",
    hint="Set CELERY_BROKER_URL and run `celery -A newsroom worker` and one `celery -A newsroom beat`.",
    id="newsroom.W003",
)


@register(Tags.caches, deploy=True)
def one_server_settings(app_configs, **kwargs):
    found = []
    if settings.APP_SERVERS < 2:
        return found
    if settings.CACHES["default"]["BACKEND"].endswith("LocMemCache"):
        found.append(ONE_SERVER_CACHE)
    if settings.STORAGES["default"]["BACKEND"].endswith("FileSystemStorage"):
        found.append(ONE_SERVER_MEDIA)
    if settings.JOBS_MODE != "celery":
        found.append(IN_PROCESS_JOBS)
    return found
