"""A pg_dump made by scripts/backup.sh restores with scripts/restore.sh and holds the data."""

import os
import shutil
import subprocess
import uuid
from pathlib import Path

import psycopg2
import pytest
from django.db import connection

from tests import factories

ROOT = Path(__file__).resolve().parents[1]


def _url(settings_dict, name):
    host = settings_dict.get("HOST") or "127.0.0.1"
    port = settings_dict.get("PORT") or 5432
    user = settings_dict.get("USER") or "postgres"
    password = settings_dict.get("PASSWORD") or ""
    auth = f"{user}:{password}@" if password else f"{user}@"
    return f"postgresql://{auth}{host}:{port}/{name}"


@pytest.mark.django_db(transaction=True)
def test_a_dump_restores_into_an_empty_database_with_the_projects(postgres, tmp_path):
    if not shutil.which("pg_dump") or not shutil.which("pg_restore"):
        pytest.fail("pg_dump and pg_restore are needed (Debian: postgresql-client)")
    project = factories.ProjectFactory(name="备份恢复测试项目")
    source = _url(connection.settings_dict, connection.settings_dict["NAME"])
    env = {**os.environ, "DATABASE_URL": source, "MEDIA_ROOT": str(tmp_path / "media")}
    dump = subprocess.run([str(ROOT / "scripts/backup.sh"), str(tmp_path)], env=env, check=True,
                          capture_output=True, text=True).stdout.strip().splitlines()[-1]
    assert Path(dump).stat().st_size > 0

    target_name = f"gongjian_restore_{uuid.uuid4().hex[:8]}"
    admin = psycopg2.connect(_url(connection.settings_dict, "postgres"))
    admin.autocommit = True
    try:
        with admin.cursor() as cursor:
            cursor.execute(f'CREATE DATABASE "{target_name}"')
        target = _url(connection.settings_dict, target_name)
        subprocess.run([str(ROOT / "scripts/restore.sh"), dump],
                       env={**env, "DATABASE_URL": target}, check=True, capture_output=True)
        with psycopg2.connect(target) as restored, restored.cursor() as cursor:
            cursor.execute("SELECT code, name FROM projects_project WHERE id = %s", [project.pk])
            assert cursor.fetchone() == (project.code, "备份恢复测试项目")
            cursor.execute("SELECT count(*) FROM auth_group WHERE name = 'town_admin'")
            assert cursor.fetchone() == (1,)
        restored.close()
    finally:
        with admin.cursor() as cursor:
            cursor.execute(f'DROP DATABASE IF EXISTS "{target_name}" WITH (FORCE)')
        admin.close()
