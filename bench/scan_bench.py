"""`make bench-scan`: the scan on a province-scale data set in PostgreSQL.

Creates the database BENCH_DATABASE_URL (default postgres://postgres@127.0.0.1:5432/gongjian_bench)
if missing, migrates it, generates the data (10,000 towns × 20 projects × 10 weekly reports:
200,000 projects, 2,000,000 reports) unless it is there already (--regenerate to force), then
prints: the full scan from a clean state (no flags), the rescan with nothing new, the number of
queries of each, and the peak memory of this process (what a worker would hold).
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
    args = parser.parse_args()

    url = os.environ.get("BENCH_DATABASE_URL", DEFAULT_URL)
    ensure_database(url)
    os.environ["DATABASE_URL"] = url
    os.environ.setdefault("DEBUG", "1")
    os.environ["LOG_LEVEL"] = "WARNING"
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "campaign.settings")
    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connection
    from django.utils import timezone

    from projects.models import Project
    from supervision.models import Flag, Notice, NoticeEvent, Notification
    from supervision.scan import scan_all

    call_command("migrate", verbosity=0)
    expected = args.towns * args.projects_per_town
    if args.regenerate or Project.objects.filter(
            campaign__unit__parent__name="基准测试省").count() != expected:
        call_command("generate_scale_data", towns=args.towns,
                     projects_per_town=args.projects_per_town, weeks=args.weeks)

    # A clean state: no flags, notices or notifications, every project green.
    Notice.flags.through.objects.all().delete()
    NoticeEvent.objects.all().delete()
    Notice.objects.all().delete()
    Notification.objects.all().delete()
    Flag.objects.all().delete()
    Project.objects.update(health="green")

    queries = {"n": 0}

    def count(execute, sql, params, many, context):
        queries["n"] += 1
        return execute(sql, params, many, context)

    now = timezone.now()
    figures = {}
    for label in ("full scan", "rescan, nothing new"):
        queries["n"] = 0
        with connection.execute_wrapper(count):
            started = time.perf_counter()
            result = scan_all(now=now)
            elapsed = time.perf_counter() - started
        figures[label] = (elapsed, queries["n"], result)

    peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"data: {figures['full scan'][2].campaigns} campaigns, "
          f"{figures['full scan'][2].projects} projects, {os.cpu_count()} CPUs")
    for label, (elapsed, n, result) in figures.items():
        print(f"{label:<22} {elapsed:6.2f} s  {n:5d} queries  "
              f"opened {sum(result.opened.values())}, updated {sum(result.updated.values())}, "
              f"resolved {sum(result.resolved.values())}, health changed {result.health_changed}, "
              f"notices {result.notices_drafted}")
    print(f"peak memory            {peak_mb:6.0f} MB (max RSS of this process)")


if __name__ == "__main__":
    main()
