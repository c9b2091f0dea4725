"""gunicorn settings; every value can be overridden on the command line or with GUNICORN_*."""

import multiprocessing
import os

bind = os.environ.get("GUNICORN_BIND", "127.0.0.1:8000")
# CPUs + 1 sync workers: on a 2-core host 5 workers (the usual 2 × CPUs + 1) served no more than 3
# and their contention showed as p99 spikes of 50–200 ms in bench-web.
workers = int(os.environ.get("GUNICORN_WORKERS", multiprocessing.cpu_count() + 1))
threads = int(os.environ.get("GUNICORN_THREADS", "1"))
timeout = int(os.environ.get("GUNICORN_TIMEOUT", "60"))
graceful_timeout = 30
max_requests = 2000
max_requests_jitter = 200
accesslog = "-"
errorlog = "-"
access_log_format = (
    'time=%(t)s level=INFO logger=gunicorn.access method=%(m)s path="%(U)s" '
    "status=%(s)s bytes=%(B)s duration_ms=%(M)s"
)
forwarded_allow_ips = os.environ.get("FORWARDED_ALLOW_IPS", "127.0.0.1")
