"""`manage.py create_database` (make run, deploy/install.sh): the PostgreSQL database of
DATABASE_URL is created when missing, and an existing one is left alone."""

import os
import subprocess
import sys
import uuid
from pathlib import Path

import psycopg2
import pytest
from django.db import connection

from tests.test_backup_restore import _url

ROOT = Path(__file__).resolve().parents[1]


def _run(url):
    env = {**os.environ, "DATABASE_URL": url, "DJANGO_SETTINGS_MODULE": "config.settings",
           "SECRET_KEY": "c" * 60}
    return subprocess.run([sys.executable, "manage.py", "create_database"], cwd=ROOT, env=env,
                          capture_output=True, text=True, timeout=60)


@pytest.mark.django_db
def test_a_missing_database_is_created_once(postgres):
    name = f"gongjian_new_{uuid.uuid4().hex[:8]}"
    url = _url(connection.settings_dict, name)
    try:
        first = _run(url)
        assert first.returncode == 0, first.stderr
        assert f"created the database {name}" in first.stdout
        psycopg2.connect(url).close()
        second = _run(url)
        assert second.returncode == 0 and second.stdout == ""
    finally:
        admin = psycopg2.connect(_url(connection.settings_dict, "postgres"))
        admin.autocommit = True
        with admin.cursor() as cursor:
            cursor.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        admin.close()
