"""The benchmarks' gunicorn: two workers and no access log (its writes would be measured too)."""

workers = 2
loglevel = "warning"
accesslog = None
