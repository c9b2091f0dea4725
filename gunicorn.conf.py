"""gunicorn settings; every value can be overridden on the command line or with GUNICORN_*."""

import multiprocessing
import os
import sys

from django.core.exceptions import ImproperlyConfigured

from config.env import LOG_LEVELS, envbool, envchoice, envint
from core.logformat import logging_config

try:
    # Read as the settings read theirs (config/env.py): a bad value stops gunicorn here with one
    # line naming the variable, not a traceback, and never a master with no worker.
    _WORKERS = envint("GUNICORN_WORKERS", max(2, multiprocessing.cpu_count()), minimum=1)
    _THREADS = envint("GUNICORN_THREADS", 1, minimum=1)
    _TIMEOUT = envint("GUNICORN_TIMEOUT", 60, minimum=1)
    _PRELOAD = envbool("GUNICORN_PRELOAD", True)
    _ACCESS_LOG = envbool("GUNICORN_ACCESS_LOG", True)
    _LOG_LEVEL = envchoice("LOG_LEVEL", "INFO", LOG_LEVELS)
except ImproperlyConfigured as exc:
    sys.exit(f"gunicorn.conf.py: {exc}")

bind = os.environ.get("GUNICORN_BIND", "127.0.0.1:8000")
# One sync worker per CPU (at least 2): signed-in pages are served from Redis without a database
# query, so a request is CPU work from start to end and a worker beyond the cores only
# time-slices with the others. In bench-web on 2 cores, 3 workers served no more than 2 and their
# contention doubled the p99 (2.1–2.7 × the median against 1.6–1.9 × with 2); 5 workers (the
# usual 2 × CPUs + 1, meant for workers that wait on I/O) showed spikes of 50–200 ms.
workers = _WORKERS
threads = _THREADS
timeout = _TIMEOUT
graceful_timeout = 30
max_requests = 2000
max_requests_jitter = 200
# The application is loaded once, in the master, and each worker forked from it: a worker that
# max_requests replaces serves at once, where it imported Django and the views again and built
# the URLconf at its first request (0.4 + 0.3 s of CPU here, taken from the other worker at a
# busy hour: a worker of a busy 2-core server is replaced every few seconds). The workers share
# the loaded code's memory. when_ready warms the rest. (bench-web turns max_requests off.)
# GUNICORN_PRELOAD=0 (or no/false/off) loads it in each worker instead (code reloaded by SIGHUP;
# deploy/ restarts).
preload_app = _PRELOAD
accesslog = "-"
errorlog = "-"
# gunicorn's own lines (start, workers, errors) and the access log in the format of every other
# process (core/logformat.py): key=value, the time in the site's zone, not the master's UTC.
logconfig_dict = logging_config(_LOG_LEVEL, {
    "gunicorn.error": {"level": _LOG_LEVEL, "handlers": ["stderr"], "propagate": False},
    # GUNICORN_ACCESS_LOG=0 (or no/false/off) leaves the access lines out (bench-web: the releases it compares
    # with had none); production keeps them.
    "gunicorn.access": {"level": "INFO" if _ACCESS_LOG else "WARNING", "handlers": ["stderr"],
                        "propagate": False},
})
access_log_format = (
    'method=%(m)s path="%(U)s" status=%(s)s bytes=%(B)s duration_ms=%(M)s '
    'forwarded_for="%({x-forwarded-for}i)s"'
)
# No control socket: its default path ($HOME/.gunicorn/gunicorn.ctl) is shared by every instance
# of the same user, and nothing here uses it (systemd signals the master).
control_socket_disable = True
forwarded_allow_ips = os.environ.get("FORWARDED_ALLOW_IPS", "127.0.0.1")


def when_ready(server):
    """In the master, after the application is loaded and before the first worker is forked:
    what a worker would otherwise build at its first requests — the URLconf with every view
    module, and the project's templates compiled (the cached loader keeps them) — and then the
    garbage collector told to leave all of it alone (gc.freeze: the workers' collections skip
    these objects, and their memory pages stay shared). Nothing here opens a connection; any
    that did is closed, so no worker inherits a socket."""
    import gc  # noqa: PLC0415 - gunicorn's hooks run in the master, after the app is loaded
    from pathlib import Path  # noqa: PLC0415

    from django.apps import apps  # noqa: PLC0415

    # GUNICORN_PRELOAD=0, or another application than Django (bench-web's bare control):
    # nothing of Django's is loaded in the master.
    if not server.cfg.preload_app or not apps.ready:
        return
    from django.conf import settings  # noqa: PLC0415
    from django.db import connections  # noqa: PLC0415
    from django.template import TemplateSyntaxError  # noqa: PLC0415
    from django.template.loader import get_template  # noqa: PLC0415
    from django.urls import get_resolver  # noqa: PLC0415

    get_resolver().url_patterns  # noqa: B018 - loads the URLconf and the views
    warmed, broken = 0, []
    for folder in (Path(d) for t in settings.TEMPLATES for d in t.get("DIRS", ())):
        for template in sorted(folder.rglob("*.html")):
            name = template.relative_to(folder).as_posix()
            try:
                get_template(name)
                warmed += 1
            except TemplateSyntaxError:  # that page fails as it would have; the others serve
                broken.append(name)
    connections.close_all()
    gc.freeze()
    server.log.info("preloaded: the URLconf and %s templates warmed in the master", warmed)
    if broken:
        server.log.error("templates that do not compile: %s", ", ".join(broken))
