"""The CPU one request costs in the process that serves it: the dashboard and the project page,
with the page cache off (as bench-web's second server: no REDIS_URL, sessions in the database).

Not a test and not a load test: the Django test client in this process, logged in as bench-web's
user (cadre1, on the team of HN-01), each page requested N times; prints CPU ms per request
(time.process_time) as min / median / max, the part of it spent rendering the page body's
template (the body's render_to_string, figures excluded) and, with --profile, cProfile's top
functions by cumulative time. The machine is shared: CPU time, not wall time.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/gj_mine python manage.py migrate
    DATABASE_URL=… python manage.py seed_demo
    DATABASE_URL=… python bench/profile_pages.py [-n 200] [--profile] [--save-html DIR]
                                                 [--users cadre1,gjb,dcz] [--cache]

--save-html writes each page's HTML for each user to DIR (to compare before and after a change;
the CSRF token is replaced by a fixed string). --cache keeps REDIS_URL (the cached path).
"""

import argparse
import cProfile
import os
import pstats
import re
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))


def setup(cache: bool) -> None:
    os.environ.setdefault("DEBUG", "0")
    os.environ.setdefault("SECRET_KEY", "profile-pages-" + "s" * 50)
    os.environ.setdefault("SECURE_SSL_REDIRECT", "0")
    os.environ.setdefault("SECURE_COOKIES", "0")
    os.environ.setdefault("SECURE_HSTS_SECONDS", "0")
    os.environ.setdefault("LOG_LEVEL", "WARNING")
    os.environ["ALLOWED_HOSTS"] = "testserver,127.0.0.1,localhost"
    if not cache:
        os.environ.pop("REDIS_URL", None)
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    import django

    django.setup()


class FunctionTimer:
    """Accumulates the CPU time of named module-level functions ("module.function"): they are
    wrapped where they are defined, so calls through the module's globals are timed."""

    def __init__(self, names: list[str]):
        import importlib

        self.spent = dict.fromkeys(names, 0.0)
        self.depth = 0
        for name in names:
            module_name, _, attr = name.rpartition(".")
            module = importlib.import_module(module_name)
            original = getattr(module, attr)

            def timed(*args, _original=original, _name=name, **kwargs):
                t0 = time.process_time()
                try:
                    return _original(*args, **kwargs)
                finally:
                    self.spent[_name] += time.process_time() - t0

            setattr(module, attr, timed)

    def reset(self):
        self.spent = dict.fromkeys(self.spent, 0.0)


class TemplateTimer:
    """Accumulates the CPU time of render_to_string in the views' modules (the page bodies)."""

    def __init__(self):
        self.spent = 0.0

    def install(self):
        import web.views
        import web.views_projects

        for module in (web.views, web.views_projects):
            original = module.render_to_string

            def timed(*args, _original=original, **kwargs):
                t0 = time.process_time()
                try:
                    return _original(*args, **kwargs)
                finally:
                    self.spent += time.process_time() - t0

            module.render_to_string = timed


def three(values) -> str:
    values = sorted(values)
    return " / ".join(f"{v * 1000:.2f}" for v in (values[0], statistics.median(values), values[-1]))


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("-n", type=int, default=200)
    parser.add_argument("--profile", action="store_true")
    parser.add_argument("--top", type=int, default=40)
    parser.add_argument("--save-html")
    parser.add_argument("--users", default="cadre1")
    parser.add_argument("--cache", action="store_true")
    parser.add_argument("--pages", default="dashboard,project")
    parser.add_argument("--time", default="",
                        help="comma-separated module.function to time (median ms per request)")
    args = parser.parse_args()
    setup(args.cache)

    from django.contrib.auth import get_user_model
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    from core import pagecache
    from projects.models import Project

    pk = Project.objects.get(code="HN-01").pk
    pages = {"dashboard": "/dashboard/", "project": f"/projects/{pk}/"}
    pages = {k: v for k, v in pages.items() if k in args.pages.split(",")}
    timer = TemplateTimer()
    timer.install()
    functions = FunctionTimer([n for n in args.time.split(",") if n])
    print(f"page cache {'on' if pagecache.enabled() else 'off'}; {args.n} requests a page")
    for username in args.users.split(","):
        client = Client()
        client.force_login(get_user_model().objects.get(username=username))
        for name, url in pages.items():
            response = client.get(url)
            assert response.status_code == 200, (url, response.status_code)
            if args.save_html:
                out = Path(args.save_html)
                out.mkdir(parents=True, exist_ok=True)
                html = re.sub(r'(name="csrfmiddlewaretoken" value=")[^"]+', r"\1TOKEN",
                              response.content.decode())
                (out / f"{name}-{username}.html").write_text(html)
            with CaptureQueriesContext(connection) as queries:
                client.get(url)
            query_count = len(queries.captured_queries)
            cpu, body = [], []
            parts = {name: [] for name in functions.spent}
            for _ in range(args.n):
                timer.spent = 0.0
                functions.reset()
                t0 = time.process_time()
                client.get(url)
                cpu.append(time.process_time() - t0)
                body.append(timer.spent)
                for part, spent in functions.spent.items():
                    parts[part].append(spent)
            print(f"{name:<8} {username:<8} {query_count} queries; CPU ms per "
                  f"request min/median/max {three(cpu)}; of it the body's template {three(body)}")
            for part, spent in parts.items():
                print(f"    {part}: {three(spent)}")
            if args.profile:
                profiler = cProfile.Profile()
                profiler.enable()
                for _ in range(args.n):
                    client.get(url)
                profiler.disable()
                stats = pstats.Stats(profiler).strip_dirs().sort_stats("cumulative")
                stats.print_stats(args.top)
                stats.sort_stats("tottime").print_stats(args.top // 2)


if __name__ == "__main__":
    main()
