"""make bench-web: the app under gunicorn on PostgreSQL with the demo data, loaded with wrk.

Runs as production does (deploy/): gunicorn.conf.py's worker count (BENCH_WORKERS overrides it)
and Django's cache on Redis (BENCH_REDIS_URL). Measures, in one run, a trivial view
(/robots.txt: no database, no session) and, logged in as a team member, the dashboard, a project
page and the report submission; prints requests/s, median and p99 latency, errors and each
page's ratio to the trivial view, and checks that every report the server accepted is in the
database. Then, as a control, a bare WSGI application (bench/control_wsgi.py) under the same
gunicorn and wrk: what the machine and the method give an application that does nothing, the
floor under the p99 ÷ median above all. Not a test: figures, with the targets beside them."""

import http.cookiejar
import os
import re
import shutil
import subprocess
import sys
import tempfile
import time
import urllib.parse
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
PY = str(ROOT / ".venv/bin/python")
PORT = int(os.environ.get("BENCH_PORT", "8765"))
BASE = f"http://127.0.0.1:{PORT}"
CONTROL_PORT = PORT + 1
DB = os.environ.get("BENCH_DB", "gongjian_bench_web")
PG = os.environ.get("BENCH_PG", "postgres://postgres@127.0.0.1:5432")
DURATION = os.environ.get("BENCH_DURATION", "15s")
CONNECTIONS = os.environ.get("BENCH_CONNECTIONS", "4")
#: As production runs (deploy/systemd, gunicorn.conf.py): one sync worker per CPU, unless set.
WORKERS = os.environ.get("BENCH_WORKERS", "")
#: Django's cache on Redis, as production sets REDIS_URL (deploy/gongjian.env.example).
REDIS = os.environ.get("BENCH_REDIS_URL", "redis://127.0.0.1:6379/6")
USER = "cadre1"  # on the team of HN-01
PROJECT_CODE = "HN-01"

TARGETS = {"dashboard": 0.10, "project page": 0.20}


def sh(*args, env=None, check=True, capture=False):
    return subprocess.run(args, cwd=ROOT, env=env, check=check, text=True,
                          capture_output=capture)


def psql(sql: str, db: str = DB) -> str:
    return sh("psql", f"{PG}/{db}", "-tAc", sql, capture=True).stdout.strip()


def prepare(env):
    psql(f'DROP DATABASE IF EXISTS "{DB}" WITH (FORCE)', "postgres")
    psql(f'CREATE DATABASE "{DB}"', "postgres")
    sh(PY, "manage.py", "migrate", "--no-input", "-v0", env=env)
    sh(PY, "manage.py", "collectstatic", "--no-input", "-v0", env=env)
    sh(PY, "manage.py", "seed_demo", env=env, capture=True)


def login(password: str) -> tuple[str, str]:
    jar = http.cookiejar.CookieJar()
    opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(jar))
    page = opener.open(f"{BASE}/accounts/login/").read().decode()
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page).group(1)
    data = urllib.parse.urlencode({"username": USER, "password": password,
                                   "csrfmiddlewaretoken": token}).encode()
    request = urllib.request.Request(f"{BASE}/accounts/login/", data=data,
                                     headers={"Referer": f"{BASE}/accounts/login/"})
    opener.open(request).read()
    cookies = {c.name: c.value for c in jar}
    if "sessionid" not in cookies:
        sys.exit("bench-web: login failed")
    cookie = f"sessionid={cookies['sessionid']}; csrftoken={cookies['csrftoken']}"
    form = opener.open(f"{BASE}/projects/{project_pk()}/report/").read().decode()
    form_token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', form).group(1)
    return cookie, form_token


def project_pk() -> int:
    return int(psql(f"SELECT id FROM projects_project WHERE code = '{PROJECT_CODE}'"))


def wrk(name: str, url: str, cookie: str | None = None, script: str | None = None) -> dict:
    args = ["wrk", "-t1", f"-c{CONNECTIONS}", f"-d{DURATION}", "--latency", "--timeout", "10s"]
    if cookie:
        args += ["-H", f"Cookie: {cookie}"]
    if script:
        args += ["-s", script]
    out = sh(*args, url, capture=True).stdout
    latencies = dict(re.findall(r"^\s+(50|99)%\s+([\d.]+\w+)", out, re.M))
    total = int(re.search(r"(\d+) requests in", out).group(1))
    non_2xx = re.search(r"Non-2xx or 3xx responses: (\d+)", out)
    socket = re.search(r"Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)", out)
    errors = (int(non_2xx.group(1)) if non_2xx else 0) + (sum(map(int, socket.groups())) if socket else 0)
    return {"name": name, "rps": float(re.search(r"Requests/sec:\s+([\d.]+)", out).group(1)),
            "median_ms": to_ms(latencies["50"]), "p99_ms": to_ms(latencies["99"]),
            "errors": errors, "requests": total}


def to_ms(text: str) -> float:
    value, unit = re.match(r"([\d.]+)(\w+)", text).groups()
    return float(value) * {"us": 0.001, "ms": 1, "s": 1000, "m": 60000}[unit]


def report_script(token: str, pk: int, percent: str) -> str:
    body = urllib.parse.urlencode({
        "csrfmiddlewaretoken": token, "percent": percent, "investment_done": "9500",
        "work_done": "压测：路基施工推进", "next_steps": "继续施工", "problems": "",
        "needs_coordination": "", "decrease_reason": "",
    })
    path = Path(tempfile.mkdtemp()) / "report.lua"
    path.write_text(
        'wrk.method = "POST"\n'
        f'wrk.body = "{body}"\n'
        'wrk.headers["Content-Type"] = "application/x-www-form-urlencoded"\n'
        f'wrk.headers["Referer"] = "{BASE}/projects/{pk}/report/"\n'
        'responses = {}\n'
        'response = function(status, headers, body)\n'
        '  if status ~= 302 then io.write("unexpected status ", status, "\\n") end\n'
        'end\n'
    )
    return str(path)


def serve(app: str, port: int, env) -> subprocess.Popen:
    """gunicorn as production runs it (gunicorn.conf.py), serving app on port."""
    return subprocess.Popen(
        [str(ROOT / ".venv/bin/gunicorn"), app, "--config", "gunicorn.conf.py",
         "--bind", f"127.0.0.1:{port}", *(["--workers", WORKERS] if WORKERS else []),
         "--access-logfile", "/dev/null",
         # No worker recycling during a measurement: a restart would show up as a p99 spike.
         "--max-requests", "0"],
        cwd=ROOT, env=env)


def wait_until_up(url: str) -> None:
    for _ in range(100):
        try:
            urllib.request.urlopen(url, timeout=1)
            return
        except OSError:
            time.sleep(0.2)
    sys.exit(f"bench-web: {url} did not answer")


def stop(server: subprocess.Popen) -> None:
    server.terminate()
    server.wait(timeout=30)


def measure_control(env) -> dict:
    """The bare WSGI control (bench/control_wsgi.py) under the same gunicorn and wrk."""
    server = serve("bench.control_wsgi:application", CONTROL_PORT, env)
    try:
        wait_until_up(f"http://127.0.0.1:{CONTROL_PORT}/robots.txt")
        return wrk("control: bare WSGI", f"http://127.0.0.1:{CONTROL_PORT}/robots.txt")
    finally:
        stop(server)


def main():
    if not shutil.which("wrk"):
        sys.exit("bench-web needs wrk (Debian: apt-get install wrk)")
    var = Path(tempfile.mkdtemp(prefix="gongjian-bench-web-"))
    env = {**os.environ, "DATABASE_URL": f"{PG}/{DB}", "DEBUG": "0",
           "SECRET_KEY": "bench-web-" + "s" * 50, "SECURE_SSL_REDIRECT": "0",
           "SECURE_COOKIES": "0", "SECURE_HSTS_SECONDS": "0", "GONGJIAN_VAR_DIR": str(var),
           "CELERY_BROKER_URL": os.environ.get("CELERY_BROKER_URL", "redis://127.0.0.1:6379/5"),
           "ALLOWED_HOSTS": "127.0.0.1,localhost", "LOG_LEVEL": "WARNING",
           "AXES_FAILURE_LIMIT": "1000", "REDIS_URL": REDIS}
    password = env.get("DEMO_PASSWORD", "gongjian-demo-2026")
    print(f"bench-web: preparing database {DB} with the demo campaign …", flush=True)
    prepare(env)
    server = serve("config.wsgi", PORT, env)
    try:
        wait_until_up(f"{BASE}/healthz")
        cookie, token = login(password)
        pk = project_pk()
        current = psql(f"SELECT progress FROM projects_project WHERE id = {pk}")
        before = int(psql(f"SELECT count(*) FROM projects_progressreport WHERE project_id = {pk}"))
        results = [
            wrk("trivial view", f"{BASE}/robots.txt"),
            wrk("dashboard", f"{BASE}/", cookie),
            wrk("project page", f"{BASE}/projects/{pk}/", cookie),
            wrk("report submission", f"{BASE}/projects/{pk}/report/", cookie,
                report_script(token, pk, current)),
        ]
        after = int(psql(f"SELECT count(*) FROM projects_progressreport WHERE project_id = {pk}"))
    finally:
        stop(server)
        shutil.rmtree(var, ignore_errors=True)
    control = measure_control(env)

    base = results[0]["rps"]
    workers = WORKERS or os.environ.get("GUNICORN_WORKERS") or f"{max(2, os.cpu_count())} (one per CPU)"
    print(f"\nbench-web: gunicorn {workers} workers, wrk 1 thread × {CONNECTIONS} connections, "
          f"{DURATION} each, PostgreSQL, Redis cache, demo campaign (13 projects)")
    print(f"{'page':<20}{'req/s':>10}{'median ms':>11}{'p99 ms':>9}{'p99/med':>9}"
          f"{'errors':>8}{'ratio':>8}  target")
    ok = True
    for r in results:
        ratio = r["rps"] / base
        spread = r["p99_ms"] / r["median_ms"] if r["median_ms"] else 0
        target = TARGETS.get(r["name"])
        verdicts = []
        if target is not None:
            verdicts.append(f"ratio ≥ {target:.0%}: {'ok' if ratio >= target else 'MISSED'}")
            ok &= ratio >= target
        verdicts.append(f"p99 ≤ 2×median: {'ok' if spread <= 2 else 'MISSED'}")
        ok &= spread <= 2 and r["errors"] == 0
        print(f"{r['name']:<20}{r['rps']:>10.1f}{r['median_ms']:>11.2f}{r['p99_ms']:>9.2f}"
              f"{spread:>9.2f}{r['errors']:>8}{ratio:>8.1%}  {'; '.join(verdicts)}")
    control_spread = control["p99_ms"] / control["median_ms"] if control["median_ms"] else 0
    print(f"{control['name']:<20}{control['rps']:>10.1f}{control['median_ms']:>11.2f}"
          f"{control['p99_ms']:>9.2f}{control_spread:>9.2f}{control['errors']:>8}"
          f"{control['rps'] / base:>8.1%}  the floor of the method, not a target")
    if control_spread > 2:
        print(f"  the control, an application that does nothing, misses p99 ≤ 2×median too "
              f"({control_spread:.2f}): on this machine that target is below what a co-located "
              f"wrk can show")
    accepted = results[3]["requests"] - results[3]["errors"]
    saved = after - before
    in_flight = max(0, saved - accepted)
    print(f"reports accepted (302): {accepted}; new reports in the database: {saved} "
          f"({in_flight} were in flight when wrk stopped); lost: {max(0, accepted - saved)}")
    ok &= saved >= accepted
    print("bench-web: all targets met" if ok else "bench-web: some targets missed (see above)")


if __name__ == "__main__":
    main()
