"""gunicorn as production runs it (gunicorn.conf.py: the application loaded in the master, the
workers forked from it): every worker, the ones that replace a worker after max_requests too,
answers from the database over a connection of its own. Run for real, on the test database."""

import json
import os
import re
import signal
import subprocess
import sys
import urllib.error
import urllib.request
from pathlib import Path

import pytest
from django.db import connection

from tests.servers import free_port, wait_answering

ROOT = Path(__file__).resolve().parents[1]
BIN = Path(sys.executable).parent


def _db_url() -> str:
    s = connection.settings_dict
    return (f"postgres://{s['USER']}{':' + s['PASSWORD'] if s['PASSWORD'] else ''}"
            f"@{s['HOST'] or '127.0.0.1'}:{s['PORT'] or 5432}/{s['NAME']}")


def _get(url: str) -> tuple[int, str]:
    try:
        with urllib.request.urlopen(url, timeout=10) as answer:  # noqa: S310 - our server
            return answer.status, answer.read().decode()
    except urllib.error.HTTPError as error:
        return error.code, error.read().decode()


def test_workers_forked_from_the_loaded_master_each_use_the_database(transactional_db,
                                                                     tmp_path):
    if connection.vendor != "postgresql":
        pytest.skip("the server uses the test database: PostgreSQL")
    port = free_port()
    env = {k: v for k, v in os.environ.items() if not k.startswith(("PYTEST", "DJANGO_"))}
    env.update({"DEBUG": "0", "SECRET_KEY": "s" * 60, "SECURE_SSL_REDIRECT": "0",
                "ALLOWED_HOSTS": "127.0.0.1", "GONGJIAN_VAR_DIR": str(tmp_path),
                "DATABASE_URL": _db_url(), "CELERY_BROKER_URL": "memory://",
                "LOG_LEVEL": "INFO", "GUNICORN_WORKERS": "2"})
    env.pop("REDIS_URL", None)
    log_file = tmp_path / "gunicorn.log"
    server = subprocess.Popen(
        [str(BIN / "gunicorn"), "config.wsgi", "--config", "gunicorn.conf.py",
         "--bind", f"127.0.0.1:{port}", "--max-requests", "3", "--max-requests-jitter", "0"],
        cwd=ROOT, env=env, stdout=log_file.open("w"), stderr=subprocess.STDOUT)
    try:
        base = f"http://127.0.0.1:{port}"
        wait_answering(f"{base}/robots.txt", server)
        answers = [_get(f"{base}/healthz") for _ in range(18)]
    finally:
        server.send_signal(signal.SIGTERM)
        server.wait(timeout=40)
    log = log_file.read_text()
    assert [status for status, _ in answers] == [200] * 18, log[-3000:]
    assert all(json.loads(body)["checks"]["database"]["status"] == "ok" for _, body in answers)
    # Workers were replaced (3 requests each) and the new ones, forked from the master that
    # loaded the application, answered from the database too.
    assert len(set(re.findall(r"Booting worker with pid: (\d+)", log))) >= 5, log[-3000:]
    assert log.count("Autorestarting worker") >= 3
    # Loaded and warmed once, in the master, before the first worker (GUNICORN_PRELOAD=0: not).
    warmed = log.index("preloaded: the URLconf and")
    assert warmed < log.index("Booting worker")
    assert log.count("preloaded: the URLconf and") == 1
    assert "Traceback" not in log and "level=ERROR" not in log, log[-3000:]


def test_the_config_serves_an_application_other_than_django(tmp_path):
    """bench-web's control (a bare WSGI application) runs under the same gunicorn.conf.py: the
    master's warm-up leaves an application without Django alone."""
    port = free_port()
    env = {k: v for k, v in os.environ.items() if not k.startswith(("PYTEST", "DJANGO_"))}
    env.update({"LOG_LEVEL": "INFO", "GUNICORN_WORKERS": "1"})
    server = subprocess.Popen(
        [str(BIN / "gunicorn"), "bench.control_wsgi:application", "--config", "gunicorn.conf.py",
         "--bind", f"127.0.0.1:{port}"],
        cwd=ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    try:
        _status, body = wait_answering(f"http://127.0.0.1:{port}/", server)
    finally:
        server.send_signal(signal.SIGTERM)
        log, _ = server.communicate(timeout=30)
    assert body.startswith(b"User-agent"), log
    assert "Traceback" not in log, log
