"""What `manage.py check --deploy` adds to Django's own: when APP_SERVERS says the site runs on
several app servers, the settings that work on one server only (each process keeping its own
cache, uploads on one server's disk, jobs run inside the web processes). And, with DEBUG off,
what `migrate` refuses: an account that still signs in with `make run`'s password."""

from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.hashers import check_password
from django.core.checks import Error, Tags, Warning, register
from django.db import DatabaseError

from .security import DEVELOPMENT_ADMIN

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


@register(Tags.database)
def no_development_admin(app_configs, databases=None, **kwargs):
    """Run by `migrate` and `check --database default`: a database `make run` once loaded keeps
    its admin/admin account, which must not sign in to a production site."""
    if settings.DEBUG or not databases:
        return []
    username, password = DEVELOPMENT_ADMIN
    found = []
    for alias in databases:
        try:
            user = get_user_model()._default_manager.db_manager(alias).filter(username=username, is_active=True).first()
        except DatabaseError:  # no tables yet: a new database has no accounts
            continue
        # The hasher's own check, not user.check_password(): that would save an upgraded hash.
        if user and check_password(password, user.password):
            found.append(
                Error(
                    f"The account {username!r} signs in with the development password "
                    f"{password!r} (made by load_sample_content for `make run`), and DEBUG is off.",
                    hint=f"Give it a real password (`manage.py changepassword {username}`), or delete it.",
                    obj=alias,
                    id="newsroom.E001",
                )
            )
    return found
