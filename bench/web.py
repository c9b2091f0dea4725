"""make bench-web: the app under gunicorn on PostgreSQL with the demo data, loaded with wrk.

Runs as production does (deploy/): gunicorn.conf.py's worker count (BENCH_WORKERS overrides it)
and Django's cache on Redis (BENCH_REDIS_URL); a second server, the same but without REDIS_URL,
shows the pages with the cache off (every page from the database, sessions in the database).
Logged in as a team member, it measures the dashboard and a project page on both servers, each
against a trivial view (/robots.txt: no database, no session) of the same server in the same
round, BENCH_REPEATS rounds (default 3), with a bare WSGI application (bench/control_wsgi.py)
under the same gunicorn and wrk in each round: what the machine and the method give an
application that does nothing, the floor under every p99 ÷ median. Prints for each page its
share of the trivial view (min / median / max over the rounds), its median and p99 latency and
p99 ÷ median beside the control's; each page's SQL floor (bench/sql_floor.py); then the report
submission (cache on, once), checking that every report the server accepted is in the database,
and the project page (cache off) once more, its project now with a long history (every report
the submission added). Every page measured must answer 200 (not a redirect). Not a test:
figures, with the targets beside them."""

import http.cookiejar
import json
import os
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.parse
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
PY = str(ROOT / ".venv/bin/python")
PORT = int(os.environ.get("BENCH_PORT", "8765"))
BASE = f"http://127.0.0.1:{PORT}"
CONTROL_PORT = PORT + 1
#: The same app without the shared cache.
UNCACHED_PORT = PORT + 2
DB = os.environ.get("BENCH_DB", "gongjian_bench_web")
PG = os.environ.get("BENCH_PG", "postgres://postgres@127.0.0.1:5432")
DURATION = os.environ.get("BENCH_DURATION", "10s")
REPEATS = int(os.environ.get("BENCH_REPEATS", "3"))
CONNECTIONS = os.environ.get("BENCH_CONNECTIONS", "4")
#: As production runs (deploy/systemd, gunicorn.conf.py): one sync worker per CPU, unless set.
WORKERS = os.environ.get("BENCH_WORKERS", "")
#: Django's cache on Redis, as production sets REDIS_URL (deploy/gongjian.env.example).
REDIS = os.environ.get("BENCH_REDIS_URL", "redis://127.0.0.1:6379/6")
USER = "cadre1"  # on the team of HN-01
PROJECT_CODE = "HN-01"

#: Share of the trivial view (issue 18): with the cache on, and with it off.
TARGETS = {("dashboard", True): 0.20, ("project page", True): 0.25,
           ("dashboard", False): 0.10, ("project page", False): 0.15}


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


def login(password: str, base: str = BASE) -> tuple[str, str]:
    jar = http.cookiejar.CookieJar()
    opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(jar))
    page = opener.open(f"{base}/accounts/login/").read().decode()
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page).group(1)
    data = urllib.parse.urlencode({"username": USER, "password": password,
                                   "csrfmiddlewaretoken": token}).encode()
    request = urllib.request.Request(f"{base}/accounts/login/", data=data,
                                     headers={"Referer": f"{base}/accounts/login/"})
    opener.open(request).read()
    cookies = {c.name: c.value for c in jar}
    if "sessionid" not in cookies:
        sys.exit("bench-web: login failed")
    cookie = f"sessionid={cookies['sessionid']}; csrftoken={cookies['csrftoken']}"
    form = opener.open(f"{base}/projects/{project_pk()}/report/").read().decode()
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


def must_answer_200(url: str, cookie: str) -> None:
    """A page that redirects (the landing sends a team member from / to 待办) would be measured
    as its redirect: refuse to measure it."""
    request = urllib.request.Request(url, headers={"Cookie": cookie})

    class NoRedirect(urllib.request.HTTPRedirectHandler):
        def redirect_request(self, *args, **kwargs):
            return None

    try:
        status = urllib.request.build_opener(NoRedirect).open(request).status
    except urllib.error.HTTPError as error:
        status = error.code
    if status != 200:
        sys.exit(f"bench-web: {url} answered {status}, not 200")


def three(values, fmt: str) -> str:
    """min / median / max."""
    values = sorted(values)
    return " / ".join(format(x, fmt) for x in (values[0], statistics.median(values), values[-1]))


def spread(result: dict) -> float:
    return result["p99_ms"] / result["median_ms"] if result["median_ms"] else 0.0


def main():
    if not shutil.which("wrk"):
        sys.exit("bench-web needs wrk (Debian: apt-get install wrk)")
    var = Path(tempfile.mkdtemp(prefix="gongjian-bench-web-"))
    env = {**os.environ, "DATABASE_URL": f"{PG}/{DB}", "DEBUG": "0",
           "SECRET_KEY": "bench-web-" + "s" * 50, "SECURE_SSL_REDIRECT": "0",
           "SECURE_COOKIES": "0", "SECURE_HSTS_SECONDS": "0", "GONGJIAN_VAR_DIR": str(var),
           "CELERY_BROKER_URL": os.environ.get("CELERY_BROKER_URL", "redis://127.0.0.1:6379/5"),
           "ALLOWED_HOSTS": "127.0.0.1,localhost", "LOG_LEVEL": "WARNING",
           "AXES_FAILURE_LIMIT": "1000", "REDIS_URL": REDIS,
           # No access log (gunicorn.conf.py routes it to stderr whatever --access-logfile says):
           # the release bench-web compares with wrote none, and a line per request is not what
           # the pages cost.
           "GUNICORN_ACCESS_LOG": "0",
           # A key prefix of this run's own: nothing cached by an earlier run is read.
           "GONGJIAN_RELEASE": f"bench-web-{time.time_ns()}"}
    uncached_env = {**env, "REDIS_URL": ""}
    password = env.get("DEMO_PASSWORD", "gongjian-demo-2026")
    print(f"bench-web: preparing database {DB} with the demo campaign …", flush=True)
    prepare(env)
    started = time.strftime("%Y-%m-%d %H:%M:%S %Z")
    servers = [serve("config.wsgi", PORT, env), serve("config.wsgi", UNCACHED_PORT, uncached_env),
               serve("bench.control_wsgi:application", CONTROL_PORT, env)]
    bases = {True: BASE, False: f"http://127.0.0.1:{UNCACHED_PORT}"}
    control_url = f"http://127.0.0.1:{CONTROL_PORT}/robots.txt"
    rounds: dict[tuple[str, bool], list[dict]] = {}
    try:
        for base in bases.values():
            wait_until_up(f"{base}/healthz")
        wait_until_up(control_url)
        cookies = {cached: login(password, base) for cached, base in bases.items()}
        pk = project_pk()
        pages = {"dashboard": "/dashboard/", "project page": f"/projects/{pk}/"}
        for cached, base in bases.items():
            for path in pages.values():
                must_answer_200(f"{base}{path}", cookies[cached][0])
        for n in range(REPEATS):
            print(f"bench-web: round {n + 1} of {REPEATS} …", flush=True)
            for cached, base in bases.items():
                rounds.setdefault(("trivial view", cached), []).append(
                    wrk("trivial view", f"{base}/robots.txt"))
                for name, path in pages.items():
                    rounds.setdefault((name, cached), []).append(
                        wrk(name, f"{base}{path}", cookies[cached][0]))
            rounds.setdefault(("control: bare WSGI", True), []).append(
                wrk("control: bare WSGI", control_url))
        # The SQL floor on the data the rounds measured (before the submission adds its reports).
        floor = json.loads(sh(PY, "bench/sql_floor.py", USER, str(pk), capture=True, env={
            **uncached_env, "ALLOWED_HOSTS": "testserver"}).stdout.strip().splitlines()[-1])
        cookie, token = cookies[True]
        current = psql(f"SELECT progress FROM projects_project WHERE id = {pk}")
        before = int(psql(f"SELECT count(*) FROM projects_progressreport WHERE project_id = {pk}"))
        submission = wrk("report submission", f"{BASE}/projects/{pk}/report/", cookie,
                         report_script(token, pk, current))
        after = int(psql(f"SELECT count(*) FROM projects_progressreport WHERE project_id = {pk}"))
        # The same project page once its history is long (the submission's reports, all of them
        # on one page's project): flat in the number of reports, it serves as many as before.
        long_history = wrk("project page, long history", f"{bases[False]}{pages['project page']}",
                           cookies[False][0])
        long_trivial = wrk("trivial view", f"{bases[False]}/robots.txt")
    finally:
        for server in servers:
            stop(server)
        shutil.rmtree(var, ignore_errors=True)

    workers = WORKERS or os.environ.get("GUNICORN_WORKERS") or f"{max(2, os.cpu_count())} (one per CPU)"
    print(f"\nbench-web, started {started}: gunicorn {workers} workers, wrk 1 thread × "
          f"{CONNECTIONS} connections, {DURATION} a measurement, {REPEATS} rounds, PostgreSQL, "
          f"demo campaign (13 projects); share of the trivial view of the same server and round "
          f"as min / median / max; latencies are medians over the rounds")
    control = rounds[("control: bare WSGI", True)]
    control_spread = statistics.median(spread(r) for r in control)
    print(f"{'page':<28}{'req/s (median)':>15}{'share of trivial':>27}{'median ms':>11}"
          f"{'p99 ms':>9}{'p99/med':>9}{'control':>9}{'errors':>8}  target")
    ok = True
    for cached in (True, False):
        trivial = rounds[("trivial view", cached)]
        for name in ("trivial view", "dashboard", "project page"):
            results = rounds[(name, cached)]
            shares = sorted(r["rps"] / t["rps"] for r, t in zip(results, trivial, strict=True))
            page_spread = statistics.median(spread(r) for r in results)
            errors = sum(r["errors"] for r in results)
            verdicts = []
            target = TARGETS.get((name, cached))
            if target is not None:
                share = statistics.median(shares)
                verdicts.append(f"share ≥ {target:.0%}: {'ok' if share >= target else 'MISSED'}")
                ok &= share >= target
                verdicts.append(f"p99/med ≤ control's: "
                                f"{'ok' if page_spread <= control_spread else 'MISSED'}")
                ok &= page_spread <= control_spread
            ok &= errors == 0
            label = f"{name}, cache {'on' if cached else 'off'}"
            print(f"{label:<28}{statistics.median(r['rps'] for r in results):>15.1f}"
                  f"{three(shares, '.1%'):>27}"
                  f"{statistics.median(r['median_ms'] for r in results):>11.2f}"
                  f"{statistics.median(r['p99_ms'] for r in results):>9.2f}{page_spread:>9.2f}"
                  f"{control_spread:>9.2f}{errors:>8}  {'; '.join(verdicts)}")
    control_shares = sorted(c["rps"] / t["rps"] for c, t in
                            zip(control, rounds[("trivial view", True)], strict=True))
    print(f"{'control: bare WSGI':<28}{statistics.median(r['rps'] for r in control):>15.1f}"
          f"{three(control_shares, '.0%'):>27}"
          f"{statistics.median(r['median_ms'] for r in control):>11.2f}"
          f"{statistics.median(r['p99_ms'] for r in control):>9.2f}{control_spread:>9.2f}"
          f"{control_spread:>9.2f}{sum(r['errors'] for r in control):>8}  the floor of the method")
    trivial_on = statistics.median(r["rps"] for r in rounds[("trivial view", True)])
    print(f"{'report submission, cache on':<28}{submission['rps']:>15.1f}"
          f"{submission['rps'] / trivial_on:>27.1%}{submission['median_ms']:>11.2f}"
          f"{submission['p99_ms']:>9.2f}{spread(submission):>9.2f}{control_spread:>9.2f}"
          f"{submission['errors']:>8}  once, against the median trivial view (cache on)")
    trivial_off = statistics.median(r["rps"] for r in rounds[("trivial view", False)])
    label = f"project page, {after} reports"
    print(f"{label:<28}{long_history['rps']:>15.1f}"
          f"{long_history['rps'] / long_trivial['rps']:>27.1%}{long_history['median_ms']:>11.2f}"
          f"{long_history['p99_ms']:>9.2f}{spread(long_history):>9.2f}{control_spread:>9.2f}"
          f"{long_history['errors']:>8}  cache off, once, after the submission (the rounds: "
          f"{before} reports)")
    ok &= long_history["errors"] == 0
    for name, figure in floor.items():
        label = f"SQL floor, {name}"
        print(f"{label:<28}{figure['pages_per_s']:>15.1f}{figure['pages_per_s'] / trivial_off:>27.1%}"
              f"  its {figure['statements']} statements replayed by bare psycopg2 in 2 sessions, "
              f"no Python: the most the page could serve (cache off)")
    accepted = submission["requests"] - submission["errors"]
    saved = after - before
    in_flight = max(0, saved - accepted)
    print(f"reports accepted (302): {accepted}; new reports in the database: {saved} "
          f"({in_flight} were in flight when wrk stopped); lost: {max(0, accepted - saved)}")
    ok &= saved >= accepted and submission["errors"] == 0
    print("bench-web: all targets met" if ok else "bench-web: some targets missed (see above)")


if __name__ == "__main__":
    main()
