"""The Celery application: `celery -A newsroom worker` runs jobs, `celery -A newsroom beat`
runs the relay (newsroom/jobs.py). Its settings are Django's `CELERY_*` ones."""

import os

from celery import Celery

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "newsroom.settings")

app = Celery("newsroom")
app.config_from_object("django.conf:settings", namespace="CELERY")


@app.task(name="newsroom.run_job", acks_late=True, reject_on_worker_lost=True, ignore_result=True)
def run_job(job_id: int) -> None:
    from .jobs import run

    run(job_id)


@app.task(name="newsroom.relay_jobs", ignore_result=True)
def relay_jobs() -> None:
    from .jobs import relay

    relay()
