"""gunicorn.conf.py reads its variables as the settings read theirs (config/env.py): a bad value
stops gunicorn at once with one line naming the variable; never a master without a worker."""

import os
import runpy
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
BIN = Path(sys.executable).parent
NAMES = ("GUNICORN_WORKERS", "GUNICORN_THREADS", "GUNICORN_TIMEOUT", "GUNICORN_PRELOAD",
         "GUNICORN_ACCESS_LOG", "LOG_LEVEL")


def conf(monkeypatch, **env) -> dict:
    for name in NAMES:
        monkeypatch.delenv(name, raising=False)
    for name, value in env.items():
        monkeypatch.setenv(name, value)
    return runpy.run_path(str(ROOT / "gunicorn.conf.py"))


@pytest.mark.parametrize(("variable", "value"), [
    ("GUNICORN_WORKERS", "0"), ("GUNICORN_WORKERS", "four"), ("GUNICORN_THREADS", "0"),
    ("GUNICORN_TIMEOUT", "1m"), ("GUNICORN_PRELOAD", "maybe"), ("GUNICORN_ACCESS_LOG", "2"),
    ("LOG_LEVEL", "LOUD"),
])
def test_a_bad_value_stops_the_config_naming_the_variable(monkeypatch, variable, value):
    with pytest.raises(SystemExit) as stopped:
        conf(monkeypatch, **{variable: value})
    assert str(stopped.value).startswith("gunicorn.conf.py: ") and variable in str(stopped.value)


def test_no_false_and_off_turn_preload_and_the_access_log_off(monkeypatch):
    for word in ("0", "no", "false", "off", "OFF"):
        loaded = conf(monkeypatch, GUNICORN_PRELOAD=word, GUNICORN_ACCESS_LOG=word)
        assert loaded["preload_app"] is False, word
        assert loaded["logconfig_dict"]["loggers"]["gunicorn.access"]["level"] == "WARNING"
    loaded = conf(monkeypatch)
    assert loaded["preload_app"] is True and loaded["workers"] >= 2
    assert loaded["logconfig_dict"]["loggers"]["gunicorn.access"]["level"] == "INFO"


def test_the_values_given_are_the_values_used(monkeypatch):
    loaded = conf(monkeypatch, GUNICORN_WORKERS="3", GUNICORN_THREADS="2",
                  GUNICORN_TIMEOUT="90", LOG_LEVEL="warning")
    assert (loaded["workers"], loaded["threads"], loaded["timeout"]) == (3, 2, 90)
    assert loaded["logconfig_dict"]["loggers"]["gunicorn.error"]["level"] == "WARNING"


def test_gunicorn_with_no_worker_asked_for_exits_at_once_saying_why():
    env = {k: v for k, v in os.environ.items() if not k.startswith(("PYTEST", "DJANGO_"))}
    env["GUNICORN_WORKERS"] = "0"
    result = subprocess.run(
        [str(BIN / "gunicorn"), "bench.control_wsgi:application", "--config", "gunicorn.conf.py",
         "--bind", "127.0.0.1:0"], cwd=ROOT, env=env, capture_output=True, text=True, timeout=30)
    assert result.returncode != 0
    assert "GUNICORN_WORKERS must be at least 1" in result.stderr
    assert "Traceback" not in result.stderr
