"""`make bench-scan`: the scan on a province-scale data set in PostgreSQL, told as it happens.

Creates the database BENCH_DATABASE_URL (default postgres://postgres@127.0.0.1:5432/gongjian_bench,
with --quick …/gongjian_bench_quick) if missing, migrates it, generates the data (10,000 towns ×
20 projects × 10 weekly reports: 200,000 projects, 2,000,000 reports; --quick 500 towns) unless
it is there already (--regenerate to force), then runs this day of a province --runs times (3):

1. **the first scan** from a clean state (no flags, notices, notifications, scan states; every
   project green), now, a full evaluation fanned out over --workers processes (2), as the hourly
   beat fans it out over the workers when every project is due;
2. **the next day, nothing new**: the hourly scan (``scan_all(changed_only=True)``) at 07:00 local
   the next morning, as the beat runs it;
3. **the forced re-evaluation of every project, 1 process**, at the same moment (what a threshold
   change or the nightly safety net costs) — and the **differential**: how many flags, lights and
   notices it changed after the hourly scan (0, or the hourly scan left something undone); and
   the CPU time spent inside the rules themselves (``rules.assess``, ``rules.next_change``),
   which no evaluation of every project can go below (the read floor plus that over the
   processes is the floor printed beside the 2-process target);
4. **a day when 10 % of the projects cross a threshold**: one project in ten (green ones) gets a
   lower report at 07:30 — what ``projects.services.submit_report`` writes, in bulk, then what it
   does to mark the inputs changed: each report's ``post_save`` signal, and
   ``Project.review_now`` where the code has it (not timed) — then the hourly scan at 08:00; half
   are put 17 points behind plan (red), half 6 points (yellow);
5. **the forced re-evaluation, fanned out over 2 processes** (--workers) at 08:00, the campaigns
   shared out between them, with its differential as in 3;
6. **the rescan, nothing new**: the hourly scan at 09:00;

then puts the data back (the added reports and what they changed, by SQL) and empties the scan's
output again, and measures two floors on the same machine in the same minute: the **write floor**
(the bare SQL of the first scan's largest writes, its new flags and its health changes, shared over
2 sessions, rolled back) and the **read floor** (the inputs the rules read for every project —
projects, their 4 latest reports, their milestones — COPYed out in binary over 2 sessions).

Every scan runs in a process of its own forked from this one (as a Celery worker's child is), which
reports its time, its queries (and per batch, the batches being the calls to
``supervision.scan.scan_campaigns``), the time spent waiting on PostgreSQL and its peak RSS; DEBUG's
query log is off. Tasks the services enqueue go to an in-memory broker (nothing leaves the bench).

At the end: each figure's min / median / max over the runs, its ratio to the write floor of its
own run, and the targets (issue 18) with MET or MISSED, and where MISSED the floor beside it.
"""

from __future__ import annotations

import argparse
import contextlib
import datetime
import inspect
import multiprocessing
import os
import resource
import statistics
import sys
import threading
import time
import traceback
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
DEFAULT_URL = "postgres://postgres@127.0.0.1:5432/gongjian_bench"
PROVINCE = "基准测试省"
#: The text of the reports the bench adds (so it can take them back).
MARK = "bench-scan: 10 % crossing"

#: Issue 18's targets on a 2-core machine.
NEXT_DAY_SECONDS = 0.5
FORCED_2_SECONDS = 8.0
FIRST_SCAN_FLOORS = 4.0
MEMORY_MB = 300
#: Queries per batch count as flat when the largest is at most this much above the smallest.
FLAT_SPREAD = 1.5


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


def parse_args(argv=None):
    parser = argparse.ArgumentParser(description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--towns", type=int, default=None,
                        help="Campaigns (towns) in the data set: 10,000, or 500 with --quick.")
    parser.add_argument("--projects-per-town", type=int, default=20)
    parser.add_argument("--weeks", type=int, default=10)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--workers", type=int, default=2,
                        help="Processes the forced re-evaluation is fanned out over (default 2).")
    parser.add_argument("--quick", action="store_true",
                        help="500 towns (10,000 projects) in their own database, batches of 2,000 "
                             "projects: the whole matrix in a couple of minutes.")
    parser.add_argument("--batch-projects", type=int, default=None,
                        help="Projects per batch (the scan's own default unless given).")
    parser.add_argument("--regenerate", action="store_true")
    args = parser.parse_args(argv)
    if args.towns is None:
        args.towns = 500 if args.quick else 10_000
    if args.quick and args.batch_projects is None:
        args.batch_projects = max(20, args.towns * args.projects_per_town // 5)
    if args.runs < 1 or args.workers < 1:
        parser.error("--runs and --workers must be at least 1")
    return args


def main(argv=None) -> int:
    args = parse_args(argv)
    default = DEFAULT_URL + ("_quick" if args.quick else "")
    url = os.environ.get("BENCH_DATABASE_URL", default)
    ensure_database(url)
    os.environ["DATABASE_URL"] = url
    os.environ.setdefault("DEBUG", "1")
    os.environ["LOG_LEVEL"] = "WARNING"
    os.environ["DJANGO_SETTINGS_MODULE"] = "config.settings"
    # Any task the scan enqueues (a delivery) stays in this process: a real broker would hand it
    # to workers of another database.
    os.environ["CELERY_BROKER_URL"] = "memory://localhost/"
    os.environ["CELERY_TASK_ALWAYS_EAGER"] = "0"
    import django

    django.setup()
    from django.conf import settings
    from django.core.management import call_command

    call_command("migrate", verbosity=0)
    ensure_data(args, call_command)
    settings.DEBUG = False  # a worker keeps no query log
    # What a Celery worker's parent does before it forks its children (celery.fixups.django:
    # run_checks() when the task modules are imported): the system checks, which load the URLconf
    # and with it every view module. A child forked from a parent that had not would pay that
    # (0.26 s here) at the first link it makes, in the first batch that sends a message.
    from django.core.checks import run_checks

    run_checks()

    started = datetime.datetime.now(datetime.UTC)
    print(f"bench-scan {started:%Y-%m-%d %H:%M} UTC on {os.cpu_count()} CPUs, load average "
          f"{', '.join(f'{x:.1f}' for x in os.getloadavg())}; database "
          f"{urlunsplit(urlsplit(url)._replace(netloc=urlsplit(url).hostname or ''))}; "
          f"{args.runs} run(s)", flush=True)
    restore_data()
    clean_state()
    runs = []
    for number in range(1, args.runs + 1):
        runs.append(one_run(number, args))
    summary(runs, args)
    return 0 if all(r["differences"] == 0 for r in runs) else 1


def ensure_data(args, call_command) -> None:
    from django.utils import timezone

    from campaign.models import Campaign
    from projects.models import Project

    expected = args.towns * args.projects_per_town
    # The data describes the day it was made (milestones due "5 days ago"): remade on another day.
    start = timezone.localdate() - datetime.timedelta(days=7 * args.weeks + 1)
    if args.regenerate or Project.objects.filter(
            campaign__unit__parent__name=PROVINCE).count() != expected or \
            Campaign.objects.filter(unit__parent__name=PROVINCE).exclude(
                start_date=start).exists():
        call_command("generate_scale_data", towns=args.towns,
                     projects_per_town=args.projects_per_town, weeks=args.weeks)


# --- The state between runs ---------------------------------------------------------------------


#: What the scan writes (or the notices it drafts write), emptied between runs.
OUTPUT_TABLES = ("supervision_notice_flags", "supervision_noticeevent",
                 "supervision_historicalnotice", "supervision_notice", "supervision_noticecounter",
                 "supervision_delivery", "supervision_notification", "supervision_flag")


def clean_state() -> None:
    """No flags, notices or notifications, every project green (this database is
    the bench's own: emptied wholesale, not row by row)."""
    from django.db import connection

    with connection.cursor() as cur:
        # Those of the scan's output tables this schema has (the scan's own state may move).
        cur.execute("SELECT t FROM unnest(%s::text[]) AS t WHERE to_regclass(t) IS NOT NULL",
                    [list(OUTPUT_TABLES)])
        tables = [row[0] for row in cur.fetchall()]
        cur.execute(f"TRUNCATE {', '.join(tables)} CASCADE")
        cur.execute("UPDATE projects_project SET health = 'green' WHERE health <> 'green'")
        # A clean state is one no scan has seen: every project due for review (the raw SQL above
        # goes around the services that mark a project due; a stale moment would hide a project
        # from the hourly scan and show as "early" in the nightly re-evaluation).
        cur.execute("SELECT 1 FROM information_schema.columns WHERE table_name = 'projects_project' "
                    "AND column_name = 'review_at'")
        if cur.fetchone():
            cur.execute("UPDATE projects_project SET review_at = NULL WHERE review_at IS NOT NULL")
        cur.execute("VACUUM ANALYZE projects_project")


def restore_data() -> int:
    """Take back the reports the 10 % day added and what submit_report changed with them (the
    project's figures from its latest remaining report, the milestones a lower report un-met:
    the generator meets them on their due dates). Raw SQL: the next first scan evaluates all."""
    from django.db import connection

    with connection.cursor() as cur:
        cur.execute("SELECT DISTINCT project_id FROM projects_progressreport WHERE work_done = %s",
                    [MARK])
        touched = [row[0] for row in cur.fetchall()]
        if not touched:
            return 0
        cur.execute("DELETE FROM projects_progressreport WHERE work_done = %s", [MARK])
        cur.execute("""
            UPDATE projects_project p SET progress = r.percent, investment_done = r.investment,
                   last_reported_at = r.at
            FROM (SELECT DISTINCT ON (project_id) project_id, percent, investment_done AS investment,
                         reported_at AS at
                  FROM projects_progressreport WHERE project_id = ANY(%s)
                  ORDER BY project_id, reported_at DESC) r
            WHERE r.project_id = p.id""", [touched])
        cur.execute("UPDATE projects_milestone SET completed_on = due_date "
                    "WHERE project_id = ANY(%s) AND completed_on IS NULL", [touched])
        # What the added reports leave behind, as autovacuum would clear it: dead index entries
        # dated after the next run's first scan would be walked by every "report dated later"
        # probe (19 pages a project instead of 3).
        cur.execute("VACUUM ANALYZE projects_progressreport")
    return len(touched)


def cross_thresholds(moment) -> tuple[int, int, float]:
    """One project in ten — green ones, every 7th of them — reports lower at `moment`: half 55 %
    (red: 17 points behind plan), half 66 % (yellow: 6 behind; still at its second milestone).

    What projects.services.submit_report writes for such a report — the report, the project's
    progress and date of last report, the milestones a lower figure un-meets — in bulk, and then
    what marks a project's inputs changed: the signal each report's save sends (every hook the
    app has on a new report) and, where the code has it, Project.review_now, as submit_report
    calls it. (20,000 calls of submit_report take 10–25 min
    on this machine; what it does beyond these writes is checks, the project's history row and
    the per-report rescan task, which the hourly scan stands in for here.)
    Returns (reports, projects in the data set, seconds)."""
    from decimal import Decimal

    from django.db import router, transaction
    from django.db.models import F
    from django.db.models.functions import Mod
    from django.db.models.signals import post_save

    from projects.models import Milestone, ProgressReport, Project

    rows = list(Project.objects.filter(campaign__unit__parent__name=PROVINCE)
                .annotate(bucket=Mod(F("pk") * 37, 100), seventh=Mod(F("pk"), 7))
                .filter(bucket__lt=70, seventh=0)  # the generator's green bucket
                .order_by("pk").values_list("pk", "campaign_id", "leader_id",
                                            "investment_done"))
    total = Project.objects.filter(campaign__unit__parent__name=PROVINCE).count()
    red, yellow = Decimal("55.0"), Decimal("66.0")
    started = time.perf_counter()
    with transaction.atomic():
        projects = {pk: Project(pk=pk, campaign_id=campaign_id, investment_done=investment,
                                progress=red if pk % 14 == 0 else yellow,
                                last_reported_at=moment)
                    for pk, campaign_id, _, investment in rows}
        reports = ProgressReport.objects.bulk_create([
            ProgressReport(project=projects[pk], percent=projects[pk].progress,
                           investment_done=investment, work_done=MARK,
                           decrease_reason="基准测试：更正上周的数字", reported_by_id=leader_id,
                           reported_at=moment)
            for pk, _, leader_id, investment in rows], batch_size=5000)
        for percent in (red, yellow):
            ids = [pk for pk, p in projects.items() if p.progress == percent]
            Project.objects.filter(pk__in=ids).update(progress=percent, last_reported_at=moment)
            Milestone.objects.filter(project_id__in=ids, completed_on__isnull=False,
                                     planned_percent__gt=percent).update(completed_on=None)
        # The app's own "inputs changed" for these projects, whichever this code has: each
        # report's post_save (the scan's watermark hooks it, supervision.scanstate) and the
        # projects' review moment made due (Project.review_now, which submit_report calls).
        using = router.db_for_write(ProgressReport)
        for report in reports:
            post_save.send(sender=ProgressReport, instance=report, created=True,
                           update_fields=None, raw=False, using=using)
        review_now = getattr(Project, "review_now", None)
        if review_now is not None:
            review_now(list(projects))
    return len(rows), total, time.perf_counter() - started


# --- A scan in processes of its own -------------------------------------------------------------


def _summary(result) -> dict:
    """A ScanResult as plain numbers (it crosses a process boundary)."""
    def total(name):
        value = getattr(result, name, 0) or 0
        return sum(value.values()) if hasattr(value, "values") else int(value)

    return {name: total(name) for name in ("campaigns", "projects", "opened", "updated",
                                           "resolved", "health_changed", "notices_drafted")}


def _scan_in_child(moment, changed_only, campaign_ids, batch_projects, time_rules=False):
    """In a forked process: scan_all as the beat's worker would run it, counted; with time_rules,
    also the CPU time spent inside the rules themselves (rules.assess and rules.next_change)."""
    from django.db import connection

    import supervision.rules as rules
    import supervision.scan as scan

    rules_cpu = [0.0]

    def timed(rule):
        def call(*a, **kw):
            started = time.process_time()
            try:
                return rule(*a, **kw)
            finally:
                rules_cpu[0] += time.process_time() - started
        return call

    if time_rules:
        rules.assess, rules.next_change = timed(rules.assess), timed(rules.next_change)

    queries = {"n": 0, "seconds": 0.0}
    batches = []

    def count(execute, sql, params, many, context):
        queries["n"] += 1
        started = time.perf_counter()
        try:
            return execute(sql, params, many, context)
        finally:
            queries["seconds"] += time.perf_counter() - started

    # A batch is a call of scan_campaigns (one transaction): its queries and its projects.
    original = getattr(scan, "scan_campaigns", None)
    if original is not None:
        def counted(*a, **kw):
            before = queries["n"]
            result = original(*a, **kw)
            batches.append((queries["n"] - before, getattr(result, "projects", 0)))
            return result

        scan.scan_campaigns = counted
    kwargs = {"now": moment, "changed_only": changed_only}
    if campaign_ids is not None:
        kwargs["campaign_ids"] = campaign_ids
    if batch_projects and "batch_projects" in inspect.signature(scan.scan_all).parameters:
        kwargs["batch_projects"] = batch_projects
    yield  # connected: wait for the others
    with connection.execute_wrapper(count):
        started = time.perf_counter()
        result = scan.scan_all(**kwargs)
        elapsed = time.perf_counter() - started
    connection.close()
    yield {"seconds": elapsed, "queries": queries["n"], "in_db": queries["seconds"],
           "batches": batches, "result": _summary(result), "rules_cpu": rules_cpu[0],
           "rss_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024}


def _child(queue, barrier, index, args):
    from django.db import connection

    out = None
    try:
        steps = _scan_in_child(*args)
        try:
            connection.ensure_connection()
            next(steps)
        finally:
            barrier.wait(timeout=600)
        out = (index, True, next(steps))
    except BaseException:  # noqa: BLE001 — reported to the parent, which fails the bench
        out = (index, False, traceback.format_exc())
    finally:
        queue.put(out)


def scan(moment, changed_only: bool, *, processes: int = 1, batch_projects=None,
         time_rules: bool = False) -> dict:
    """scan_all at moment in `processes` forked processes (with more than one, the active
    campaigns shared out between them, as the beat's tasks share them out over workers). The
    clock starts once every process is connected and stops when the last one is done."""
    from django.db import connections

    from campaign.models import Campaign

    shares = [None]
    if processes > 1:
        ids = list(Campaign.objects.filter(status=Campaign.Status.ACTIVE).order_by("pk")
                   .values_list("pk", flat=True))
        shares = [ids[i::processes] for i in range(processes)]
    connections.close_all()  # each process its own connection
    context = multiprocessing.get_context("fork")
    barrier = context.Barrier(len(shares) + 1)
    queue = context.SimpleQueue()
    children = [context.Process(target=_child, args=(
        queue, barrier, i, (moment, changed_only, share, batch_projects, time_rules)))
        for i, share in enumerate(shares)]
    for child in children:
        child.start()
    barrier.wait(timeout=600)
    started = time.perf_counter()
    outs = [queue.get() for _ in children]
    wall = time.perf_counter() - started
    for child in children:
        child.join()
    failed = [text for _, ok, text in outs if not ok]
    if failed:
        raise RuntimeError("a scanning process failed:\n" + "\n".join(failed))
    parts = [figures for _, _, figures in sorted(outs, key=lambda o: o[0])]
    result = {k: sum(p["result"][k] for p in parts) for k in parts[0]["result"]}
    return {"seconds": wall, "queries": sum(p["queries"] for p in parts),
            "in_db": max(p["in_db"] for p in parts), "result": result,
            "batches": [b for p in parts for b in p["batches"]],
            "rss_mb": [p["rss_mb"] for p in parts],
            "rules_cpu": sum(p["rules_cpu"] for p in parts)}


def changes(figures: dict) -> int:
    r = figures["result"]
    return r["opened"] + r["updated"] + r["resolved"] + r["health_changed"] + r["notices_drafted"]


def describe(label: str, figures: dict) -> str:
    r = figures["result"]
    batches = figures["batches"]
    per_batch = (f"{min(q for q, _ in batches)}–{max(q for q, _ in batches)} a batch × "
                 f"{len(batches)}" if batches else "no batch")
    return (f"  {label:<44} {figures['seconds']:7.2f} s (in PostgreSQL {figures['in_db']:6.2f} s) "
            f"{figures['queries']:5d} queries ({per_batch}); {r['campaigns']} campaigns, "
            f"{r['projects']} projects assessed; opened {r['opened']}, updated {r['updated']}, "
            f"resolved {r['resolved']}, lights {r['health_changed']}, notices "
            f"{r['notices_drafted']}; peak {max(figures['rss_mb']):.0f} MB"
            + (f" ({' / '.join(f'{x:.0f}' for x in figures['rss_mb'])} MB)"
               if len(figures["rss_mb"]) > 1 else ""))


# --- One run ------------------------------------------------------------------------------------

SCENARIOS = (
    ("first", "first scan (clean state, {n} processes)"),
    ("next_day", "next day 07:00, nothing new (hourly scan)"),
    ("forced_1", "forced re-evaluation, 1 process (07:00)"),
    ("crossing", "10 % cross a threshold (hourly scan 08:00)"),
    ("forced_n", "forced re-evaluation, {n} processes (08:00)"),
    ("rescan", "rescan, nothing new (hourly scan 09:00)"),
)


def one_run(number: int, args) -> dict:
    from django.db import connection
    from django.utils import timezone

    from core.dates import local_zone

    zone = local_zone()
    t0 = timezone.now()
    next_day = timezone.localtime(t0, zone).date() + datetime.timedelta(days=1)
    t1 = datetime.datetime.combine(next_day, datetime.time(7), tzinfo=zone)
    label = {key: text.format(n=args.workers) for key, text in SCENARIOS}
    print(f"run {number}/{args.runs} (started {datetime.datetime.now(datetime.UTC):%H:%M:%S} "
          f"UTC; first scan at {timezone.localtime(t0, zone):%Y-%m-%d %H:%M} local, the next "
          f"day {next_day})", flush=True)
    run = {}
    bp = args.batch_projects

    def step(key, moment, changed_only, processes=1, time_rules=False):
        run[key] = scan(moment, changed_only, processes=processes, batch_projects=bp,
                        time_rules=time_rules)
        print(describe(label[key], run[key]), flush=True)

    # Fanned out as the hourly beat fans it out over the workers (every project is due).
    step("first", t0, False, processes=args.workers)
    with connection.cursor() as cur:
        if number == 1:
            capture_floor_rows(cur)
        # What autovacuum does within minutes of the first scan's new flags (the next morning
        # comes long after): without it the planner reads the flags by a plan for an empty table.
        cur.execute("ANALYZE")
    step("next_day", t1, True)
    # The rules' own CPU in it: no evaluation of every project can take less (the rules floor).
    step("forced_1", t1, False, time_rules=True)
    run["rules_cpu"] = run["forced_1"]["rules_cpu"]
    print(f"  (the rules themselves, rules.assess and rules.next_change: {run['rules_cpu']:.2f} s "
          f"of CPU in it)", flush=True)
    reports, total, seconds = cross_thresholds(t1 + datetime.timedelta(minutes=30))
    print(f"  (10 % day: {reports} of {total} projects ({100 * reports / max(total, 1):.1f} %) "
          f"reported lower at 07:30, written in bulk, inputs marked changed as submit_report marks them, in "
          f"{seconds:.1f} s, not timed)", flush=True)
    with connection.cursor() as cur:
        cur.execute("ANALYZE")
    step("crossing", t1 + datetime.timedelta(hours=1), True)
    step("forced_n", t1 + datetime.timedelta(hours=1), False, processes=args.workers)
    step("rescan", t1 + datetime.timedelta(hours=2), True)
    run["differences"] = changes(run["forced_1"]) + changes(run["forced_n"])
    for key, when in (("forced_1", "07:00 after the next-day scan"),
                      ("forced_n", "08:00 after the 10 % day's scan")):
        r = run[key]["result"]
        print(f"  differential: the forced re-evaluation at {when} changed {changes(run[key])} "
              f"(opened {r['opened']}, updated {r['updated']}, resolved {r['resolved']}, lights "
              f"{r['health_changed']}, notices {r['notices_drafted']}); must be 0", flush=True)
    run["crossed"] = reports
    restore_data()
    clean_state()
    run["write_floor"], flags, healths = write_floor()
    run["read_floor"], rows = read_floor(args.workers)
    print(f"  write floor {run['write_floor']:.2f} s: the bare SQL inserting the first scan's {flags} "
          f"flags and setting {healths} projects' health, 2 sessions, rolled back; read floor "
          f"{run['read_floor']:.2f} s: {rows} projects' inputs COPYed out in binary, "
          f"{args.workers} sessions", flush=True)
    return run


# --- The floors ---------------------------------------------------------------------------------


def capture_floor_rows(cur) -> None:
    """The rows the first scan wrote (deterministic: the same data, the same moment of day), kept
    for the write floor of every run (dropped when the data is regenerated: see ensure_data)."""
    cur.execute("DROP TABLE IF EXISTS bench_floor_flags, bench_floor_health")
    cur.execute("CREATE UNLOGGED TABLE bench_floor_flags AS SELECT project_id, kind, severity, "
                "details FROM supervision_flag WHERE resolved_at IS NULL")
    cur.execute("CREATE UNLOGGED TABLE bench_floor_health AS SELECT id, health "
                "FROM projects_project WHERE health <> 'green'")


def _in_sessions(sessions: int, work) -> float:
    """work(part, cursor) in `sessions` threads, each its own connection and transaction (rolled
    back), started together; the wall clock of the slowest."""
    from django.db import connection, transaction

    start = threading.Barrier(sessions + 1)
    seconds, errors = {}, []

    def share(part: int) -> None:
        from django.db import connection

        try:
            with transaction.atomic(), connection.cursor() as cur:
                cur.execute("SET LOCAL jit = off")
                cur.execute("SET CONSTRAINTS ALL IMMEDIATE")
                start.wait()
                started = time.perf_counter()
                work(part, cur)
                seconds[part] = time.perf_counter() - started
                transaction.set_rollback(True)
        except BaseException as exc:  # noqa: BLE001 — raised again below
            errors.append(exc)
            start.abort()
        finally:
            connection.close()

    threads = [threading.Thread(target=share, args=(part,)) for part in range(sessions)]
    for thread in threads:
        thread.start()
    with contextlib.suppress(threading.BrokenBarrierError):
        start.wait()
    for thread in threads:
        thread.join()
    if errors:
        raise errors[0]
    connection.close()
    return max(seconds.values())


def write_floor() -> tuple[float, int, int]:
    """The floor under the first scan: the bare SQL of its two largest writes — inserting the
    flags it opened and setting the health it changed, exactly those rows — from a clean state,
    shared over two sessions as two workers would share them, foreign keys checked at once, then
    rolled back. No Python, no reads, no notices: a scan that did nothing else would take this."""
    from django.db import connection

    with connection.cursor() as cur:
        cur.execute("SELECT (SELECT count(*) FROM bench_floor_flags), "
                    "(SELECT count(*) FROM bench_floor_health)")
        flags, healths = cur.fetchone()

    def work(part, cur):
        cur.execute("INSERT INTO supervision_flag (project_id, kind, severity, details, "
                    "opened_at, updated_at) SELECT project_id, kind, severity, details, "
                    "now(), now() FROM bench_floor_flags WHERE project_id %% 2 = %s", [part])
        cur.execute("UPDATE projects_project p SET health = f.health "
                    "FROM bench_floor_health f WHERE p.id = f.id AND f.id %% 2 = %s", [part])

    return _in_sessions(2, work), flags, healths


class _Discard:
    """A file that forgets what is written to it (COPY's rows reach the client and stop)."""

    def write(self, data):
        return len(data)


def read_floor(sessions: int) -> tuple[float, int]:
    """The floor under any evaluation of every project: what the rules read of each — the
    project, its 4 latest reports, its milestones — in one statement per session, COPYed out in
    binary (no Python objects made), the projects shared out over `sessions` sessions."""
    from django.db import connection

    with connection.cursor() as cur:
        cur.execute("SELECT count(*) FROM projects_project")
        rows = cur.fetchone()[0]

    def work(part, cur):
        cur.cursor.copy_expert(f"""
            COPY (SELECT p.id, p.campaign_id, p.leader_id, p.planned_start, p.planned_end,
                         p.status, p.pause_reason, p.pause_approved, p.resumed_on, p.health, p.code,
                         r.ats, r.pcts, m.dues, m.percents, m.done
                  FROM projects_project p
                  LEFT JOIN LATERAL (
                      SELECT array_agg(reported_at) AS ats, array_agg(percent) AS pcts
                      FROM (SELECT reported_at, percent FROM projects_progressreport
                            WHERE project_id = p.id ORDER BY reported_at DESC, id DESC LIMIT 4) x
                  ) r ON true
                  LEFT JOIN LATERAL (
                      SELECT array_agg(due_date) AS dues, array_agg(planned_percent) AS percents,
                             array_agg(completed_on) AS done
                      FROM projects_milestone WHERE project_id = p.id
                  ) m ON true
                  WHERE p.id % {int(sessions)} = {int(part)}) TO STDOUT (FORMAT binary)""",
                               _Discard())

    return _in_sessions(sessions, work), rows


# --- The summary --------------------------------------------------------------------------------


def _spread(values, unit="s", digits=2) -> str:
    values = list(values)
    return (f"{min(values):.{digits}f} / {statistics.median(values):.{digits}f} / "
            f"{max(values):.{digits}f} {unit}")


def _verdict(ok: bool) -> str:
    return "MET" if ok else "MISSED"


def summary(runs: list[dict], args) -> None:
    n = args.workers
    print(f"\nsummary over {len(runs)} run(s): min / median / max; ÷ write floor of the same run")
    rows = []
    for key, label in SCENARIOS:
        label = label.format(n=n)
        seconds = [r[key]["seconds"] for r in runs]
        ratios = [r[key]["seconds"] / r["write_floor"] for r in runs]
        target = ""
        median = statistics.median(seconds)
        if key == "first":
            median_ratio = statistics.median(ratios)
            target = (f"≤ {FIRST_SCAN_FLOORS:g}× the write floor: "
                      f"{_verdict(median_ratio <= FIRST_SCAN_FLOORS)}")
            if median_ratio > FIRST_SCAN_FLOORS:
                # A first scan also evaluates every project: under it lie the write floor, the
                # read floor and the rules' own CPU over the processes, all of the same run.
                whole = [r["write_floor"] + r["read_floor"] + r["rules_cpu"] / n for r in runs]
                times = [w / r["write_floor"] for w, r in zip(whole, runs, strict=True)]
                target += (f" (write floor {_spread(r['write_floor'] for r in runs)}; with the "
                           f"read floor and the rules' own CPU ÷ {n}, the floor of any first "
                           f"scan: {_spread(whole)}, {_spread(times, '×', 1)} the write floor)")
        elif key == "next_day":
            target = f"≤ {NEXT_DAY_SECONDS:g} s: {_verdict(median <= NEXT_DAY_SECONDS)}"
            if median > NEXT_DAY_SECONDS:
                assessed = statistics.median(r[key]["result"]["projects"] for r in runs)
                target += (f" (it assessed {assessed:.0f} projects; read floor of them all "
                           f"{_spread(r['read_floor'] for r in runs)})")
        elif key == "forced_n" and n == 2:
            target = f"≤ {FORCED_2_SECONDS:g} s: {_verdict(median <= FORCED_2_SECONDS)}"
            if median > FORCED_2_SECONDS:
                target += (f" (floor: read {_spread(r['read_floor'] for r in runs)} over 2 "
                           f"sessions, + the rules' own CPU ÷ 2: "
                           f"{_spread(r['read_floor'] + r['rules_cpu'] / 2 for r in runs)})")
        rows.append((label, _spread(seconds), _spread(ratios, "×", 1), target))
    rows.append(("write floor (2 sessions)", _spread(r["write_floor"] for r in runs), "1.0×", ""))
    rows.append((f"read floor ({n} sessions)", _spread(r["read_floor"] for r in runs),
                 _spread((r["read_floor"] / r["write_floor"] for r in runs), "×", 1), ""))
    rows.append(("the rules' own CPU (in the forced, 1 process)",
                 _spread(r["rules_cpu"] for r in runs), "", ""))
    width = max(len(r[0]) for r in rows)
    print(f"{'figure':<{width}}  {'min / median / max':>26}  {'÷ write floor':>20}  target")
    for label, spread, ratio, target in rows:
        print(f"{label:<{width}}  {spread:>26}  {ratio:>20}  {target}")

    peaks = [max(x for key, _ in SCENARIOS for x in r[key]["rss_mb"]) for r in runs]
    print(f"{'peak memory per scanning process':<{width}}  {_spread(peaks, 'MB', 0):>26}  "
          f"{'':>20}  ≤ {MEMORY_MB} MB: {_verdict(max(peaks) <= MEMORY_MB)}")

    # Flat: within each scenario, a batch of many projects asks as many queries as one of few.
    per_batch = {}
    for key, label in SCENARIOS:
        batches = [(q, p) for r in runs for q, p in r[key]["batches"] if p]
        if batches:
            per_batch[label.format(n=n)] = batches
    if per_batch:
        flat = all(max(q for q, _ in b) <= FLAT_SPREAD * min(q for q, _ in b)
                   for b in per_batch.values())
        print(f"{'queries per batch':<{width}}  {'(below)':>26}  {'':>20}  flat (in each scan the "
              f"largest ≤ {FLAT_SPREAD:g}× the smallest): {_verdict(flat)}")
        for label, b in per_batch.items():
            print(f"    {label}: {min(q for q, _ in b)} – {max(q for q, _ in b)} queries a batch, "
                  f"{len(b)} batch(es) of {min(p for _, p in b)} – {max(p for _, p in b)} projects")
    else:
        print("queries per batch: not measured (supervision.scan.scan_campaigns was not called)")
    differences = [r["differences"] for r in runs]
    print(f"{'differential (forced − hourly), changes':<{width}}  "
          f"{' / '.join(str(d) for d in differences):>26}  {'':>20}  must be 0: "
          f"{_verdict(not any(differences))}")
    print(f"10 % day: {runs[0]['crossed']} projects reported lower (bulk writes, inputs marked "
          f"changed as submit_report marks them); "
          f"finished {datetime.datetime.now(datetime.UTC):%Y-%m-%d %H:%M} UTC, load average "
          f"{', '.join(f'{x:.1f}' for x in os.getloadavg())}")


if __name__ == "__main__":
    sys.exit(main())
