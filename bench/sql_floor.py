"""The SQL floor of a page without the cache (bench-web prints it; not a test).

Signs in as bench-web's user in process (Django's test client, the page cache off), records the
statements the dashboard and the project page send to PostgreSQL, then replays exactly those
statements with bare psycopg2 — no Django, no Python objects made of the rows — in two sessions
at once for SECONDS, as the two gunicorn workers would (the statements the page has prepared on the
server, core.prepared, prepared in each session first). The pages a second this gives is the most
the page could serve on this machine if the rest of its cost were nothing: a share of the
trivial view below its target means the target cannot be shown by that page's reads as they are.

Prints one JSON object: {"dashboard": {"statements": n, "pages_per_s": x}, "project page": …}.
Run by bench/web.py with its database and settings (DATABASE_URL, REDIS_URL empty).
"""

import json
import multiprocessing
import os
import sys
import time

SECONDS = float(os.environ.get("BENCH_SQL_FLOOR_SECONDS", "5"))
USER = sys.argv[1] if len(sys.argv) > 1 else "cadre1"
PROJECT = sys.argv[2] if len(sys.argv) > 2 else None  # bench-web's project, else the user's first


def _replay(dsn: dict, prepares: list, statements: list, seconds: float, out) -> None:
    import psycopg2

    connection = psycopg2.connect(**dsn)
    connection.autocommit = True
    cursor = connection.cursor()
    for prepare in prepares:
        cursor.execute(prepare)
    pages, end = 0, time.monotonic() + seconds
    while time.monotonic() < end:
        for sql, params in statements:
            cursor.execute(sql, params)
            cursor.fetchall()
        pages += 1
    out.put(pages)


def main() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    import django

    django.setup()
    from django.contrib.auth import get_user_model
    from django.db import connection
    from django.test import Client

    from projects.models import Project

    client = Client()
    client.force_login(get_user_model().objects.get(username=USER))
    pk = PROJECT or Project.objects.filter(assignments__user__username=USER).order_by("pk")[0].pk
    pages = {"dashboard": "/dashboard/", "project page": f"/projects/{pk}/"}
    recorded = {}
    for name, url in pages.items():
        client.get(url)  # the statements built once (core.prepared) are built
        statements = []

        def record(execute, sql, params, many, context, statements=statements):
            # a statement prepared with this visit: its EXECUTE (replayed after the PREPAREs)
            if sql.startswith("PREPARE gj_"):
                sql = "EXECUTE gj_" + sql.split("; EXECUTE gj_")[-1]
            statements.append((sql, params))
            return execute(sql, params, many, context)

        with connection.execute_wrapper(record):
            response = client.get(url)
        if response.status_code != 200:
            sys.exit(f"sql_floor: {url} answered {response.status_code}")
        recorded[name] = statements
    params = connection.get_connection_params()
    dsn = {k: params[k] for k in ("dbname", "user", "host", "port", "password") if params.get(k)}
    prepares = []
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:  # the first visits prepared them in this session
            cursor.execute("SELECT statement FROM pg_prepared_statements")
            # each as it was sent: "PREPARE … AS …; EXECUTE …" (the EXECUTE left out)
            prepares = [row[0].split("; EXECUTE gj_")[0] for row in cursor.fetchall()]
    connection.close()
    figures = {}
    for name, statements in recorded.items():
        out = multiprocessing.Queue()
        workers = [multiprocessing.Process(target=_replay, args=(dsn, prepares, statements, SECONDS, out))
                   for _ in range(2)]
        for worker in workers:
            worker.start()
        for worker in workers:
            worker.join()
        figures[name] = {"statements": len(statements),
                         "pages_per_s": (out.get() + out.get()) / SECONDS}
    print(json.dumps(figures))


if __name__ == "__main__":
    main()
