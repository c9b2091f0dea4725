"""`make bench-scan`: the scan on a province-scale data set in PostgreSQL.

Creates the database BENCH_DATABASE_URL (default postgres://postgres@127.0.0.1:5432/gongjian_bench)
if missing, migrates it, generates the data (10,000 towns × 20 projects × 10 weekly reports:
200,000 projects, 2,000,000 reports) unless it is there already (--regenerate to force), then
prints: the full scan from a clean state (no flags), the rescan with nothing new as the hourly
beat runs it (the watermark leaves out the campaigns where nothing can have changed), the forced
re-evaluation of every project with nothing new, the number of queries of each, the lights the
scan found, the peak memory of this process (what a worker would hold), and the write floor: the
bare SQL of the full scan's two largest writes (its new flags, its health changes) over two
sessions, which no scan, however its rules are computed, can go below. The scans run with
DEBUG's query log off, as a worker does in production.

With --workers N the full scan and the forced re-evaluation are then repeated with the campaign
batches shared out over N processes (as the hourly beat task fans them out over Celery workers)
and the wall-clock time of that is printed, labelled as such.
"""

import argparse
import os
import resource
import sys
import time
from pathlib import Path
from urllib.parse import urlsplit

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
DEFAULT_URL = "postgres://postgres@127.0.0.1:5432/gongjian_bench"


def ensure_database(url: str) -> None:
    import psycopg2

    parts = urlsplit(url)
    name = parts.path.lstrip("/")
    admin = psycopg2.connect(host=parts.hostname, port=parts.port or 5432,
                             user=parts.username or "postgres", password=parts.password or None,
                             dbname="postgres")
    admin.autocommit = True
    with admin.cursor() as cur:
        cur.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name])
        if cur.fetchone() is None:
            cur.execute(f'CREATE DATABASE "{name}"')
    admin.close()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--towns", type=int, default=10_000)
    parser.add_argument("--projects-per-town", type=int, default=20)
    parser.add_argument("--weeks", type=int, default=10)
    parser.add_argument("--regenerate", action="store_true")
    parser.add_argument("--workers", type=int, default=0,
                        help="Also time the scans fanned out over this many processes.")
    args = parser.parse_args()

    url = os.environ.get("BENCH_DATABASE_URL", DEFAULT_URL)
    ensure_database(url)
    os.environ["DATABASE_URL"] = url
    os.environ.setdefault("DEBUG", "1")
    os.environ["LOG_LEVEL"] = "WARNING"
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    import django

    django.setup()
    import datetime

    from django.conf import settings
    from django.core.management import call_command
    from django.db import connection
    from django.utils import timezone

    from campaign.models import Campaign
    from projects.models import Project
    from supervision.scan import campaign_batches, scan_all

    call_command("migrate", verbosity=0)
    expected = args.towns * args.projects_per_town
    # The data describes the day it was made (milestones due "5 days ago"): remade on another day.
    start = timezone.localdate() - datetime.timedelta(days=7 * args.weeks + 1)
    if args.regenerate or Project.objects.filter(
            campaign__unit__parent__name="基准测试省").count() != expected or \
            Campaign.objects.filter(unit__parent__name="基准测试省").exclude(
                start_date=start).exists():
        call_command("generate_scale_data", towns=args.towns,
                     projects_per_town=args.projects_per_town, weeks=args.weeks)

    def clean_state():
        """No flags, notices or notifications, every project green (this database is the
        bench's own: emptied wholesale, not row by row)."""
        with connection.cursor() as cur:
            cur.execute("TRUNCATE supervision_notice_flags, supervision_noticeevent, "
                        "supervision_historicalnotice, supervision_notice, "
                        "supervision_noticecounter, supervision_delivery, "
                        "supervision_notification, supervision_flag, supervision_scanstate "
                        "CASCADE")
            cur.execute("UPDATE projects_project SET health = 'green' WHERE health <> 'green'")
            cur.execute("VACUUM ANALYZE projects_project")

    clean_state()
    settings.DEBUG = False  # a worker keeps no query log

    queries = {"n": 0, "seconds": 0.0}

    def count(execute, sql, params, many, context):
        """Counts the queries and the time spent waiting for PostgreSQL to execute them (the
        floor no change to the Python side can go below)."""
        queries["n"] += 1
        started = time.perf_counter()
        try:
            return execute(sql, params, many, context)
        finally:
            queries["seconds"] += time.perf_counter() - started

    now = timezone.now()
    figures = {}
    # The full scan evaluates every project; the rescan is the hourly beat's (changed_only: the
    # watermark leaves out every campaign where nothing can have changed); the forced
    # re-evaluation is the full scan again with nothing to write, for comparison.
    for label, changed_only, moment in (
            ("full scan", False, now),
            ("rescan, nothing new", True, now + datetime.timedelta(minutes=1)),
            ("forced re-evaluation", False, now + datetime.timedelta(minutes=2))):
        if label != "full scan":
            # What autovacuum does within a minute of the first scan's 176,000 new flags (the
            # hourly scan comes long after): without it the planner reads the flags by a plan
            # made for an empty table.
            with connection.cursor() as cur:
                cur.execute("ANALYZE")
        queries.update(n=0, seconds=0.0)
        with connection.execute_wrapper(count):
            started = time.perf_counter()
            result = scan_all(now=moment, changed_only=changed_only)
            elapsed = time.perf_counter() - started
        figures[label] = (elapsed, queries["n"], result, queries["seconds"])

    peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    lights = dict(Project.objects.filter(campaign__unit__parent__name="基准测试省")
                  .values_list("health").annotate(n=django.db.models.Count("pk")))
    print(f"data: {figures['full scan'][2].campaigns} campaigns, "
          f"{figures['full scan'][2].projects} projects, {os.cpu_count()} CPUs; lights after the "
          f"scan: " + ", ".join(f"{k} {v}" for k, v in sorted(lights.items())))
    for label, (elapsed, n, result, in_db) in figures.items():
        print(f"{label:<22} {elapsed:6.2f} s  (in PostgreSQL {in_db:5.2f} s)  {n:5d} queries  "
              f"{result.campaigns:5d} campaigns  opened {sum(result.opened.values())}, "
              f"updated {sum(result.updated.values())}, "
              f"resolved {sum(result.resolved.values())}, health changed {result.health_changed}, "
              f"notices {result.notices_drafted}")
    print(f"peak memory            {peak_mb:6.0f} MB (max RSS of this process)")
    write_floor(clean_state)

    if args.workers > 1:
        parallel(args.workers, campaign_batches(), now, clean_state)


def write_floor(clean_state) -> None:
    """The floor under the full scan: the bare SQL of its two largest writes — inserting the flags
    it opened and setting the health it changed, exactly those rows — from a clean state, shared
    over two sessions as two workers would share them, foreign keys checked at once, then rolled
    back. No Python, no reads, no notices: a scan that did nothing else would still take this."""
    import threading

    from django.db import connection, transaction

    with connection.cursor() as cur:
        cur.execute("DROP TABLE IF EXISTS bench_floor_flags, bench_floor_health")
        cur.execute("CREATE UNLOGGED TABLE bench_floor_flags AS SELECT project_id, kind, severity, "
                    "details FROM supervision_flag WHERE resolved_at IS NULL")
        cur.execute("CREATE UNLOGGED TABLE bench_floor_health AS SELECT id, health "
                    "FROM projects_project WHERE health <> 'green'")
        cur.execute("SELECT (SELECT count(*) FROM bench_floor_flags), "
                    "(SELECT count(*) FROM bench_floor_health)")
        flags, healths = cur.fetchone()
    clean_state()
    connection.close()
    start = threading.Barrier(3)
    seconds = {}

    def share(part: int) -> None:
        from django.db import connection

        try:
            with transaction.atomic(), connection.cursor() as cur:
                cur.execute("SET LOCAL jit = off")
                cur.execute("SET CONSTRAINTS ALL IMMEDIATE")
                start.wait()
                started = time.perf_counter()
                cur.execute("INSERT INTO supervision_flag (project_id, kind, severity, details, "
                            "opened_at, updated_at) SELECT project_id, kind, severity, details, "
                            "now(), now() FROM bench_floor_flags WHERE project_id %% 2 = %s",
                            [part])
                cur.execute("UPDATE projects_project p SET health = f.health "
                            "FROM bench_floor_health f WHERE p.id = f.id AND f.id %% 2 = %s",
                            [part])
                seconds[part] = time.perf_counter() - started
                transaction.set_rollback(True)
        finally:
            connection.close()

    threads = [threading.Thread(target=share, args=(part,)) for part in (0, 1)]
    for thread in threads:
        thread.start()
    start.wait()
    for thread in threads:
        thread.join()
    with connection.cursor() as cur:
        cur.execute("DROP TABLE bench_floor_flags, bench_floor_health")
    print(f"write floor            {max(seconds.values()):6.2f} s  wall clock: the bare SQL "
          f"inserting the full scan's {flags} flags and setting {healths} projects' health, "
          f"shared over 2 sessions (no Python, no reads, no notices)")


def _scan_share(batches, now_iso):
    import resource

    from django.db import connection
    from django.utils.dateparse import parse_datetime

    from supervision.scan import scan_campaigns

    connection.close()  # each process its own connection
    now = parse_datetime(now_iso)
    for batch in batches:
        scan_campaigns(batch, now=now)
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def parallel(workers, batches, now, clean_state) -> None:
    """The scans again, the batches shared out over `workers` processes (wall-clock time)."""
    import datetime
    import multiprocessing

    from django.db import connection

    clean_state()
    connection.close()
    shares = [batches[i::workers] for i in range(workers)]
    context = multiprocessing.get_context("fork")
    # Only the scans that evaluate every project: the watermark's rescan is one query.
    for label, moment in (("full scan", now), ("forced re-evaluation", now + datetime.timedelta(
            minutes=2))):
        with context.Pool(workers) as pool:
            started = time.perf_counter()
            peaks = pool.starmap(_scan_share, [(share, moment.isoformat()) for share in shares])
            elapsed = time.perf_counter() - started
        print(f"{label + f' ×{workers} procs':<22} {elapsed:6.2f} s  wall clock, "
              f"{len(batches)} batches over {workers} processes; peak "
              f"{max(peaks):.0f} MB per process")


if __name__ == "__main__":
    main()
