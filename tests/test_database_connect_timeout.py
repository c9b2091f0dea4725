"""libpq's connect_timeout: on for PostgreSQL (so a server that accepts and never answers fails
a request, and /healthz, in seconds), from DATABASE_CONNECT_TIMEOUT, never overriding what
DATABASE_URL's own options say; nothing of it for SQLite."""

import json
import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def options(database_url: str, **env_changes) -> subprocess.CompletedProcess:
    env = {k: v for k, v in os.environ.items()
           if k not in {"DJANGO_SETTINGS_MODULE", "DATABASE_CONNECT_TIMEOUT"}}
    env.update({"SECRET_KEY": "t" * 60, "DATABASE_URL": database_url,
                "DJANGO_SETTINGS_MODULE": "config.settings", **env_changes})
    code = ("import json, django; django.setup(); from django.conf import settings; "
            "print(json.dumps(settings.DATABASES['default']['OPTIONS']))")
    return subprocess.run([sys.executable, "-c", code], cwd=ROOT, env=env, capture_output=True,
                          text=True, timeout=60)


def test_postgresql_connections_give_up_after_five_seconds_by_default():
    result = options("postgres://u@db.example:5432/gongjian?sslmode=require")
    assert result.returncode == 0, result.stderr
    assert json.loads(result.stdout) == {"connect_timeout": 5, "sslmode": "require"}


def test_the_variable_sets_it_and_the_url_wins_over_the_variable():
    result = options("postgres://u@db.example/gongjian", DATABASE_CONNECT_TIMEOUT="3")
    assert json.loads(result.stdout)["connect_timeout"] == 3
    result = options("postgres://u@db.example/gongjian?connect_timeout=9",
                     DATABASE_CONNECT_TIMEOUT="3")
    assert int(json.loads(result.stdout)["connect_timeout"]) == 9


def test_a_bad_value_stops_start_up_naming_the_variable():
    result = options("postgres://u@db.example/gongjian", DATABASE_CONNECT_TIMEOUT="0")
    assert result.returncode != 0 and "DATABASE_CONNECT_TIMEOUT must be at least 2" in result.stderr


def test_sqlite_keeps_its_own_options():
    result = options("sqlite:///:memory:")
    assert json.loads(result.stdout) == {"timeout": 20}
