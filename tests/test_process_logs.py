"""Every process logs key=value lines with the time in the site's zone: gunicorn's own lines and
its access log, the Celery worker; run for real, as systemd starts them (TZ=UTC)."""

import os
import re
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from tests.servers import free_port, wait_answering

ROOT = Path(__file__).resolve().parents[1]
BIN = Path(sys.executable).parent
LINE = re.compile(r"^time=\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}\+08:00 level=[A-Z]+ logger=\S+ ")


def _env(tmp_path) -> dict:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("PYTEST", "DJANGO_"))}
    env.update({"TZ": "UTC", "DEBUG": "0", "SECRET_KEY": "s" * 60, "SECURE_SSL_REDIRECT": "0",
                "GONGJIAN_VAR_DIR": str(tmp_path), "DATABASE_URL": f"sqlite:///{tmp_path}/db.sqlite3",
                "CELERY_BROKER_URL": "memory://", "GUNICORN_WORKERS": "1", "LOG_LEVEL": "INFO"})
    env.pop("REDIS_URL", None)
    return env


def _check_lines(text: str) -> list[str]:
    lines = [line for line in text.splitlines() if line.strip()]
    assert lines, "the process logged nothing"
    bad = [line for line in lines if not LINE.match(line)]
    assert not bad, bad
    return lines


def test_gunicorn_logs_its_own_lines_and_requests_as_key_value_in_the_site_zone(tmp_path):
    port = free_port()
    process = subprocess.Popen(
        [str(BIN / "gunicorn"), "config.wsgi", "--config", "gunicorn.conf.py",
         "--bind", f"127.0.0.1:{port}"],
        cwd=ROOT, env=_env(tmp_path), stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        wait_answering(f"http://127.0.0.1:{port}/healthz", process)  # 503 without Redis too
    finally:
        process.send_signal(signal.SIGTERM)
        out, err = process.communicate(timeout=30)
    lines = _check_lines(out + err)
    assert any("logger=gunicorn.error" in line and "Listening at" in line for line in lines)
    assert any("logger=gunicorn.access" in line and 'path="/healthz"' in line for line in lines)
    # No control socket in a shared place.
    assert not any("control" in line.lower() and "socket" in line.lower() for line in lines)


def test_the_celery_worker_logs_key_value_in_the_site_zone(tmp_path):
    process = subprocess.Popen(
        [str(BIN / "celery"), "-A", "config", "worker", "--pool", "solo", "--loglevel", "INFO",
         "--without-mingle", "--without-gossip", "--without-heartbeat"],
        cwd=ROOT, env=_env(tmp_path), stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        deadline = time.monotonic() + 40
        seen = []
        for line in process.stderr:
            seen.append(line)
            if " ready." in line or time.monotonic() > deadline:
                break
    finally:
        process.send_signal(signal.SIGTERM)
        out, err = process.communicate(timeout=30)
    lines = _check_lines("".join(seen) + err)
    assert any("ready." in line and "logger=celery" in line for line in lines)


@pytest.mark.parametrize("zone", ["UTC", "America/New_York"])
def test_the_formatter_writes_the_site_zone_whatever_the_process_zone(zone, monkeypatch):
    import logging

    from core.logformat import KeyValueFormatter

    monkeypatch.setenv("TZ", zone)
    time.tzset()
    record = logging.LogRecord("gongjian.test", logging.INFO, __file__, 1, "event=x", None, None)
    record.created = 1_780_000_000.0  # 2026-05-28 20:26:40 UTC
    assert KeyValueFormatter().format(record) == (
        "time=2026-05-29T04:26:40.000+08:00 level=INFO logger=gongjian.test event=x")
    monkeypatch.undo()
    time.tzset()
