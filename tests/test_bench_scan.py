"""`make bench-scan`'s harness works: bench/scan_bench.py --quick on 20 towns (400 projects), one
run, against the test database (migrated already: a fresh one would double the time). Every
scenario and the summary are printed; what it says it did is recounted in that database
afterwards: one project in ten (the generator's green bucket, every 7th) reported lower, each of
them changed its light in the 10 % day's scan, the write floor rewrote exactly the flags the first
scan opened, the forced re-evaluations changed nothing after the hourly scans, and the data and
the scan's output were put back as they were made.

Takes about 15 s on the 2-core development machine, under load: it runs in CI with the rest of
the suite (it would be marked out of CI above 60 s).
"""

import os
import re
import subprocess
import sys
from pathlib import Path

import psycopg2
import pytest
from django.db import connection

ROOT = Path(__file__).resolve().parents[1]


def _url(settings_dict, name):
    host = settings_dict.get("HOST") or "127.0.0.1"
    port = settings_dict.get("PORT") or 5432
    user = settings_dict.get("USER") or "postgres"
    password = settings_dict.get("PASSWORD") or ""
    auth = f"{user}:{password}@" if password else f"{user}@"
    return f"postgresql://{auth}{host}:{port}/{name}"


@pytest.fixture
def bench_database(postgres, transactional_db):
    """The test database, migrated and empty, its writes visible to the bench's processes (the
    bench fills it and empties its scan output; pytest-django empties the rest after)."""
    yield _url(connection.settings_dict, connection.settings_dict["NAME"])
    with connection.cursor() as cursor:
        cursor.execute("DROP TABLE IF EXISTS bench_floor_flags, bench_floor_health")


def _figure(pattern: str, text: str) -> re.Match:
    found = re.search(pattern, text, re.MULTILINE)
    assert found, f"{pattern!r} not in the bench's output:\n{text}"
    return found


def test_the_quick_bench_runs_every_scenario_and_says_what_it_did(bench_database):
    env = {k: v for k, v in os.environ.items()
           if k not in {"DJANGO_SETTINGS_MODULE", "DATABASE_URL", "REDIS_URL"}}
    env["BENCH_DATABASE_URL"] = bench_database
    done = subprocess.run(  # noqa: S603 — our own script, no shell
        [sys.executable, "bench/scan_bench.py", "--quick", "--towns", "20", "--runs", "1"],
        cwd=ROOT, env=env, capture_output=True, text=True, timeout=300)
    out = done.stdout
    assert done.returncode == 0, out + done.stderr

    for label in ("first scan (clean state, 2 processes)",
                  "next day 07:00, nothing new (hourly scan)",
                  "forced re-evaluation, 1 process (07:00)",
                  "10 % cross a threshold (hourly scan 08:00)",
                  "forced re-evaluation, 2 processes (08:00)",
                  "rescan, nothing new (hourly scan 09:00)"):
        # Once as the run's line, once in the summary with min / median / max and the ratio.
        _figure(rf"^  {re.escape(label)} +\d+\.\d\d s .* queries", out)
        _figure(rf"^{re.escape(label)} +[\d.]+ / [\d.]+ / [\d.]+ s +[\d.]+ / [\d.]+ / [\d.]+ ×", out)
    for target in (r"≤ 4× the write floor: (MET|MISSED)", r"≤ 0\.5 s: (MET|MISSED)",
                   r"≤ 8 s: (MET|MISSED)", r"≤ 300 MB: (MET|MISSED)",
                   r"flat \(in each scan the largest ≤ 1\.5× the smallest\): (MET|MISSED)"):
        _figure(target, out)
    assert _figure(r"^differential \(forced − hourly\), changes +(\d+) +must be 0: MET$",
                   out).group(1) == "0"

    with psycopg2.connect(bench_database) as db, db.cursor() as cur:
        cur.execute("SELECT count(*), count(*) FILTER (WHERE (id * 37) % 100 < 70 AND id % 7 = 0)"
                    " FROM projects_project")
        projects, crossing = cur.fetchone()
        cur.execute("SELECT count(*), count(*) FILTER (WHERE work_done LIKE 'bench-scan%%') "
                    "FROM projects_progressreport")
        reports, added_left = cur.fetchone()
        cur.execute("SELECT (SELECT count(*) FROM supervision_flag), "
                    "(SELECT count(*) FROM supervision_notice), "
                    "(SELECT count(*) FROM projects_project WHERE health <> 'green'), "
                    "(SELECT count(*) FROM bench_floor_flags)")
        flags, notices, not_green, floor_flags = cur.fetchone()
    assert projects == 400
    assert 30 <= crossing <= 50  # about one in ten
    said = _figure(r"10 % day: (\d+) of (\d+) projects \((\d+\.\d) %\)", out)
    assert (int(said.group(1)), int(said.group(2))) == (crossing, projects)
    # Each of them went from green to yellow or red in the 10 % day's hourly scan.
    assert int(_figure(r"^  10 % cross a threshold .* lights (\d+),", out).group(1)) == crossing
    # The write floor rewrote exactly what the first scan opened.
    opened = int(_figure(r"^  first scan \(clean state.* opened (\d+),", out).group(1))
    assert opened == floor_flags > 0
    assert f"inserting the first scan's {floor_flags} flags" in out
    # Put back: the generator's reports only, and the clean state the next run starts from.
    assert (reports, added_left) == (400 * 10, 0)
    assert (flags, notices, not_green) == (0, 0, 0)
