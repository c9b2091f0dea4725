"""The scan's cost per project, phase by phase (a profiling aid, not a test).

    BENCH_DATABASE_URL=postgres://…/a_copy_of_the_bench_data python bench/scan_phases.py \
        [--campaigns 1000] [--repeat 3] [--first 1] [--queries] [--profile]

The database must be a copy of the bench's data of the profiler's own: the scan's output is
emptied first. On its first --campaigns campaigns: the first scan at now (rolled back, --first
times), then once for real, then the forced re-evaluation of the same campaigns the next morning
at 07:00 with nothing to write, --repeat times. Each scan is timed by phase (wall clock): the SQL
(time waiting on PostgreSQL; --queries: each statement's), read_inputs, decide() and in it
rules.assess and rules.next_change, apply() and its writes, in µs per project, with the CPU time
of this process. --profile adds a cProfile of one forced re-evaluation.
"""

from __future__ import annotations

import argparse
import cProfile
import datetime
import os
import pstats
import statistics
import sys
import time
from collections import defaultdict
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))


class Timers:
    def __init__(self):
        self.wall = defaultdict(float)
        self.calls = defaultdict(int)
        self.depth = defaultdict(int)
        self.queries = None

    def wrap(self, owner, name, label=None):
        label = label or name
        original = getattr(owner, name)
        timers = self

        def timed(*args, **kwargs):
            if timers.depth[label]:
                return original(*args, **kwargs)
            timers.depth[label] += 1
            started = time.perf_counter()
            try:
                return original(*args, **kwargs)
            finally:
                timers.wall[label] += time.perf_counter() - started
                timers.calls[label] += 1
                timers.depth[label] -= 1

        setattr(owner, name, timed)

    def sql(self, execute, sql, params, many, context):
        started = time.perf_counter()
        try:
            return execute(sql, params, many, context)
        finally:
            spent = time.perf_counter() - started
            self.wall["SQL (waiting on PostgreSQL)"] += spent
            self.calls["SQL (waiting on PostgreSQL)"] += 1
            if self.queries is not None:
                key = " ".join(sql.split())[:70]
                self.queries[key] += spent

    def reset(self):
        self.wall.clear()
        self.calls.clear()


def main(argv=None) -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--campaigns", type=int, default=1000)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--profile", action="store_true")
    parser.add_argument("--profile-first", action="store_true",
                        help="a cProfile of one first scan (rolled back) instead")
    parser.add_argument("--nogc", action="store_true", help="the collector off (a trial)")
    parser.add_argument("--queries", action="store_true", help="each query's time")
    parser.add_argument("--first", type=int, default=1, help="first scans (rolled back) to time")
    args = parser.parse_args(argv)
    os.environ["DATABASE_URL"] = os.environ["BENCH_DATABASE_URL"]
    os.environ.setdefault("DEBUG", "1")
    os.environ["LOG_LEVEL"] = "WARNING"
    os.environ["DJANGO_SETTINGS_MODULE"] = "config.settings"
    os.environ["CELERY_BROKER_URL"] = "memory://localhost/"
    import django

    django.setup()
    from django.conf import settings
    from django.core.checks import run_checks
    from django.db import connection, transaction
    from django.utils import timezone

    from campaign.models import Campaign
    from core.dates import local_zone
    from supervision import rules, scan

    settings.DEBUG = False
    if args.nogc:
        import gc

        gc.disable()
    timers = Timers()
    for owner, name in ((scan, "read_inputs"), (scan, "_projects_with_reports"),
                        (scan, "decide"), (rules, "assess"), (rules, "next_change"),
                        (scan, "apply"), (scan, "_insert_flags"), (scan, "update_rows"),
                        (scan, "draft_notices_from_scan"), (scan, "_notify_leaders")):
        timers.wrap(owner, name)

    ids = list(Campaign.objects.filter(status=Campaign.Status.ACTIVE)
               .order_by("pk").values_list("pk", flat=True)[:args.campaigns])
    zone = local_zone()
    t0 = timezone.now()
    t1 = datetime.datetime.combine(timezone.localtime(t0, zone).date()
                                   + datetime.timedelta(days=1), datetime.time(7), tzinfo=zone)
    from bench.scan_bench import clean_state

    clean_state()  # this copy of the data is the profiler's own
    run_checks()  # as a Celery worker does at start (scan_bench.py): the URLconf loaded

    def run(label, moment, times, rollback):
        figures = []
        for _ in range(times):
            timers.reset()
            timers.queries = defaultdict(float) if args.queries else None
            cpu, wall = time.process_time(), time.perf_counter()
            with connection.execute_wrapper(timers.sql):
                if rollback:
                    with transaction.atomic():
                        result = scan.scan_all(now=moment, campaign_ids=ids)
                        transaction.set_rollback(True)
                else:
                    result = scan.scan_all(now=moment, campaign_ids=ids)
            wall, cpu = time.perf_counter() - wall, time.process_time() - cpu
            n = max(result.projects, 1)
            figures.append(wall / n * 1e6)
            print(f"{label}: {result.projects} projects, {wall:.2f} s wall ({wall / n * 1e6:.0f} "
                  f"µs/project), {cpu:.2f} s CPU; opened {sum(result.opened.values())}, "
                  f"health {result.health_changed}, notices {result.notices_drafted}", flush=True)
            for name in sorted(timers.wall, key=timers.wall.get, reverse=True):
                print(f"    {name:32s} {timers.wall[name] / n * 1e6:8.1f} µs/project "
                      f"({timers.calls[name]} calls)")
            for sql, spent in sorted((timers.queries or {}).items(), key=lambda i: -i[1])[:12]:
                print(f"      {spent / n * 1e6:8.1f} µs/project  {sql}")
        return figures

    if args.profile_first:
        profile = cProfile.Profile()
        with transaction.atomic():
            profile.enable()
            scan.scan_all(now=t0, campaign_ids=ids)
            profile.disable()
            transaction.set_rollback(True)
        stats = pstats.Stats(profile)
        stats.sort_stats("tottime").print_stats(40)
        stats.sort_stats("cumulative").print_stats(60)
        stats.print_callees("draft_notices_from_scan|notify_many|apply")
        return 0
    first = run("first scan (rolled back)", t0, args.first, True)
    run("first scan (kept)", t0, 1, False)
    with connection.cursor() as cur:
        cur.execute("ANALYZE")
    forced = run("forced re-evaluation", t1, args.repeat, False)
    first = first or [0]
    print(f"µs per project, min/median/max: first {min(first):.0f}/{statistics.median(first):.0f}/"
          f"{max(first):.0f}; forced {min(forced):.0f}/{statistics.median(forced):.0f}/"
          f"{max(forced):.0f}")
    if args.profile:
        profile = cProfile.Profile()
        profile.enable()
        scan.scan_all(now=t1, campaign_ids=ids)
        profile.disable()
        stats = pstats.Stats(profile)
        stats.sort_stats("tottime").print_stats(35)
        stats.sort_stats("cumulative").print_stats(40)
    return 0


if __name__ == "__main__":
    sys.exit(main())
