"""/healthz: is this instance able to serve? The database and the broker must both answer."""

import logging
import time

from celery import current_app as celery_app
from django.db import connection
from django.http import HttpResponse, JsonResponse
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

log = logging.getLogger("gongjian.health")

#: Seconds each check may take before it counts as failed.
CHECK_TIMEOUT = 2


def check_database() -> None:
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")
        cursor.fetchone()


def check_broker() -> None:
    # Its own socket timeouts: a broker that accepts and never answers fails in CHECK_TIMEOUT.
    # (The database's is libpq's connect_timeout, settings.DATABASE_CONNECT_TIMEOUT.)
    timeouts = {"socket_connect_timeout": CHECK_TIMEOUT, "socket_timeout": CHECK_TIMEOUT}
    with celery_app.connection_for_write(transport_options=timeouts) as conn:
        conn.ensure_connection(max_retries=1, interval_start=0, interval_step=0,
                               timeout=CHECK_TIMEOUT)


CHECKS = {"database": check_database, "broker": check_broker}


@never_cache
@require_GET
def healthz(request):
    """200 with every check "ok", or 503 naming what failed (no secrets, just the error class)."""
    results, healthy = {}, True
    for name, check in CHECKS.items():
        started = time.monotonic()
        try:
            check()
            results[name] = {"status": "ok"}
        except Exception as exc:  # any failure of a dependency is the answer, not a crash
            healthy = False
            results[name] = {"status": "error", "error": type(exc).__name__}
            log.warning("healthz check=%s failed error=%s detail=%s", name, type(exc).__name__, exc)
        results[name]["ms"] = round((time.monotonic() - started) * 1000, 1)
    return JsonResponse({"status": "ok" if healthy else "error", "checks": results},
                        status=200 if healthy else 503)


@require_GET
def robots_txt(request):
    """A government intranet tool: no crawler should index any of it. Also the benchmark's
    trivial view (no database, no session)."""
    return HttpResponse("User-agent: *\nDisallow: /\n", content_type="text/plain")
