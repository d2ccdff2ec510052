"""gunicorn's settings for Newsroom (read from the working directory: `gunicorn newsroom.wsgi`).

Every value can still be overridden on the command line; the environment sets the common ones.
"""

import multiprocessing
import os

bind = f"0.0.0.0:{os.environ.get('PORT', '8000')}"
# Sync workers: Django's own model. Two per core and one more, as gunicorn advises.
workers = int(os.environ.get("WEB_CONCURRENCY", multiprocessing.cpu_count() * 2 + 1))
# A request that takes this long is stuck: the worker is restarted rather than left hanging.
timeout = 30
graceful_timeout = 30
# Behind a load balancer that keeps connections open.
keepalive = 5
# Workers are recycled now and then (staggered), so a slow leak never grows for long.
max_requests = 2000
max_requests_jitter = 200
# The heartbeat file on memory, not a disk that may stall.
worker_tmp_dir = "/dev/shm" if os.path.isdir("/dev/shm") else None
# Access and error logs on standard output/error, for the process manager to collect.
accesslog = "-"
errorlog = "-"
access_log_format = '%(h)s "%(r)s" %(s)s %(B)s %(M)sms "%(a)s"'
# X-Forwarded-* from these addresses only (the load balancer or edge in front).
forwarded_allow_ips = os.environ.get("FORWARDED_ALLOW_IPS", "127.0.0.1")
