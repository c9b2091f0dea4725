"""scripts/backup.sh and scripts/restore.sh: the database and the uploads, found where the app's
own settings put them (the production layout: GONGJIAN_VAR_DIR set, no MEDIA_ROOT), with relative
paths, restored into an empty database and an empty uploads folder; a missing part is a failure."""

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


def _app_env(database_url: str, var_dir: Path) -> dict:
    """The environment of a production install: its settings module, its variables."""
    env = {k: v for k, v in os.environ.items()
           if k not in {"MEDIA_ROOT", "DJANGO_SETTINGS_MODULE", "GONGJIAN_VAR_DIR"}}
    return {**env, "DATABASE_URL": database_url, "GONGJIAN_VAR_DIR": str(var_dir),
            "DJANGO_SETTINGS_MODULE": "config.settings", "SECRET_KEY": "b" * 60}


@pytest.fixture
def empty_database():
    if not shutil.which("pg_dump") or not shutil.which("pg_restore"):
        pytest.fail("pg_dump and pg_restore are needed (Debian: postgresql-client)")
    name = f"gongjian_restore_{uuid.uuid4().hex[:8]}"
    admin = psycopg2.connect(_url(connection.settings_dict, "postgres"))
    admin.autocommit = True
    with admin.cursor() as cursor:
        cursor.execute(f'CREATE DATABASE "{name}"')
    yield _url(connection.settings_dict, name)
    with admin.cursor() as cursor:
        cursor.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    admin.close()


@pytest.mark.django_db(transaction=True)
def test_a_backup_of_the_production_layout_restores_rows_and_uploads(postgres, tmp_path,
                                                                    empty_database):
    project = factories.ProjectFactory(name="备份恢复测试项目")
    source = _url(connection.settings_dict, connection.settings_dict["NAME"])
    var = tmp_path / "var-lib-gongjian"
    photo = var / "media" / "reports" / "2026" / "12" / "site.png"
    photo.parent.mkdir(parents=True)
    photo.write_bytes(b"\x89PNG\r\n\x1a\n-photo-bytes")

    # Started from tmp_path with a relative folder, as an operator types it.
    result = subprocess.run([str(ROOT / "scripts/backup.sh"), "backups"], cwd=tmp_path,
                            env=_app_env(source, var), capture_output=True, text=True)
    assert result.returncode == 0, result.stderr
    dump, media = result.stdout.strip().splitlines()[-2:]
    assert Path(dump).parent == tmp_path / "backups" and Path(dump).stat().st_size > 0
    assert Path(media).name.startswith("gongjian-media-")

    # A fresh machine: an empty database and an empty /var/lib/gongjian; relative paths again.
    new_var = tmp_path / "new-var"
    result = subprocess.run(
        [str(ROOT / "scripts/restore.sh"), os.path.relpath(dump, tmp_path),
         os.path.relpath(media, tmp_path)],
        cwd=tmp_path, env=_app_env(empty_database, new_var), capture_output=True, text=True)
    assert result.returncode == 0, result.stderr
    restored_photo = new_var / "media" / "reports" / "2026" / "12" / "site.png"
    assert restored_photo.read_bytes() == photo.read_bytes()
    with psycopg2.connect(empty_database) as restored, restored.cursor() as cursor:
        cursor.execute("SELECT code, name FROM projects_project WHERE id = %s", [project.pk])
        assert cursor.fetchone() == (project.code, "备份恢复测试项目")
        cursor.execute("SELECT count(*) FROM auth_group WHERE name = 'town_admin'")
        assert cursor.fetchone() == (1,)
    restored.close()


@pytest.mark.django_db
def test_a_backup_without_the_uploads_folder_fails_and_leaves_nothing(postgres, tmp_path):
    source = _url(connection.settings_dict, connection.settings_dict["NAME"])
    result = subprocess.run([str(ROOT / "scripts/backup.sh"), str(tmp_path / "backups")],
                            cwd=tmp_path, env=_app_env(source, tmp_path / "no-such-var"),
                            capture_output=True, text=True)
    assert result.returncode != 0
    assert "uploads folder" in result.stderr
    assert not list((tmp_path / "backups").glob("*")) if (tmp_path / "backups").exists() else True


def test_a_restore_without_the_uploads_archive_is_refused(tmp_path):
    dump = tmp_path / "gongjian.dump"
    dump.write_bytes(b"PGDMP")
    result = subprocess.run([str(ROOT / "scripts/restore.sh"), str(dump)], cwd=tmp_path,
                            capture_output=True, text=True)
    assert result.returncode != 0 and "usage" in result.stderr
    result = subprocess.run([str(ROOT / "scripts/restore.sh"), str(dump), "missing.tar.gz"],
                            cwd=tmp_path, capture_output=True, text=True)
    assert result.returncode != 0 and "no uploads archive" in result.stderr
