from django.apps import AppConfig
from django.conf import settings


class NewsroomConfig(AppConfig):
    """The site as a deployment: health probes, the checks `check --deploy` adds, and the
    outbox of background jobs (jobs.py) with its admin."""

    name = "newsroom"
    verbose_name = "Newsroom deployment"

    def ready(self):
        from . import checks  # noqa: F401 - registers them

        if settings.JOBS_MODE == "thread":
            from .jobs import start_in_process_runner

            start_in_process_runner()
