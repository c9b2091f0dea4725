"""gunicorn settings; every value can be overridden on the command line or with GUNICORN_*."""

import multiprocessing
import os

from core.logformat import logging_config

bind = os.environ.get("GUNICORN_BIND", "127.0.0.1:8000")
# One sync worker per CPU (at least 2): signed-in pages are served from Redis without a database
# query, so a request is CPU work from start to end and a worker beyond the cores only
# time-slices with the others. In bench-web on 2 cores, 3 workers served no more than 2 and their
# contention doubled the p99 (2.1–2.7 × the median against 1.6–1.9 × with 2); 5 workers (the
# usual 2 × CPUs + 1, meant for workers that wait on I/O) showed spikes of 50–200 ms.
workers = int(os.environ.get("GUNICORN_WORKERS", max(2, multiprocessing.cpu_count())))
threads = int(os.environ.get("GUNICORN_THREADS", "1"))
timeout = int(os.environ.get("GUNICORN_TIMEOUT", "60"))
graceful_timeout = 30
max_requests = 2000
max_requests_jitter = 200
accesslog = "-"
errorlog = "-"
# gunicorn's own lines (start, workers, errors) and the access log in the format of every other
# process (core/logformat.py): key=value, the time in the site's zone, not the master's UTC.
logconfig_dict = logging_config(os.environ.get("LOG_LEVEL", "INFO").upper(), {
    "gunicorn.error": {"level": os.environ.get("LOG_LEVEL", "INFO").upper(), "handlers": ["stderr"],
                       "propagate": False},
    # GUNICORN_ACCESS_LOG=0 leaves the access lines out (bench-web: the releases it compares
    # with had none); production keeps them.
    "gunicorn.access": {"level": "INFO" if os.environ.get("GUNICORN_ACCESS_LOG", "1") != "0"
                        else "WARNING", "handlers": ["stderr"], "propagate": False},
})
access_log_format = (
    'method=%(m)s path="%(U)s" status=%(s)s bytes=%(B)s duration_ms=%(M)s '
    'forwarded_for="%({x-forwarded-for}i)s"'
)
# No control socket: its default path ($HOME/.gunicorn/gunicorn.ctl) is shared by every instance
# of the same user, and nothing here uses it (systemd signals the master).
control_socket_disable = True
forwarded_allow_ips = os.environ.get("FORWARDED_ALLOW_IPS", "127.0.0.1")
