"""The outbox of background jobs: a row per job, written in the transaction of the change that
needs it (newsroom/jobs.py). The queue only carries job ids; this table is the record."""

from django.db import models
from django.db.models import Q
from django.utils import timezone


class JobQuerySet(models.QuerySet):
    def to_dispatch(self, now, *, horizon, lease):
        """Jobs a worker should be told of now: pending ones due before `now + horizon` that
        were never sent or were sent longer than a lease ago (a message the broker lost), and
        running ones whose worker held them past the lease (it died)."""
        pending = Q(state=Job.State.PENDING, run_at__lte=now + horizon) & (
            Q(dispatched_at__isnull=True) | Q(dispatched_at__lt=now - lease)
        )
        abandoned = Q(state=Job.State.RUNNING, locked_until__lt=now)
        return self.filter(pending | abandoned)

    def claimable(self, now):
        """What a worker may start now: due and pending, or abandoned by a worker that died."""
        return self.filter(
            Q(state=Job.State.PENDING, run_at__lte=now) | Q(state=Job.State.RUNNING, locked_until__lt=now)
        )


class Job(models.Model):
    class State(models.TextChoices):
        PENDING = "pending", "pending"
        RUNNING = "running", "running"
        DONE = "done", "done"
        FAILED = "failed", "failed"

    name = models.CharField(max_length=100, help_text="What runs: a name registered with newsroom.jobs.job.")
    args = models.JSONField(default=list, blank=True)
    key = models.CharField(
        max_length=200, blank=True, db_index=True, help_text="Jobs with one key waiting together run once."
    )
    state = models.CharField(max_length=10, choices=State.choices, default=State.PENDING)
    run_at = models.DateTimeField(default=timezone.now, help_text="Not before this time.")
    attempts = models.PositiveSmallIntegerField(default=0)
    error = models.TextField(blank=True, help_text="What went wrong on the last attempt.")
    dispatched_at = models.DateTimeField(null=True, blank=True, help_text="When the queue was last told of it.")
    locked_until = models.DateTimeField(null=True, blank=True, help_text="A running job's worker holds it until then.")
    created_at = models.DateTimeField(auto_now_add=True)
    finished_at = models.DateTimeField(null=True, blank=True)

    objects = JobQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at"]
        indexes = [models.Index(fields=["state", "run_at"], name="job_state_run_at")]

    def __str__(self):
        return f"{self.name}({', '.join(map(str, self.args))})"
