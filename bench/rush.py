"""make bench-rush: the Friday 17:55 — many campaigns' reports arriving at once, over HTTP.

gunicorn (gunicorn.conf.py) + PostgreSQL + a Redis broker + 2 Celery workers
(`celery -A config worker`, each one process) on a generated data set (generate_scale_data:
BENCH_RUSH_TOWNS campaigns × BENCH_RUSH_PROJECTS projects, default 200 × 10). BENCH_RUSH_USERS
leaders (default 100, one per campaign) log in over HTTP; a thread pool then submits real
progress reports (the report form, CSRF and all) at BENCH_RUSH_RATE a second (default 20) for
BENCH_RUSH_SECONDS (default 300), each report to another project, campaigns interleaved.

Every report is enqueued as supervision.scan_project on commit (projects.services). The workers
import bench/rush_probe.py (--include), which records each scan_project task's start and end in
Redis under this run's own key. For each report the latency is from its ProgressReport.reported_at
(set inside its transaction, so just before the commit) to the end of the first scan of its
project that started after it: by then the scan's transaction (light, flags, the leader's
notifications) has committed. Prints median, p99, max and lost (a report no scan followed within
BENCH_RUSH_DRAIN seconds, default 60, of the end). Targets: p99 ≤ 5 s, 0 lost.

Its own database (BENCH_RUSH_DB, default gongjian_bench_rush, dropped and made anew), its own
broker key prefix (CELERY_BROKER_KEY_PREFIX, default bench-rush-<pid>:) and its own keys on the
Redis database BENCH_RUSH_REDIS_URL (default redis://127.0.0.1:6379/7): nothing is flushed; the
probe list is deleted at the end. Not a test: figures, with the targets beside them."""

import concurrent.futures
import http.cookiejar
import json
import os
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import urllib.error
import urllib.parse
import urllib.request
from pathlib import Path

import redis

ROOT = Path(__file__).resolve().parents[1]
PY = str(ROOT / ".venv/bin/python")
PORT = int(os.environ.get("BENCH_PORT", "8775"))
BASE = f"http://127.0.0.1:{PORT}"
PG = os.environ.get("BENCH_PG", "postgres://postgres@127.0.0.1:5432")
DB = os.environ.get("BENCH_RUSH_DB", "gongjian_bench_rush")
REDIS = os.environ.get("BENCH_RUSH_REDIS_URL", "redis://127.0.0.1:6379/7")
BROKER = os.environ.get("BENCH_RUSH_BROKER_URL", REDIS)
PREFIX = os.environ.get("CELERY_BROKER_KEY_PREFIX", f"bench-rush-{os.getpid()}:")
TOWNS = int(os.environ.get("BENCH_RUSH_TOWNS", "200"))
PROJECTS = int(os.environ.get("BENCH_RUSH_PROJECTS", "10"))
USERS = int(os.environ.get("BENCH_RUSH_USERS", "100"))
RATE = float(os.environ.get("BENCH_RUSH_RATE", "20"))
SECONDS = float(os.environ.get("BENCH_RUSH_SECONDS", "300"))
DRAIN = float(os.environ.get("BENCH_RUSH_DRAIN", "60"))
PASSWORD = "bench-rush-" + "p" * 12
WORK_DONE = "压测：周五集中填报"
TARGET_P99 = 5.0


def sh(*args, env=None, capture=False):
    return subprocess.run(args, cwd=ROOT, env=env, check=True, text=True, capture_output=capture)


def psql(sql: str, db: str = DB) -> str:
    return sh("psql", f"{PG}/{db}", "-tAc", sql, capture=True).stdout.strip()


def prepare(env) -> None:
    psql(f'DROP DATABASE IF EXISTS "{DB}" WITH (FORCE)', "postgres")
    psql(f'CREATE DATABASE "{DB}"', "postgres")
    sh(PY, "manage.py", "migrate", "--no-input", "-v0", env=env)
    sh(PY, "manage.py", "collectstatic", "--no-input", "-v0", env=env)
    sh(PY, "manage.py", "generate_scale_data", "--towns", str(TOWNS), "--projects-per-town",
       str(PROJECTS), "--weeks", "6", env=env, capture=True)
    # The generated leaders have no usable password; give the ones that will log in one.
    # The generated leaders have no usable password, profile nor role: give them what a town's
    # leader has (the profile in their town, the leader's group).
    sh(PY, "manage.py", "shell", "-v0", "-c", f"""
from django.contrib.auth.hashers import make_password
from django.contrib.auth.models import Group, User
from campaign.models import Profile, Unit
from campaign.models import Role
users = User.objects.filter(username__startswith='bench-leader-')
users.update(password=make_password({PASSWORD!r}))
units = Unit.objects.in_bulk([int(u.username.rsplit('-', 1)[1]) for u in users])
Profile.objects.bulk_create([Profile(user=u, full_name='负责人' + u.username.rsplit('-', 1)[1],
    unit=units[int(u.username.rsplit('-', 1)[1])]) for u in users], ignore_conflicts=True)
Group.objects.get_or_create(name=Role.LEADER.value)[0].user_set.add(*users)
""", env=env)
    sh(PY, "manage.py", "scan_campaigns", env=env, capture=True)  # the lights before the rush


class Reporter:
    """One logged-in leader: a cookie jar and the CSRF token of the report form."""

    def __init__(self, username: str):
        self.username = username
        self.jar = http.cookiejar.CookieJar()
        self.opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(self.jar),
                                                  NoRedirect())
        self.token = ""

    def login(self, first_project: int) -> None:
        page = self.opener.open(f"{BASE}/accounts/login/", timeout=30).read().decode()
        token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page).group(1)
        data = urllib.parse.urlencode({"username": self.username, "password": PASSWORD,
                                       "csrfmiddlewaretoken": token}).encode()
        self._post("/accounts/login/", data)
        if "sessionid" not in {c.name for c in self.jar}:
            raise RuntimeError(f"login of {self.username} failed")
        form = self.opener.open(f"{BASE}/projects/{first_project}/report/", timeout=30).read()
        self.token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"',
                               form.decode()).group(1)

    def _post(self, path: str, data: bytes) -> int:
        request = urllib.request.Request(f"{BASE}{path}", data=data,
                                         headers={"Referer": f"{BASE}{path}"})
        try:
            with self.opener.open(request, timeout=30) as response:
                return response.status
        except urllib.error.HTTPError as e:  # NoRedirect hands the 302 back as an "error"
            return e.code

    def report(self, project: int, percent: str) -> int:
        data = urllib.parse.urlencode({
            "csrfmiddlewaretoken": self.token, "percent": percent, "investment_done": "500",
            "work_done": WORK_DONE, "next_steps": "继续施工", "problems": "",
            "needs_coordination": "", "decrease_reason": ""}).encode()
        return self._post(f"/projects/{project}/report/", data)


class NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):
        return None


def wait_until_up(url: str) -> None:
    for _ in range(150):
        try:
            urllib.request.urlopen(url, timeout=1)
            return
        except OSError:
            time.sleep(0.2)
    sys.exit(f"bench-rush: {url} did not answer")


def percentile(values: list[float], p: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(p / 100 * (len(ordered) - 1))))]


def main():
    var = Path(tempfile.mkdtemp(prefix="gongjian-bench-rush-"))
    probe_key = f"{PREFIX}probe"
    env = {**os.environ, "DATABASE_URL": f"{PG}/{DB}", "DEBUG": "0",
           "SECRET_KEY": "bench-rush-" + "s" * 50, "SECURE_SSL_REDIRECT": "0",
           "SECURE_COOKIES": "0", "SECURE_HSTS_SECONDS": "0", "GONGJIAN_VAR_DIR": str(var),
           "CELERY_BROKER_URL": BROKER, "CELERY_BROKER_KEY_PREFIX": PREFIX,
           "REDIS_URL": REDIS, "ALLOWED_HOSTS": "127.0.0.1,localhost", "LOG_LEVEL": "WARNING",
           "AXES_FAILURE_LIMIT": "1000", "BENCH_RUSH_PROBE_URL": REDIS,
           "BENCH_RUSH_PROBE_KEY": probe_key, "PYTHONPATH": str(ROOT)}
    print(f"bench-rush: preparing {DB}: {TOWNS} campaigns × {PROJECTS} projects …", flush=True)
    prepare(env)
    rows = [line.split("|") for line in psql(
        "SELECT p.id, u.username, p.progress, p.campaign_id FROM projects_project p "
        "JOIN auth_user u ON u.id = p.leader_id WHERE u.username LIKE 'bench-leader-%' "
        "ORDER BY p.campaign_id, p.id").splitlines()]
    by_user: dict[str, list[tuple[int, str]]] = {}
    for pid, username, progress, _campaign in rows:
        by_user.setdefault(username, []).append((int(pid), progress))
    users = sorted(by_user)[:USERS]
    # Campaigns interleaved: report i goes to project i // users of campaign i % users.
    targets = [(u, *by_user[u][k]) for k in range(PROJECTS) for u in users
               if k < len(by_user[u])]

    r = redis.Redis.from_url(REDIS)
    procs = []
    log = open(var / "servers.log", "w")  # noqa: SIM115  # open for the servers' lifetime
    try:
        procs.append(subprocess.Popen(
            [str(ROOT / ".venv/bin/gunicorn"), "config.wsgi", "--config", "gunicorn.conf.py",
             "--bind", f"127.0.0.1:{PORT}", "--access-logfile", "/dev/null",
             "--max-requests", "0"], cwd=ROOT, env=env, stdout=log, stderr=log))
        for n in (1, 2):
            procs.append(subprocess.Popen(
                [str(ROOT / ".venv/bin/celery"), "-A", "config", "worker", "--concurrency", "1",
                 "--pool", "prefork", "-n", f"rush{n}-{os.getpid()}@%h", "--include",
                 "bench.rush_probe", "--loglevel", "WARNING", "--without-gossip",
                 "--without-mingle"], cwd=ROOT, env=env, stdout=log, stderr=log))
        wait_until_up(f"{BASE}/healthz")
        reporters = {u: Reporter(u) for u in users}
        print(f"bench-rush: logging in {len(users)} leaders over HTTP …", flush=True)
        with concurrent.futures.ThreadPoolExecutor(8) as pool:
            list(pool.map(lambda u: reporters[u].login(by_user[u][0][0]), users))
        time.sleep(3)  # the workers up and polling
        r.delete(probe_key)
        total = int(RATE * SECONDS)
        print(f"bench-rush: {total} reports at {RATE:g}/s for {SECONDS:g} s over "
              f"{len({t[1] for t in targets[:total]})} projects …", flush=True)
        statuses: list[int] = []
        lock = threading.Lock()

        def send(i):
            user, pid, progress = targets[i % len(targets)]
            percent = min(100.0, float(progress) + 0.1 * (1 + i // len(targets)))
            status = reporters[user].report(pid, f"{percent:.1f}")
            with lock:
                statuses.append(status)

        started = time.time()
        with concurrent.futures.ThreadPoolExecutor(64) as pool:
            for i in range(total):
                delay = started + i / RATE - time.time()
                if delay > 0:
                    time.sleep(delay)
                pool.submit(send, i)
        sent_for = time.time() - started
        accepted = sum(1 for s in statuses if s == 302)
        print(f"bench-rush: sent in {sent_for:.1f} s; accepted (302) {accepted}, other "
              f"{len(statuses) - accepted}; waiting for the scans …", flush=True)

        reports = [(int(pid), float(at)) for pid, at in (line.split("|") for line in psql(
            "SELECT project_id, extract(epoch FROM reported_at) FROM projects_progressreport "
            f"WHERE work_done = '{WORK_DONE}' ORDER BY reported_at").splitlines())]
        deadline = time.time() + DRAIN
        while True:
            scans: dict[int, list[tuple[float, float]]] = {}
            for raw in r.lrange(probe_key, 0, -1):
                event = json.loads(raw)
                scans.setdefault(event["project"], []).append((event["start"], event["end"]))
            latencies, lost = [], 0
            for pid, at in reports:
                after = [end for start, end in scans.get(pid, ()) if start >= at]
                if after:
                    latencies.append(min(after) - at)
                else:
                    lost += 1
            if not lost or time.time() > deadline:
                break
            time.sleep(1)
        notifications = psql("SELECT count(*) FROM supervision_notification n JOIN auth_user u "
                             "ON u.id = n.user_id WHERE u.username LIKE 'bench-leader-%' "
                             f"AND n.created_at >= to_timestamp({started})")
    finally:
        for p in procs:
            p.terminate()
        for p in procs:
            try:
                p.wait(timeout=30)
            except subprocess.TimeoutExpired:
                p.kill()
        log.close()
        r.delete(probe_key)
        errors = [line for line in (var / "servers.log").read_text().splitlines()
                  if "level=ERROR" in line or "Traceback" in line]
        for line in errors[:5]:
            print("server error:", line[:400])
        shutil.rmtree(var, ignore_errors=True)

    print(f"\nbench-rush: {TOWNS} campaigns × {PROJECTS} projects, {len(users)} leaders logged "
          f"in, gunicorn ({os.environ.get('GUNICORN_WORKERS') or 'one worker per CPU'}), "
          f"2 Celery workers × 1 process, {RATE:g} reports/s for {SECONDS:g} s "
          f"(sent in {sent_for:.1f} s)")
    print(f"reports accepted (302): {accepted}; in the database: {len(reports)}; "
          f"leaders' notifications made meanwhile: {notifications}")
    if latencies:
        med, p99, top = (statistics.median(latencies), percentile(latencies, 99),
                         max(latencies))
        print(f"commit → light and leader's message stored: median {med:.3f} s, "
              f"p99 {p99:.3f} s, max {top:.3f} s, lost {lost}   "
              f"target p99 ≤ {TARGET_P99:g} s: {'ok' if p99 <= TARGET_P99 else 'MISSED'}; "
              f"0 lost: {'ok' if lost == 0 else 'MISSED'}")
    else:
        print(f"no report was followed by a scan; lost {lost}")
    ok = latencies and percentile(latencies, 99) <= TARGET_P99 and lost == 0 \
        and accepted == len(reports) == len(statuses)
    print("bench-rush: all targets met" if ok else "bench-rush: some targets missed (see above)")


if __name__ == "__main__":
    main()
